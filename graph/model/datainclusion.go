package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// DIStructure is a structure in data·inclusion v1 JSON (structure.json), plus the AGIR
// extension block (its place in the network), which v1 consumers ignore.
type DIStructure struct {
	Source            string          `json:"source"`
	ID                string          `json:"id"`
	Nom               string          `json:"nom"`
	DateMaj           string          `json:"date_maj"`
	Siret             *string         `json:"siret"`
	Description       *string         `json:"description"`
	Adresse           *string         `json:"adresse"`
	ComplementAdresse *string         `json:"complement_adresse"`
	Commune           *string         `json:"commune"`
	CodePostal        *string         `json:"code_postal"`
	CodeInsee         *string         `json:"code_insee"`
	Latitude          *float64        `json:"latitude"`
	Longitude         *float64        `json:"longitude"`
	Telephone         *string         `json:"telephone"`
	Courriel          *string         `json:"courriel"`
	SiteWeb           *string         `json:"site_web"`
	LienSource        *string         `json:"lien_source"`
	HorairesAccueil   *string         `json:"horaires_accueil"`
	AccessibiliteLieu *string         `json:"accessibilite_lieu"`
	ReseauxPorteurs   []string        `json:"reseaux_porteurs"`
	Extension         *DIStructureExt `json:"extension_agir,omitempty"`
}

// DIStructureExt is the AGIR extension of a structure.
type DIStructureExt struct {
	RoleAgir     string   `json:"role_agir"`
	Departements []string `json:"departements"`
	Secteurs     []string `json:"secteurs"`
}

// DIService is a service in data·inclusion v1 JSON (service.json), plus the AGIR
// extension block for refugees.
type DIService struct {
	Source                    string        `json:"source"`
	StructureID               string        `json:"structure_id"`
	ID                        string        `json:"id"`
	Nom                       string        `json:"nom"`
	Description               string        `json:"description"`
	DateMaj                   string        `json:"date_maj"`
	Type                      *string       `json:"type"`
	Thematiques               []string      `json:"thematiques"`
	Publics                   []string      `json:"publics"`
	PublicsPrecisions         *string       `json:"publics_precisions"`
	ConditionsAcces           *string       `json:"conditions_acces"`
	Frais                     *string       `json:"frais"`
	FraisPrecisions           *string       `json:"frais_precisions"`
	ModesAccueil              []string      `json:"modes_accueil"`
	ModesMobilisation         []string      `json:"modes_mobilisation"`
	MobilisablePar            []string      `json:"mobilisable_par"`
	MobilisationPrecisions    *string       `json:"mobilisation_precisions"`
	LienMobilisation          *string       `json:"lien_mobilisation"`
	LienSource                *string       `json:"lien_source"`
	Telephone                 *string       `json:"telephone"`
	Courriel                  *string       `json:"courriel"`
	ContactNomPrenom          *string       `json:"contact_nom_prenom"`
	Adresse                   *string       `json:"adresse"`
	ComplementAdresse         *string       `json:"complement_adresse"`
	Commune                   *string       `json:"commune"`
	CodePostal                *string       `json:"code_postal"`
	CodeInsee                 *string       `json:"code_insee"`
	Latitude                  *float64      `json:"latitude"`
	Longitude                 *float64      `json:"longitude"`
	HorairesAccueil           *string       `json:"horaires_accueil"`
	ZoneEligibilite           []string      `json:"zone_eligibilite"`
	NombreSemaines            *int          `json:"nombre_semaines"`
	VolumeHoraireHebdomadaire *float64      `json:"volume_horaire_hebdomadaire"`
	Extension                 *DIServiceExt `json:"extension_agir,omitempty"`
}

// DIServiceExt is the AGIR extension of a service: what refugees need and v1 lacks.
type DIServiceExt struct {
	Langues                []string       `json:"langues"`
	StatutsProtection      []string       `json:"statuts_protection"`
	NiveauFrancaisRequis   *string        `json:"niveau_francais_requis"`
	PiecesRequises         []string       `json:"pieces_requises"`
	Capacite               *int           `json:"capacite"`
	Sessions               []OfferSession `json:"sessions"`
	FrequenceMiseAJourMois int            `json:"frequence_mise_a_jour_mois"`
}

