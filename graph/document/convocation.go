// Package document renders the documents the programme hands over on paper: the
// convocation (seed « Modalité et délais d'accès »: "Une convocation contenant date,
// heure, adresse du rendez-vous est remise en main propre au BPI"). It turns the content
// decided in graph/model into PDF with codeberg.org/go-pdf/fpdf and an embedded font.
package document

import (
	"bytes"
	_ "embed"
	"fmt"

	"codeberg.org/go-pdf/fpdf"

	"github.com/agir-reseau/agir-backend/graph/document/arabic"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// DejaVu Sans (fonts-dejavu-core, Bitstream Vera licence with public-domain changes:
// fonts/LICENSE-DejaVu) covers Latin, Greek, Cyrillic, the Arabic block and the Arabic
// Presentation Forms-B that graph/document/arabic shapes into; fpdf embeds the subset
// the document uses.
var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVuSans []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuSansBold []byte
)

// ConvocationPDF renders the convocation document: one A4 page, French first, then the
// same content in each translation model.ConvocationTexts gives for the beneficiary's
// spoken languages. A content too long for the page at the normal size (a long address)
// is set smaller; one that fits at no size is an error.
func ConvocationPDF(d model.ConvocationDocument) ([]byte, error) {
	for _, scale := range []float64{1, 0.85, 0.7} {
		pdf := convocationPDF(d, scale)
		if err := pdf.Error(); err != nil {
			return nil, fmt.Errorf("document: convocation: %w", err)
		}
		if pdf.PageCount() != 1 {
			continue
		}
		var buf bytes.Buffer
		if err := pdf.Output(&buf); err != nil {
			return nil, fmt.Errorf("document: convocation: %w", err)
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("document: convocation: the content does not fit on one page")
}

func convocationPDF(d model.ConvocationDocument, scale float64) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("DejaVu", "", dejaVuSans)
	pdf.AddUTF8FontFromBytes("DejaVu", "B", dejaVuSansBold)
	pdf.SetMargins(20, 18, 20)
	pdf.SetAutoPageBreak(true, 15)
	pdf.SetTitle("Convocation AGIR", true)
	pdf.SetCreator("AGIR", true)
	pdf.SetLang("fr")
	// a stable document for the same convocation: dated by its handing over
	handed := d.HandedOverOn.Time()
	pdf.SetCreationDate(handed)
	pdf.SetModificationDate(handed)
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	usable := width - 40
	for i, t := range model.ConvocationTexts(d) {
		if i > 0 {
			pdf.Ln(4 * scale)
			x, y := pdf.GetXY()
			pdf.Line(x, y, x+usable, y)
			pdf.Ln(6 * scale)
		}
		paragraph := func(text string, height float64) {
			if t.RTL {
				rightToLeft(pdf, text, usable, height)
				return
			}
			pdf.MultiCell(usable, height, text, "", "L", false)
		}
		pdf.SetFont("DejaVu", "B", 15*scale)
		paragraph(t.Title, 8*scale)
		pdf.Ln(2 * scale)
		for j, line := range t.Lines {
			style := ""
			if j >= 2 && j <= 4 { // date, time, address: what the beneficiary must not miss
				style = "B"
			}
			pdf.SetFont("DejaVu", style, 11*scale)
			paragraph(line, 6*scale)
			pdf.Ln(scale)
		}
	}
	return pdf
}

// rightToLeft sets a paragraph of Arabic text right-aligned: fpdf draws one glyph per
// character from left to right, so the text is shaped into its contextual forms
// (arabic.Shape), broken into lines in logical order at the current font's widths, and
// each line put in visual order (arabic.Visual) before it is drawn.
func rightToLeft(pdf *fpdf.Fpdf, text string, width, height float64) {
	for _, line := range pdf.SplitText(arabic.Shape(text), width) {
		visual, err := arabic.Visual(line)
		if err != nil {
			pdf.SetError(fmt.Errorf("right-to-left text: %w", err))
			return
		}
		pdf.CellFormat(width, height, visual, "", 1, "R", false, 0, "")
	}
}
