package model

import (
	"fmt"
	"maps"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Offer is an offer of the local offer map (« offre de service »): a data·inclusion v1
// service with the AGIR extension for refugees, its publication status and freshness.
type Offer struct {
	Key          string
	StructureKey string
	Source       string
	DIID         string      // data·inclusion id, "source--local-id"
	Origin       OfferOrigin // the channel it came through (issue 20)
	OfferFields
	Department            *string
	Status                OfferStatus
	UpdateFrequencyMonths int
	VerifiedAt            *time.Time
	VerifiedByKey         *string
	CreatedAt             time.Time
	UpdatedAt             time.Time
	UpdatedOn             Date // data·inclusion date_maj
	QualityScore          float64
	DistanceKm            *float64 // set by a search by place
	Version               int
}

// ID returns the global id of o.
func (o Offer) ID() string { return GlobalID("Offer", o.Key) }

func (Offer) IsNode() {}

// DataInclusionID returns the data·inclusion id of the offer.
func (o Offer) DataInclusionID() string { return o.DIID }

// OfferFields are the fields of an offer its editors write: the data·inclusion v1 service
// fields and the AGIR extension. Slices are never nil once normalised.
type OfferFields struct {
	Name                string   `json:"name"`
	Description         string   `json:"description"`
	ServiceType         *string  `json:"serviceType"`
	Themes              []string `json:"themes"`
	Publics             []string `json:"publics"`
	PublicsDetails      *string  `json:"publicsDetails"`
	AccessConditions    *string  `json:"accessConditions"`
	Cost                *string  `json:"cost"`
	CostDetails         *string  `json:"costDetails"`
	ReceptionModes      []string `json:"receptionModes"`
	MobilisationModes   []string `json:"mobilisationModes"`
	MobilisableBy       []string `json:"mobilisableBy"`
	MobilisationDetails *string  `json:"mobilisationDetails"`
	MobilisationLink    *string  `json:"mobilisationLink"`
	SourceLink          *string  `json:"sourceLink"`
	Phone               *string  `json:"phone"`
	Email               *string  `json:"email"`
	ContactName         *string  `json:"contactName"`
	Address             *string  `json:"address"`
	AddressComplement   *string  `json:"addressComplement"`
	City                *string  `json:"city"`
	PostalCode          *string  `json:"postalCode"`
	InseeCode           *string  `json:"inseeCode"`
	Latitude            *float64 `json:"latitude"`
	Longitude           *float64 `json:"longitude"`
	OpeningHours        *string  `json:"openingHours"`
	EligibilityZone     []string `json:"eligibilityZone"`
	DurationWeeks       *int     `json:"durationWeeks"`
	WeeklyHours         *float64 `json:"weeklyHours"`
	// AGIR extension
	SpokenLanguages     []string           `json:"spokenLanguages"`
	ProtectionStatuses  []ProtectionStatus `json:"protectionStatuses"`
	FrenchLevelRequired *CefrLevel         `json:"frenchLevelRequired"`
	DocumentsRequired   []string           `json:"documentsRequired"`
	Capacity            *int               `json:"capacity"`
	Sessions            []OfferSession     `json:"sessions"`
}

// Partnership parameters (DESIGN §3: delays are named parameters with defaults).
const (
	// DefaultUpdateFrequencyMonths is the default time between two verifications of an offer.
	DefaultUpdateFrequencyMonths = 6
	// FreshnessDueSoonDays is how many days before its due date an offer is DUE_SOON.
	FreshnessDueSoonDays = 30
)

// VerificationDueOn is the day an offer must be verified again: its last verification
// plus its update frequency in months, clamped to the end of month like PostgreSQL. The
// last verification is the one recorded in AGIR (verifiedAt), else its creation; for an
// offer imported from another source, sourceUpdatedOn is that source's date_maj (the
// day the source last checked it), and the later of it and verifiedAt counts: the day
// of the import says nothing about how fresh the offer is.
func VerificationDueOn(verifiedAt *time.Time, createdAt time.Time, sourceUpdatedOn *Date, frequencyMonths int) Date {
	from := DateOf(createdAt)
	if verifiedAt != nil {
		from = DateOf(*verifiedAt)
	}
	if sourceUpdatedOn != nil && (verifiedAt == nil || sourceUpdatedOn.After(from)) {
		from = *sourceUpdatedOn
	}
	return from.AddMonthsClamped(frequencyMonths)
}

// OfferFreshness says whether an offer is up to date on day today (DESIGN §5: stale offers
// are flagged): STALE once its due day has passed, DUE_SOON within FreshnessDueSoonDays.
func OfferFreshness(due, today Date) Freshness {
	switch {
	case due.Before(today):
		return FreshnessStale
	case !due.After(today.AddDate(0, 0, FreshnessDueSoonDays)):
		return FreshnessDueSoon
	}
	return FreshnessFresh
}

// Freshness of o on day today.
func (o Offer) Freshness(today Date) Freshness {
	return OfferFreshness(o.VerificationDueOn(), today)
}

// VerificationDueOn is the day o must be verified again.
func (o Offer) VerificationDueOn() Date {
	var source *Date
	if o.Source != DIIDPrefix {
		source = &o.UpdatedOn
	}
	return VerificationDueOn(o.VerifiedAt, o.CreatedAt, source, o.UpdateFrequencyMonths)
}

// QualityCriteria is the data·inclusion quality score of an offer: ten criteria, each met
// or not; the score is the share met (0 to 1). They follow data·inclusion's documented
// expectations for a usable service record and depend on the record only (never on the
// day), so that the score can be stored and filtered on.
func (f OfferFields) QualityCriteria() []QualityCriterion {
	present := func(s *string) bool { return s != nil && strings.TrimSpace(*s) != "" }
	inPerson := slices.Contains(f.ReceptionModes, "en-presentiel")
	channelsOK := len(f.MobilisationModes) > 0 && len(f.MobilisableBy) > 0
	for _, m := range f.MobilisationModes {
		switch m {
		case "envoyer-un-courriel":
			channelsOK = channelsOK && present(f.Email)
		case "telephoner":
			channelsOK = channelsOK && present(f.Phone)
		case "utiliser-lien-mobilisation":
			channelsOK = channelsOK && present(f.MobilisationLink)
		}
	}
	n := utf8.RuneCountInString(strings.TrimSpace(f.Name))
	name := strings.TrimSpace(f.Name)
	return []QualityCriterion{
		{Name: "nom", Label: "nom de 3 à 150 caractères, sans point final",
			Met: n >= 3 && n <= 150 && (!strings.HasSuffix(name, ".") || strings.HasSuffix(name, "etc."))},
		{Name: "description", Label: "description d'au moins 200 caractères",
			Met: utf8.RuneCountInString(strings.TrimSpace(f.Description)) >= 200},
		{Name: "type", Label: "type de service renseigné", Met: present(f.ServiceType)},
		{Name: "thematiques", Label: "au moins une thématique", Met: len(f.Themes) > 0},
		{Name: "publics", Label: "publics renseignés", Met: len(f.Publics) > 0},
		{Name: "frais", Label: "frais renseignés, précisés s'ils sont payants",
			Met: present(f.Cost) && (*f.Cost != "payant" || present(f.CostDetails))},
		{Name: "lieu", Label: "mode d'accueil renseigné ; en présentiel : adresse complète et coordonnées",
			Met: len(f.ReceptionModes) > 0 && (!inPerson || present(f.Address) && present(f.PostalCode) &&
				present(f.City) && f.Latitude != nil && f.Longitude != nil)},
		{Name: "horaires", Label: "horaires d'accueil renseignés (sauf service uniquement à distance)",
			Met: len(f.ReceptionModes) > 0 && (!inPerson || present(f.OpeningHours))},
		{Name: "mobilisation", Label: "modes de mobilisation, mobilisable par, et le canal de chaque mode (courriel, téléphone, lien)",
			Met: channelsOK},
		{Name: "zone_eligibilite", Label: "zone d'éligibilité renseignée", Met: len(f.EligibilityZone) > 0},
	}
}

// QualityScore is the share of QualityCriteria met, rounded to 2 decimals.
func QualityScore(criteria []QualityCriterion) float64 {
	met := 0
	for _, c := range criteria {
		if c.Met {
			met++
		}
	}
	return math.Round(float64(met)/float64(len(criteria))*100) / 100
}

// closedList checks that every value is in list, and that there are no duplicates.
func closedList(values []string, list DIList, path []string) error {
	seen := map[string]bool{}
	for _, v := range values {
		if !slices.Contains(list.Values, v) {
			return Errorf(CodeUnknownValue, path, "valeur « %s » inconnue pour « %s » (liste fermée data·inclusion)", v, list.Field)
		}
		if seen[v] {
			return Errorf(CodeInvalidInput, path, "valeur « %s » en double dans « %s »", v, list.Field)
		}
		seen[v] = true
	}
	return nil
}

// France's territory, for coordinates (metropolitan France and Corsica, then the overseas
// departments and collectivities), as latitude/longitude boxes.
var franceBoxes = [][4]float64{
	{41.3, 51.15, -5.25, 9.65},       // metropolitan France and Corsica
	{15.8, 16.55, -61.85, -60.95},    // Guadeloupe
	{14.35, 14.9, -61.25, -60.8},     // Martinique
	{2.1, 5.8, -54.65, -51.6},        // Guyane
	{-21.4, -20.85, 55.2, 55.85},     // La Réunion
	{-13.05, -12.6, 44.95, 45.35},    // Mayotte
	{46.7, 47.15, -56.45, -56.1},     // Saint-Pierre-et-Miquelon
	{17.85, 18.15, -63.2, -62.75},    // Saint-Martin, Saint-Barthélemy
	{-28.0, -7.8, -155.0, -134.0},    // Polynésie française
	{-23.0, -19.5, 163.5, 168.2},     // Nouvelle-Calédonie
	{-14.4, -13.15, -178.25, -176.1}, // Wallis-et-Futuna
}

// InFrance reports whether a point is on French territory (within a box of franceBoxes).
func InFrance(lat, lon float64) bool {
	for _, b := range franceBoxes {
		if lat >= b[0] && lat <= b[1] && lon >= b[2] && lon <= b[3] {
			return true
		}
	}
	return false
}

var (
	postalCodePattern = regexp.MustCompile(`^\d{5}$`)
	inseeCodePattern  = regexp.MustCompile(`^(\d{5}|2[AB]\d{3})$`)
	departmentPattern = regexp.MustCompile(`^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$`)
	zonePattern       = regexp.MustCompile(`^(\w{5}|\w{2,3}|\d{9}|france)$`)
	languagePattern   = regexp.MustCompile(`^[a-z]{2,3}$`)
	phonePattern      = regexp.MustCompile(`^\+?[0-9 .()-]{6,20}$`)
)

// ValidDepartment reports whether code is the INSEE code of a French department.
func ValidDepartment(code string) bool { return departmentPattern.MatchString(code) }

// DepartmentOf derives the department of a place from its INSEE code, else its postal
// code: two characters (2A, 2B for Corsica), three overseas (971-976). "" when unknown.
func DepartmentOf(inseeCode, postalCode *string) string {
	if inseeCode != nil && inseeCodePattern.MatchString(*inseeCode) {
		c := *inseeCode
		if strings.HasPrefix(c, "97") {
			return c[:3]
		}
		return c[:2]
	}
	if postalCode != nil && postalCodePattern.MatchString(*postalCode) {
		c := *postalCode
		switch {
		case strings.HasPrefix(c, "97"):
			return c[:3]
		case strings.HasPrefix(c, "20"):
			if c < "20200" {
				return "2A"
			}
			return "2B"
		}
		return c[:2]
	}
	return ""
}

// ValidateHTTPURL checks an absolute http(s) URL of at most 2083 characters.
func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(s) <= 2083
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// placeFields are the address fields shared by structures and offers.
type placeFields struct {
	postalCode, inseeCode, phone, email, openingHours *string
	latitude, longitude                               *float64
	links                                             map[string]*string
}

func (p placeFields) validate(path func(string) []string) error {
	var errs fieldErrors
	if p.postalCode != nil && !postalCodePattern.MatchString(*p.postalCode) {
		errs.add(Errorf(CodeInvalidInput, path("postalCode"), "code postal « %s » invalide : 5 chiffres attendus", *p.postalCode))
	}
	if p.inseeCode != nil && !inseeCodePattern.MatchString(*p.inseeCode) {
		errs.add(Errorf(CodeInvalidInput, path("inseeCode"), "code Insee « %s » invalide", *p.inseeCode))
	}
	if (p.latitude == nil) != (p.longitude == nil) {
		errs.add(Errorf(CodeInvalidInput, path("latitude"), "latitude et longitude vont ensemble"))
	}
	if p.latitude != nil && p.longitude != nil && !InFrance(*p.latitude, *p.longitude) {
		errs.add(Errorf(CodeOutOfRange, path("latitude"), "les coordonnées (%.4f, %.4f) sont hors de France", *p.latitude, *p.longitude))
	}
	if p.phone != nil && !phonePattern.MatchString(*p.phone) {
		errs.add(Errorf(CodeInvalidInput, path("phone"), "numéro de téléphone « %s » invalide", *p.phone))
	}
	if p.email != nil && !validEmail(*p.email) {
		errs.add(Errorf(CodeInvalidInput, path("email"), "adresse électronique « %s » invalide", *p.email))
	}
	if p.openingHours != nil {
		if err := ValidateOpeningHours(*p.openingHours); err != nil {
			errs.add(Errorf(CodeInvalidOpeningHours, path("openingHours"), "horaires au format OpenStreetMap attendus (ex. « Mo-Fr 08:30-12:30; PH off ») : %v", err))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.links)) {
		if v := p.links[name]; v != nil && !validURL(*v) {
			errs.add(Errorf(CodeInvalidInput, path(name), "lien « %s » invalide : une adresse http(s) complète est attendue", *v))
		}
	}
	return errs.err()
}

// TrimmedOrNil trims an optional text and turns "" into nil.
func TrimmedOrNil(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	if t == "" {
		return nil
	}
	return &t
}

// NonNilStrings returns s, or an empty list for nil (a list never answered as null).
func NonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Normalize trims texts, turns empty texts into nil and nil lists into empty ones.
func (f *OfferFields) Normalize() {
	f.Name = strings.TrimSpace(f.Name)
	f.Description = strings.TrimSpace(f.Description)
	for _, p := range []**string{&f.ServiceType, &f.PublicsDetails, &f.AccessConditions, &f.Cost, &f.CostDetails,
		&f.MobilisationDetails, &f.MobilisationLink, &f.SourceLink, &f.Phone, &f.Email, &f.ContactName, &f.Address,
		&f.AddressComplement, &f.City, &f.PostalCode, &f.InseeCode, &f.OpeningHours} {
		*p = TrimmedOrNil(*p)
	}
	for _, p := range []*[]string{&f.Themes, &f.Publics, &f.ReceptionModes, &f.MobilisationModes, &f.MobilisableBy,
		&f.EligibilityZone, &f.SpokenLanguages, &f.DocumentsRequired} {
		*p = NonNilStrings(*p)
	}
	if f.ProtectionStatuses == nil {
		f.ProtectionStatuses = []ProtectionStatus{}
	}
	if f.Sessions == nil {
		f.Sessions = []OfferSession{}
	}
}

// Validate checks the fields of an offer against data·inclusion v1 and the AGIR
// extension; path prefixes the field names of errors (e.g. "input", "fields"). Every
// broken field is reported: AsUserError gives the first, UserErrors all of them.
func (f OfferFields) Validate(prefix ...string) error {
	path := func(name string) []string { return append(slices.Clone(prefix), name) }
	var errs fieldErrors
	if n := utf8.RuneCountInString(f.Name); n < 3 || n > 150 {
		errs.add(Errorf(CodeInvalidInput, path("name"), "le nom doit compter de 3 à 150 caractères"))
	}
	if n := utf8.RuneCountInString(f.Description); n < 5 || n > 10000 {
		errs.add(Errorf(CodeInvalidInput, path("description"), "la description doit compter de 5 à 10 000 caractères"))
	}
	if f.ServiceType != nil {
		errs.add(closedList([]string{*f.ServiceType}, TypesDeService, path("serviceType")))
	}
	errs.add(closedList(f.Themes, Thematiques, path("themes")))
	errs.add(closedList(f.Publics, Publics, path("publics")))
	if slices.Contains(f.Publics, "tous-publics") && len(f.Publics) > 1 {
		errs.add(Errorf(CodeInvalidInput, path("publics"), "« tous-publics » ne peut pas être combiné avec d'autres publics"))
	}
	if f.Cost != nil {
		errs.add(closedList([]string{*f.Cost}, Frais, path("cost")))
	}
	errs.add(closedList(f.ReceptionModes, ModesAccueil, path("receptionModes")))
	errs.add(closedList(f.MobilisationModes, ModesMobilisation, path("mobilisationModes")))
	errs.add(closedList(f.MobilisableBy, PersonnesMobilisatrices, path("mobilisableBy")))
	for _, z := range f.EligibilityZone {
		if !zonePattern.MatchString(z) {
			errs.add(Errorf(CodeInvalidInput, path("eligibilityZone"), "code « %s » invalide : code commune, département, EPCI ou « france » attendu", z))
		}
	}
	if f.DurationWeeks != nil && *f.DurationWeeks < 1 {
		errs.add(Errorf(CodeOutOfRange, path("durationWeeks"), "le nombre de semaines doit être au moins 1"))
	}
	if f.WeeklyHours != nil && (*f.WeeklyHours < 0 || *f.WeeklyHours > 168) {
		errs.add(Errorf(CodeOutOfRange, path("weeklyHours"), "le volume horaire hebdomadaire doit être compris entre 0 et 168"))
	}
	errs.add((placeFields{postalCode: f.PostalCode, inseeCode: f.InseeCode, phone: f.Phone, email: f.Email,
		openingHours: f.OpeningHours, latitude: f.Latitude, longitude: f.Longitude,
		links: map[string]*string{"mobilisationLink": f.MobilisationLink, "sourceLink": f.SourceLink}}).validate(path))
	for _, l := range f.SpokenLanguages {
		if !languagePattern.MatchString(l) {
			errs.add(Errorf(CodeInvalidInput, path("spokenLanguages"), "langue « %s » invalide : code ISO 639 attendu (ex. « fr », « ar », « prs »)", l))
		}
	}
	if f.Capacity != nil && (*f.Capacity < 1 || *f.Capacity > 10000) {
		errs.add(Errorf(CodeOutOfRange, path("capacity"), "la capacité doit être comprise entre 1 et 10 000"))
	}
	for _, s := range f.Sessions {
		if s.EndsOn != nil && s.EndsOn.Before(s.StartsOn) {
			errs.add(Errorf(CodeInvalidInput, path("sessions"), "une session se termine avant de commencer (%s)", s.StartsOn))
		}
	}
	return errs.err()
}

// ValidateFrequency checks an update frequency in months (1 to 36).
func ValidateFrequency(months int, path []string) error {
	if months < 1 || months > 36 {
		return Errorf(CodeOutOfRange, path, "la fréquence de mise à jour doit être comprise entre 1 et 36 mois")
	}
	return nil
}

// StructureFields are the fields of a structure: the data·inclusion v1 structure fields
// and its place in AGIR.
type StructureFields struct {
	Name              string        `json:"name"`
	AgirRole          StructureRole `json:"agirRole"`
	Departments       []string      `json:"departments"`
	Sectors           []Sector      `json:"sectors"`
	Siret             *string       `json:"siret"`
	Description       *string       `json:"description"`
	Address           *string       `json:"address"`
	AddressComplement *string       `json:"addressComplement"`
	City              *string       `json:"city"`
	PostalCode        *string       `json:"postalCode"`
	InseeCode         *string       `json:"inseeCode"`
	Latitude          *float64      `json:"latitude"`
	Longitude         *float64      `json:"longitude"`
	Phone             *string       `json:"phone"`
	Email             *string       `json:"email"`
	Website           *string       `json:"website"`
	SourceLink        *string       `json:"sourceLink"`
	OpeningHours      *string       `json:"openingHours"`
	AccessibilityLink *string       `json:"accessibilityLink"`
	Networks          []string      `json:"networks"`
}

// Normalize trims texts and turns nil lists into empty ones.
func (f *StructureFields) Normalize() {
	f.Name = strings.TrimSpace(f.Name)
	for _, p := range []**string{&f.Siret, &f.Description, &f.Address, &f.AddressComplement, &f.City, &f.PostalCode,
		&f.InseeCode, &f.Phone, &f.Email, &f.Website, &f.SourceLink, &f.OpeningHours, &f.AccessibilityLink} {
		*p = TrimmedOrNil(*p)
	}
	if f.Siret != nil {
		s := strings.ReplaceAll(*f.Siret, " ", "")
		f.Siret = &s
	}
	f.Departments = NonNilStrings(f.Departments)
	f.Networks = NonNilStrings(f.Networks)
	if f.Sectors == nil {
		f.Sectors = []Sector{}
	}
}

// Validate checks a structure's fields (data·inclusion v1 structure rules, SIRET checksum,
// opening hours, coordinates in France, closed list of réseaux porteurs), every broken
// field reported as OfferFields.Validate does.
func (f StructureFields) Validate(prefix ...string) error {
	path := func(name string) []string { return append(slices.Clone(prefix), name) }
	var errs fieldErrors
	if n := utf8.RuneCountInString(f.Name); n < 3 || n > 150 || strings.HasSuffix(f.Name, ".") {
		errs.add(Errorf(CodeInvalidInput, path("name"), "le nom doit compter de 3 à 150 caractères, sans point final"))
	}
	if !f.AgirRole.IsValid() {
		errs.add(Errorf(CodeUnknownValue, path("agirRole"), "rôle de structure inconnu"))
	}
	for _, d := range f.Departments {
		if !ValidDepartment(d) {
			errs.add(Errorf(CodeInvalidInput, path("departments"), "département « %s » invalide : code Insee attendu (ex. « 69 », « 2A », « 974 »)", d))
		}
	}
	if f.Siret != nil && !ValidSIRET(*f.Siret) {
		errs.add(Errorf(CodeInvalidSIRET, path("siret"), "numéro SIRET « %s » invalide : 14 chiffres dont la clé de contrôle est juste", *f.Siret))
	}
	if f.Description != nil {
		if n := utf8.RuneCountInString(*f.Description); n < 5 || n > 10000 {
			errs.add(Errorf(CodeInvalidInput, path("description"), "la description doit compter de 5 à 10 000 caractères"))
		}
	}
	errs.add(closedList(f.Networks, ReseauxPorteurs, path("networks")))
	errs.add(placeFields{postalCode: f.PostalCode, inseeCode: f.InseeCode, phone: f.Phone, email: f.Email,
		openingHours: f.OpeningHours, latitude: f.Latitude, longitude: f.Longitude,
		links: map[string]*string{"website": f.Website, "sourceLink": f.SourceLink, "accessibilityLink": f.AccessibilityLink}}.validate(path))
	return errs.err()
}

// ThemeCategory returns the category of a data·inclusion thematique (the part before "--").
func ThemeCategory(theme string) string {
	c, _, _ := strings.Cut(theme, "--")
	return c
}

// ValidThemeCategory reports whether c is the category of at least one thematique.
func ValidThemeCategory(c string) bool {
	for _, t := range Thematiques.Values {
		if ThemeCategory(t) == c {
			return true
		}
	}
	return false
}

// CefrLevels lists the CEFR levels in order; a level "is at most" another by index.
var CefrLevels = []CefrLevel{CefrLevelA1, CefrLevelA2, CefrLevelB1, CefrLevelB2, CefrLevelC1, CefrLevelC2}

// OfferOpenAt reports whether an offer requiring the French level required (nil: no
// level required) is open to a person whose level is l: the required level is at most l
// on the CEFR scale (CefrLevel.Rank). A person below A1 reaches only the offers that
// require no level. The offer search filters on the same rank (offers.niveau_francais_rang,
// 0 when no level is required).
func OfferOpenAt(required *CefrLevel, l CefrLevel) bool {
	return required == nil || required.Rank() <= l.Rank()
}

// DIIDPrefix is the data·inclusion source of records created in AGIR.
const DIIDPrefix = "agir"

// OwnDIID is the data·inclusion id of a record created in AGIR with database key key.
func OwnDIID(key string) string { return fmt.Sprintf("%s--%s", DIIDPrefix, key) }
