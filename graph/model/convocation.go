package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The convocation document (seed « Modalité et délais d'accès »: "Une convocation
// contenant date, heure, adresse du rendez-vous est remise en main propre au BPI"): what
// it says, in French and in the beneficiary's spoken language when the project has a
// translation for it. Rendering is elsewhere (graph/document); this is the content.

// ConvocationDocument is what a convocation document shows: the appointment, the
// beneficiary it is handed to and the structure that convokes (the social operator).
type ConvocationDocument struct {
	Convocation
	FirstName  string   `db:"first_name"`
	LastName   string   `db:"last_name"`
	Languages  []string `db:"-"`
	Department string   `db:"department"`
	// The convoking structure and its contact.
	StructureName       string  `db:"structure_name"`
	StructureAddress    *string `db:"structure_address"`
	StructureComplement *string `db:"structure_complement"`
	StructurePostalCode *string `db:"structure_postal_code"`
	StructureCity       *string `db:"structure_city"`
	StructurePhone      *string `db:"structure_phone"`
	StructureEmail      *string `db:"structure_email"`
}

// AuditRef names the convocation in the audit log of reads (the document carries the
// beneficiary's name), in its beneficiary's department.
func (d ConvocationDocument) AuditRef() AuditRef {
	return AuditRef{Type: "Convocation", Key: d.Key, Department: d.Department}
}

// ConvocationText is the document's text in one language, its values filled in.
type ConvocationText struct {
	Language string // BCP 47 tag: "fr", "en", "ar"
	RTL      bool   // written from right to left (Arabic): shaped and set right-aligned
	Title    string
	Lines    []string // the body, one paragraph each
}

// convocationLanguage is a translation of the document.
type convocationLanguage struct {
	tag   string
	names []string // how a beneficiary's spoken language names it (French names, tags)
	text  func(d ConvocationDocument, at time.Time) ConvocationText
}

var englishMonths = [...]string{"", "January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December"}

var frenchWeekdays = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

var arabicMonths = [...]string{"", "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
	"سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}

var arabicWeekdays = [...]string{"الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"}

// convocationLanguages are the translations the project has: English and Arabic (Modern
// Standard Arabic, the month names of Egypt and the Gulf, Western digits as in France;
// right to left: graph/document shapes it).
var convocationLanguages = []convocationLanguage{
	{tag: "en", names: []string{"anglais", "english", "en", "eng"}, text: func(d ConvocationDocument, at time.Time) ConvocationText {
		return ConvocationText{Language: "en", Title: "Appointment letter — AGIR programme", Lines: []string{
			fmt.Sprintf("%s %s,", d.FirstName, d.LastName),
			"You are invited to a welcome interview of the AGIR integration programme for beneficiaries of international protection.",
			fmt.Sprintf("Date: %s %d %s %d", at.Weekday(), at.Day(), englishMonths[at.Month()], at.Year()),
			fmt.Sprintf("Time: %02d:%02d", at.Hour(), at.Minute()),
			"Address: " + d.Address,
			"Contact: " + d.contact(),
			"Please bring this letter and your identity documents. If you cannot come, call us to set another date.",
		}}
	}},
	{tag: "ar", names: []string{"arabe", "arabic", "ar", "ara", "العربية"}, text: func(d ConvocationDocument, at time.Time) ConvocationText {
		return ConvocationText{Language: "ar", RTL: true, Title: "استدعاء — برنامج AGIR", Lines: []string{
			fmt.Sprintf("%s %s،", d.FirstName, d.LastName),
			"ندعوكم إلى مقابلة استقبال في برنامج AGIR لمرافقة المستفيدين من الحماية الدولية.",
			fmt.Sprintf("التاريخ: %s %d %s %d", arabicWeekdays[at.Weekday()], at.Day(), arabicMonths[at.Month()], at.Year()),
			fmt.Sprintf("الساعة: %02d:%02d", at.Hour(), at.Minute()),
			"العنوان: " + d.Address,
			"للتواصل: " + d.contact(),
			"يرجى إحضار هذا الاستدعاء ووثائق هويتكم. إذا تعذر عليكم الحضور، اتصلوا بنا لتحديد موعد آخر.",
		}}
	}},
}

// ConvocationTexts returns the document's text in French, then in each spoken language
// of the beneficiary the project has a translation for (once each, in the order spoken).
// Times are in Europe/Paris.
func ConvocationTexts(d ConvocationDocument) []ConvocationText {
	at := d.AppointmentAt.In(Paris)
	day := DateOf(at)
	out := []ConvocationText{{Language: "fr", Title: "Convocation — programme AGIR", Lines: []string{
		fmt.Sprintf("%s %s,", d.FirstName, d.LastName),
		"Vous êtes convoqué(e) à un entretien d'accueil du programme AGIR d'accompagnement global des bénéficiaires de la protection internationale.",
		fmt.Sprintf("Date : %s %s", frenchWeekdays[at.Weekday()], frenchDate(day)),
		fmt.Sprintf("Heure : %02dh%02d", at.Hour(), at.Minute()),
		"Adresse : " + d.Address,
		"Contact : " + d.contact(),
		"Merci de vous présenter muni(e) de cette convocation et de vos documents d'identité. En cas d'empêchement, appelez-nous pour fixer une autre date.",
	}}}
	seen := map[string]bool{"fr": true}
	for _, spoken := range d.Languages {
		s := strings.ToLower(strings.TrimSpace(spoken))
		for _, l := range convocationLanguages {
			if !seen[l.tag] && slices.Contains(l.names, s) {
				seen[l.tag] = true
				out = append(out, l.text(d, at))
			}
		}
	}
	return out
}

// contact is the convoking structure: name, full address, phone and e-mail when known.
func (d ConvocationDocument) contact() string {
	parts := []string{d.StructureName}
	addr := strings.TrimSpace(strings.Join(nonEmpty(d.StructureAddress, d.StructureComplement), ", "))
	city := strings.TrimSpace(strings.Join(nonEmpty(d.StructurePostalCode, d.StructureCity), " "))
	if addr != "" || city != "" {
		parts = append(parts, strings.Trim(addr+", "+city, ", "))
	}
	parts = append(parts, nonEmpty(d.StructurePhone, d.StructureEmail)...)
	return strings.Join(parts, " — ")
}

func nonEmpty(vs ...*string) []string {
	var out []string
	for _, v := range vs {
		if v != nil && strings.TrimSpace(*v) != "" {
			out = append(out, strings.TrimSpace(*v))
		}
	}
	return out
}

// ID returns the global id of c.
func (c Convocation) ID() string { return GlobalID("Convocation", c.Key) }

func (Convocation) IsNode() {}