// nilIfEmpty gives null for an empty list: v1 lists with minItems 1 are null when empty.
func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// DI returns s in data·inclusion v1 form.
func (s Structure) DI() DIStructure {
	sectors := make([]string, len(s.Sectors))
	for i, x := range s.Sectors {
		sectors[i] = string(x)
	}
	return DIStructure{Source: s.Source, ID: s.DIID, Nom: s.Name, DateMaj: s.UpdatedOn.String(), Siret: s.Siret,
		Description: s.Description, Adresse: s.Address, ComplementAdresse: s.AddressComplement, Commune: s.City,
		CodePostal: s.PostalCode, CodeInsee: s.InseeCode, Latitude: s.Latitude, Longitude: s.Longitude, Telephone: s.Phone,
		Courriel: s.Email, SiteWeb: s.Website, LienSource: s.SourceLink, HorairesAccueil: s.OpeningHours,
		AccessibiliteLieu: s.AccessibilityLink, ReseauxPorteurs: nilIfEmpty(s.Networks),
		Extension: &DIStructureExt{RoleAgir: string(s.AgirRole), Departements: NonNilStrings(s.Departments), Secteurs: sectors}}
}

// DI returns o in data·inclusion v1 form; structureDIID is its structure's data·inclusion id.
func (o Offer) DI(structureDIID string) DIService {
	statuses := make([]string, len(o.ProtectionStatuses))
	for i, x := range o.ProtectionStatuses {
		statuses[i] = string(x)
	}
	var level *string
	if o.FrenchLevelRequired != nil {
		l := string(*o.FrenchLevelRequired)
		level = &l
	}
	sessions := o.Sessions
	if sessions == nil {
		sessions = []OfferSession{}
	}
	return DIService{Source: o.Source, StructureID: structureDIID, ID: o.DIID, Nom: o.Name, Description: o.Description,
		DateMaj: o.UpdatedOn.String(), Type: o.ServiceType, Thematiques: nilIfEmpty(o.Themes), Publics: nilIfEmpty(o.Publics),
		PublicsPrecisions: o.PublicsDetails, ConditionsAcces: o.AccessConditions, Frais: o.Cost, FraisPrecisions: o.CostDetails,
		ModesAccueil: nilIfEmpty(o.ReceptionModes), ModesMobilisation: nilIfEmpty(o.MobilisationModes),
		MobilisablePar: nilIfEmpty(o.MobilisableBy), MobilisationPrecisions: o.MobilisationDetails,
		LienMobilisation: o.MobilisationLink, LienSource: o.SourceLink, Telephone: o.Phone, Courriel: o.Email,
		ContactNomPrenom: o.ContactName, Adresse: o.Address, ComplementAdresse: o.AddressComplement, Commune: o.City,
		CodePostal: o.PostalCode, CodeInsee: o.InseeCode, Latitude: o.Latitude, Longitude: o.Longitude,
		HorairesAccueil: o.OpeningHours, ZoneEligibilite: nilIfEmpty(o.EligibilityZone), NombreSemaines: o.DurationWeeks,
		VolumeHoraireHebdomadaire: o.WeeklyHours,
		Extension: &DIServiceExt{Langues: NonNilStrings(o.SpokenLanguages), StatutsProtection: statuses,
			NiveauFrancaisRequis: level, PiecesRequises: NonNilStrings(o.DocumentsRequired), Capacite: o.Capacity,
			Sessions: sessions, FrequenceMiseAJourMois: o.UpdateFrequencyMonths}}
}

// DIFile is an import file: data·inclusion v1 structures and services, each row kept raw
// so that one bad row is reported alone.
type DIFile struct {
	Structures []json.RawMessage `json:"structures"`
	Services   []json.RawMessage `json:"services"`
}

// Fields of data·inclusion v0 that v1 dropped: their presence means the file is not v1.
var diV0Fields = []string{"typologie", "labels_nationaux", "antenne", "rna", "profils", "types", "zone_diffusion_type",
	"zone_diffusion_code", "modes_orientation_beneficiaire", "modes_orientation_accompagnateur", "pre_requis", "justificatifs"}

