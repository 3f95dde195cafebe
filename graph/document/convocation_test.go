package document

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/agir-reseau/agir-backend/graph/model"
	"github.com/agir-reseau/agir-backend/internal/pdftext"
)

// A beneficiary who speaks Arabic gets the convocation in French and in Arabic, on one
// page; the Arabic text is read back in logical order once the presentation forms are
// normalised (NFKC) to the letters they show.
func TestConvocationPDF_Arabic(t *testing.T) {
	s := func(v string) *string { return &v }
	d := model.ConvocationDocument{Convocation: model.Convocation{Key: "k", Address: "ARSL, 5 place Bellecour, 69002 Lyon",
		AppointmentAt: time.Date(2026, 3, 10, 8, 30, 0, 0, time.UTC), HandedOverOn: model.NewDate(2026, 3, 2)},
		FirstName: "Amina", LastName: "Haïdari", Languages: []string{"dari", "arabe"},
		StructureName: "ARSL", StructureAddress: s("5 place Bellecour"), StructurePostalCode: s("69002"), StructureCity: s("Lyon"),
		StructurePhone: s("04 72 00 00 00")}
	pdf, err := ConvocationPDF(d)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftext.Of(t, pdf)
	if pages := strings.Count(text, "\f"); pages != 1 {
		t.Fatalf("%d pages:\n%s", pages, text)
	}
	flat := strings.Join(strings.Fields(norm.NFKC.String(text)), " ")
	for _, want := range []string{
		"Convocation — programme AGIR", "Heure : 09h30",
		"استدعاء", "برنامج", "ندعوكم إلى مقابلة استقبال في برنامج", "لمرافقة المستفيدين من الحماية الدولية",
		"التاريخ", "الثلاثاء", "مارس", "الساعة", "09:30", "العنوان", "للتواصل",
		"يرجى إحضار هذا الاستدعاء ووثائق هويتكم", "اتصلوا بنا لتحديد موعد آخر",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("missing %q in:\n%s", want, flat)
		}
	}
	// the letters join: the page shows presentation forms, not isolated base letters
	if strings.Contains(text, "ندعوكم") {
		t.Errorf("Arabic drawn unshaped:\n%s", text)
	}
}