// ParseDIFile reads an import file. It fails with INVALID_FORMAT when data is not a JSON
// object with "structures" and/or "services" lists of objects, or looks like v0.
func ParseDIFile(data []byte) (DIFile, error) {
	var f DIFile
	var top map[string]json.RawMessage
	bad := func(format string, args ...any) (DIFile, error) {
		return f, Errorf(CodeInvalidFormat, Path("input", "data"), format, args...)
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return bad("le fichier n'est pas un objet JSON valide : %s", jsonProblem(err))
	}
	if v, ok := top["schema_version"]; ok {
		var sv string
		if json.Unmarshal(v, &sv) != nil || !(strings.HasPrefix(sv, "1") || strings.HasPrefix(sv, "v1")) {
			return bad("version du schéma data·inclusion non prise en charge : %s (v1 attendue)", v)
		}
	}
	if top["structures"] == nil && top["services"] == nil {
		return bad("le fichier doit contenir une liste « structures » et/ou une liste « services » (data·inclusion v1)")
	}
	for name, dst := range map[string]*[]json.RawMessage{"structures": &f.Structures, "services": &f.Services} {
		raw, ok := top[name]
		if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return bad("« %s » doit être une liste d'objets", name)
		}
		for _, row := range *dst {
			var fields map[string]json.RawMessage
			if json.Unmarshal(row, &fields) != nil {
				return bad("« %s » doit être une liste d'objets", name)
			}
			for _, v0 := range diV0Fields {
				if _, ok := fields[v0]; ok {
					return bad("le champ « %s » appartient au schéma data·inclusion v0 : un fichier v1 est attendu", v0)
				}
			}
		}
	}
	return f, nil
}

func rowError(kind string, index int, field string, err error) *Error {
	path := Path(kind, strconv.Itoa(index))
	if field != "" {
		path = append(path, field)
	}
	if e := AsUserError(err); e != nil {
		c := *e
		if len(c.Field) > 0 {
			path = append(Path(kind, strconv.Itoa(index)), c.Field[len(c.Field)-1])
		}
		c.Field = path
		return &c
	}
	return Errorf(CodeInvalidInput, path, "%v", err)
}

// DIImportStructure is a structure row of an import, checked.
type DIImportStructure struct {
	Source, ID string
	UpdatedOn  Date
	Fields     StructureFields
}

// ParseDIStructure decodes and checks row index of an import's structures.
func ParseDIStructure(raw json.RawMessage, index int) (DIImportStructure, error) {
	var d DIStructure
	var out DIImportStructure
	if err := json.Unmarshal(raw, &d); err != nil {
		return out, rowError("structures", index, "", rowDecodeError(err))
	}
	out.Source, out.ID = strings.TrimSpace(d.Source), strings.TrimSpace(d.ID)
	var errs fieldErrors // every broken field of the row
	if err := checkDIKey(out.Source, out.ID); err != nil {
		errs.add(rowError("structures", index, "id", err))
	}
	if day, err := ParseDate(d.DateMaj); err != nil {
		errs.add(rowError("structures", index, "date_maj", err))
	} else {
		out.UpdatedOn = day
	}
	f := StructureFields{Name: d.Nom, AgirRole: StructureRoleLocalPartner, Siret: d.Siret, Description: d.Description,
		Address: d.Adresse, AddressComplement: d.ComplementAdresse, City: d.Commune, PostalCode: d.CodePostal,
		InseeCode: d.CodeInsee, Latitude: d.Latitude, Longitude: d.Longitude, Phone: d.Telephone, Email: d.Courriel,
		Website: d.SiteWeb, SourceLink: d.LienSource, OpeningHours: d.HorairesAccueil, AccessibilityLink: d.AccessibiliteLieu,
		Networks: d.ReseauxPorteurs}
	if d.Extension != nil {
		f.AgirRole = StructureRole(d.Extension.RoleAgir)
		f.Departments = d.Extension.Departements
		for _, s := range d.Extension.Secteurs {
			if !Sector(s).IsValid() {
				errs.add(rowError("structures", index, "secteurs", Errorf(CodeUnknownValue, nil, "secteur « %s » inconnu", s)))
				continue
			}
			f.Sectors = append(f.Sectors, Sector(s))
		}
	}
	if len(f.Departments) == 0 {
		if dep := DepartmentOf(f.InseeCode, f.PostalCode); dep != "" {
			f.Departments = []string{dep}
		}
	}
	f.Normalize()
	for _, e := range UserErrors(f.Validate()) {
		errs.add(rowError("structures", index, "", e))
	}
	out.Fields = f
	return out, errs.err()
}

// DIImportService is a service row of an import, checked.
type DIImportService struct {
	Source, ID, StructureID string
	UpdatedOn               Date
	Fields                  OfferFields
	Frequency               int
}

// ParseDIService decodes and checks row index of an import's services.
func ParseDIService(raw json.RawMessage, index int) (DIImportService, error) {
	var d DIService
	var out DIImportService
	if err := json.Unmarshal(raw, &d); err != nil {
		return out, rowError("services", index, "", rowDecodeError(err))
	}
	out.Source, out.ID, out.StructureID = strings.TrimSpace(d.Source), strings.TrimSpace(d.ID), strings.TrimSpace(d.StructureID)
	var errs fieldErrors // every broken field of the row
	if err := checkDIKey(out.Source, out.ID); err != nil {
		errs.add(rowError("services", index, "id", err))
	}
	if out.StructureID == "" {
		errs.add(rowError("services", index, "structure_id", Errorf(CodeInvalidInput, nil, "« structure_id » est requis")))
	}
	if day, err := ParseDate(d.DateMaj); err != nil {
		errs.add(rowError("services", index, "date_maj", err))
	} else {
		out.UpdatedOn = day
	}
	f := OfferFields{Name: d.Nom, Description: d.Description, ServiceType: d.Type, Themes: d.Thematiques, Publics: d.Publics,
		PublicsDetails: d.PublicsPrecisions, AccessConditions: d.ConditionsAcces, Cost: d.Frais, CostDetails: d.FraisPrecisions,
		ReceptionModes: d.ModesAccueil, MobilisationModes: d.ModesMobilisation, MobilisableBy: d.MobilisablePar,
		MobilisationDetails: d.MobilisationPrecisions, MobilisationLink: d.LienMobilisation, SourceLink: d.LienSource,
		Phone: d.Telephone, Email: d.Courriel, ContactName: d.ContactNomPrenom, Address: d.Adresse,
		AddressComplement: d.ComplementAdresse, City: d.Commune, PostalCode: d.CodePostal, InseeCode: d.CodeInsee,
		Latitude: d.Latitude, Longitude: d.Longitude, OpeningHours: d.HorairesAccueil, EligibilityZone: d.ZoneEligibilite,
		DurationWeeks: d.NombreSemaines, WeeklyHours: d.VolumeHoraireHebdomadaire}
	out.Frequency = DefaultUpdateFrequencyMonths
	if x := d.Extension; x != nil {
		f.SpokenLanguages, f.DocumentsRequired, f.Capacity, f.Sessions = x.Langues, x.PiecesRequises, x.Capacite, x.Sessions
		for _, s := range x.StatutsProtection {
			if !ProtectionStatus(s).IsValid() {
				errs.add(rowError("services", index, "statuts_protection", Errorf(CodeUnknownValue, nil, "statut de protection « %s » inconnu", s)))
				continue
			}
			f.ProtectionStatuses = append(f.ProtectionStatuses, ProtectionStatus(s))
		}
		if x.NiveauFrancaisRequis != nil {
			l := CefrLevel(*x.NiveauFrancaisRequis)
			if l.IsValid() {
				f.FrenchLevelRequired = &l
			} else {
				errs.add(rowError("services", index, "niveau_francais_requis", Errorf(CodeUnknownValue, nil, "niveau « %s » inconnu (A1 à C2)", l)))
			}
		}
		if x.FrequenceMiseAJourMois != 0 {
			out.Frequency = x.FrequenceMiseAJourMois
		}
	}
	f.Normalize()
	for _, e := range UserErrors(f.Validate()) {
		errs.add(rowError("services", index, diFieldName(e), e))
	}
	if err := ValidateFrequency(out.Frequency, nil); err != nil {
		errs.add(rowError("services", index, "frequence_mise_a_jour_mois", err))
	}
	out.Fields = f
	return out, errs.err()
}

// diFieldName maps the API field of a validation error to its data·inclusion name.
func diFieldName(err error) string {
	e := AsUserError(err)
	if e == nil || len(e.Field) == 0 {
		return ""
	}
	names := map[string]string{"name": "nom", "serviceType": "type", "themes": "thematiques", "publics": "publics",
		"cost": "frais", "receptionModes": "modes_accueil", "mobilisationModes": "modes_mobilisation",
		"mobilisableBy": "mobilisable_par", "eligibilityZone": "zone_eligibilite", "postalCode": "code_postal",
		"inseeCode": "code_insee", "latitude": "latitude", "phone": "telephone", "email": "courriel",
		"openingHours": "horaires_accueil", "mobilisationLink": "lien_mobilisation", "sourceLink": "lien_source",
		"durationWeeks": "nombre_semaines", "weeklyHours": "volume_horaire_hebdomadaire", "description": "description",
		"spokenLanguages": "langues", "capacity": "capacite", "sessions": "sessions"}
	if n, ok := names[e.Field[len(e.Field)-1]]; ok {
		e.Field = Path(n)
		return n
	}
	return ""
}

var diSourcePattern = func(s string) bool {
	if s == "" || len(s) > 50 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func checkDIKey(source, id string) error {
	if !diSourcePattern(source) {
		return Errorf(CodeInvalidInput, nil, "« source » requise : lettres minuscules, chiffres et tirets")
	}
	if id == "" || len(id) > 300 {
		return Errorf(CodeInvalidInput, nil, "« id » requis (300 caractères au plus)")
	}
	return nil
}

// SameDIService reports whether two services carry the same content (import: unchanged).
func SameDIService(a, b DIService) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// SameDIStructure reports whether two structures carry the same content (the order of
// the departments aside).
func SameDIStructure(a, b DIStructure) bool {
	for _, s := range []*DIStructure{&a, &b} {
		if s.Extension != nil {
			ext := *s.Extension
			ext.Departements = slices.Sorted(slices.Values(ext.Departements))
			s.Extension = &ext
		}
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// rowDecodeError turns the error of decoding an import row into a user error in French
// naming the field, never the Go types the row is decoded into.
func rowDecodeError(err error) *Error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		field := typeErr.Field[strings.LastIndex(typeErr.Field, ".")+1:]
		return Errorf(CodeInvalidInput, Path(field), "« %s » doit être %s, pas %s", field, jsonKindFR(typeErr.Type), jsonValueFR(typeErr.Value))
	}
	if e := AsUserError(err); e != nil {
		return e
	}
	return Errorf(CodeInvalidInput, nil, "ligne illisible : %s", jsonProblem(err))
}

// jsonProblem describes a JSON decoding error in French.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("JSON mal formé à l'octet %d", syntax.Offset)
	case errors.As(err, &typeErr):
		return fmt.Sprintf("une valeur doit être %s, pas %s", jsonKindFR(typeErr.Type), jsonValueFR(typeErr.Value))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "JSON incomplet"
	}
	return "JSON invalide"
}

// jsonKindFR names in French the JSON value a Go type expects.
func jsonKindFR(t reflect.Type) string {
	if t == nil {
		return "une autre valeur"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "un texte"
	case reflect.Bool:
		return "un booléen (true ou false)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "un nombre entier"
	case reflect.Float32, reflect.Float64:
		return "un nombre"
	case reflect.Slice, reflect.Array:
		return "une liste"
	case reflect.Struct, reflect.Map:
		return "un objet"
	}
	return "une autre valeur"
}

// jsonValueFR names in French the kind of JSON value encoding/json reports ("string",
// "number", "number 1.5", "bool", "array", "object").
func jsonValueFR(v string) string {
	switch kind, _, _ := strings.Cut(v, " "); kind {
	case "string":
		return "un texte"
	case "number":
		return "un nombre"
	case "bool":
		return "un booléen"
	case "array":
		return "une liste"
	case "object":
		return "un objet"
	}
	return "cette valeur"
}
