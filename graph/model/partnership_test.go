package model

import (
	"strings"
	"testing"
	"time"
)

func refOf[T any](v T) *T { return &v }

// Rule (DESIGN §5): each offer has an update frequency (6 months by default) and
// verifiedAt; stale offers are flagged.
func TestOfferFreshness(t *testing.T) {
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, Paris) }
	created := at(2026, 1, 10)
	for _, tc := range []struct {
		name     string
		verified *time.Time
		source   *Date
		months   int
		today    Date
		due      Date
		want     Freshness
	}{
		{"never verified, counts from creation", nil, nil, 6, NewDate(2026, 3, 1), NewDate(2026, 7, 10), FreshnessFresh},
		{"due within 30 days", nil, nil, 6, NewDate(2026, 6, 15), NewDate(2026, 7, 10), FreshnessDueSoon},
		{"due today is not yet stale", nil, nil, 6, NewDate(2026, 7, 10), NewDate(2026, 7, 10), FreshnessDueSoon},
		{"stale the day after", nil, nil, 6, NewDate(2026, 7, 11), NewDate(2026, 7, 10), FreshnessStale},
		{"verification restarts the clock", refOf(at(2026, 7, 1)), nil, 6, NewDate(2026, 7, 11), NewDate(2027, 1, 1), FreshnessFresh},
		{"monthly frequency", refOf(at(2026, 7, 1)), nil, 1, NewDate(2026, 8, 2), NewDate(2026, 8, 1), FreshnessStale},
		{"end of month clamps like PostgreSQL", refOf(at(2026, 8, 31)), nil, 6, NewDate(2027, 2, 28), NewDate(2027, 2, 28), FreshnessDueSoon},
		{"imported: counts from the source's date_maj, not the import", nil, dateRef(NewDate(2025, 2, 14)), 6, NewDate(2026, 3, 1), NewDate(2025, 8, 14), FreshnessStale},
		{"imported then verified in AGIR: the verification", refOf(at(2026, 7, 1)), dateRef(NewDate(2025, 2, 14)), 6, NewDate(2026, 7, 11), NewDate(2027, 1, 1), FreshnessFresh},
		{"imported, the source updated after a verification", refOf(at(2026, 7, 1)), dateRef(NewDate(2026, 9, 1)), 6, NewDate(2027, 1, 11), NewDate(2027, 3, 1), FreshnessFresh},
		{"late evening in Paris is that day", refOf(time.Date(2026, 1, 31, 23, 30, 0, 0, time.UTC)), nil, 1, NewDate(2026, 3, 1), NewDate(2026, 3, 1), FreshnessDueSoon},
	} {
		t.Run(tc.name, func(t *testing.T) {
			due := VerificationDueOn(tc.verified, created, tc.source, tc.months)
			if due != tc.due {
				t.Fatalf("due = %s, want %s", due, tc.due)
			}
			if got := OfferFreshness(due, tc.today); got != tc.want {
				t.Fatalf("freshness = %s, want %s", got, tc.want)
			}
		})
	}
}

// completeOffer meets the ten quality criteria.
func completeOffer() OfferFields {
	return OfferFields{
		Name: "Cours de français langue étrangère", Description: strings.Repeat("Cours de français pour adultes. ", 8),
		ServiceType: refOf("formation"), Themes: []string{"lecture-ecriture-calcul--maitriser-le-francais"},
		Publics: []string{"personnes-exilees"}, Cost: refOf("gratuit"), ReceptionModes: []string{"en-presentiel"},
		Address: refOf("12 rue Victor Hugo"), PostalCode: refOf("69002"), City: refOf("Lyon"), Latitude: refOf(45.75), Longitude: refOf(4.83),
		OpeningHours: refOf("Mo-Fr 09:00-12:00"), MobilisationModes: []string{"telephoner"}, MobilisableBy: []string{"professionnels"},
		Phone: refOf("+33472000000"), EligibilityZone: []string{"69"},
	}
}

// Rule: the data·inclusion quality score is the share of its 10 criteria an offer meets.
func TestQualityScore(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*OfferFields)
		score  float64
		failed []string
	}{
		{"complete", func(*OfferFields) {}, 1, nil},
		{"short description", func(f *OfferFields) { f.Description = "Cours de français." }, 0.9, []string{"description"}},
		{"name ending with a period", func(f *OfferFields) { f.Name = "Cours de français." }, 0.9, []string{"nom"}},
		{"paid without details", func(f *OfferFields) { f.Cost = refOf("payant") }, 0.9, []string{"frais"}},
		{"in person without coordinates nor hours", func(f *OfferFields) { f.Latitude, f.Longitude, f.OpeningHours = nil, nil, nil }, 0.8, []string{"lieu", "horaires"}},
		{"remote only needs no address", func(f *OfferFields) {
			f.ReceptionModes, f.Address, f.Latitude, f.Longitude, f.OpeningHours = []string{"a-distance"}, nil, nil, nil, nil
		}, 1, nil},
		{"phone mode without phone", func(f *OfferFields) { f.Phone = nil }, 0.9, []string{"mobilisation"}},
		{"empty", func(f *OfferFields) { *f = OfferFields{Name: "Ab", Description: "court"} }, 0, []string{"nom", "description", "type",
			"thematiques", "publics", "frais", "lieu", "horaires", "mobilisation", "zone_eligibilite"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := completeOffer()
			tc.change(&f)
			criteria := f.QualityCriteria()
			if len(criteria) != 10 {
				t.Fatalf("%d criteria", len(criteria))
			}
			var failed []string
			for _, c := range criteria {
				if !c.Met {
					failed = append(failed, c.Name)
				}
			}
			if got := QualityScore(criteria); got != tc.score || strings.Join(failed, ",") != strings.Join(tc.failed, ",") {
				t.Fatalf("score %v failed %v, want %v %v", got, failed, tc.score, tc.failed)
			}
		})
	}
}

func TestValidateOfferFields(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*OfferFields)
		code   ErrorCode
		field  string
	}{
		{"OK", func(*OfferFields) {}, "", ""},
		{"ErrUnknownThematique", func(f *OfferFields) { f.Themes = []string{"cuisine--faire-des-crepes"} }, CodeUnknownValue, "themes"},
		{"ErrUnknownPublic", func(f *OfferFields) { f.Publics = []string{"refugies"} }, CodeUnknownValue, "publics"},
		{"ErrTousPublicsMixed", func(f *OfferFields) { f.Publics = []string{"tous-publics", "femmes"} }, CodeInvalidInput, "publics"},
		{"TousPublicsAlone", func(f *OfferFields) { f.Publics = []string{"tous-publics"} }, "", ""},
		{"ErrDuplicate", func(f *OfferFields) { f.ReceptionModes = []string{"en-presentiel", "en-presentiel"} }, CodeInvalidInput, "receptionModes"},
		{"ErrUnknownType", func(f *OfferFields) { f.ServiceType = refOf("accueil") }, CodeUnknownValue, "serviceType"},
		{"ErrUnknownCost", func(f *OfferFields) { f.Cost = refOf("gratuit-sous-conditions") }, CodeUnknownValue, "cost"},
		{"ErrCoordinatesInLondon", func(f *OfferFields) { f.Latitude, f.Longitude = refOf(51.5074), refOf(-0.1278) }, CodeOutOfRange, "latitude"},
		{"CoordinatesInLaReunion", func(f *OfferFields) { f.Latitude, f.Longitude = refOf(-20.88), refOf(55.45) }, "", ""},
		{"ErrLatitudeAlone", func(f *OfferFields) { f.Longitude = nil }, CodeInvalidInput, "latitude"},
		{"ErrOpeningHours", func(f *OfferFields) { f.OpeningHours = refOf("lundi au vendredi 9h-12h") }, CodeInvalidOpeningHours, "openingHours"},
		{"ErrPostalCode", func(f *OfferFields) { f.PostalCode = refOf("6900") }, CodeInvalidInput, "postalCode"},
		{"ErrZone", func(f *OfferFields) { f.EligibilityZone = []string{"Rhône"} }, CodeInvalidInput, "eligibilityZone"},
		{"ErrLanguage", func(f *OfferFields) { f.SpokenLanguages = []string{"Français"} }, CodeInvalidInput, "spokenLanguages"},
		{"ErrLink", func(f *OfferFields) { f.MobilisationLink = refOf("javascript:alert(1)") }, CodeInvalidInput, "mobilisationLink"},
		{"ErrShortName", func(f *OfferFields) { f.Name = "FL" }, CodeInvalidInput, "name"},
		{"ErrSessionEndsBeforeStart", func(f *OfferFields) {
			f.Sessions = []OfferSession{{StartsOn: NewDate(2026, 3, 1), EndsOn: refOf(NewDate(2026, 2, 1))}}
		}, CodeInvalidInput, "sessions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := completeOffer()
			tc.change(&f)
			f.Normalize()
			err := f.Validate("input", "fields")
			if tc.code == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			e := AsUserError(err)
			if e == nil || e.Code != tc.code || e.Field[len(e.Field)-1] != tc.field || e.Field[0] != "input" {
				t.Fatalf("got %v, want %s on %s", err, tc.code, tc.field)
			}
		})
	}
}

func TestValidateStructureFields(t *testing.T) {
	ok := StructureFields{Name: "Centre social Le Tournesol", AgirRole: StructureRoleLocalPartner, Departments: []string{"69"}}
	for _, tc := range []struct {
		name   string
		change func(*StructureFields)
		code   ErrorCode
	}{
		{"OK", func(*StructureFields) {}, ""},
		{"ErrSIRETChecksum", func(f *StructureFields) { f.Siret = refOf("13003013300017") }, CodeInvalidSIRET},
		{"SIRETWithSpaces", func(f *StructureFields) { f.Siret = refOf("130 030 133 00016") }, ""},
		{"ErrNetwork", func(f *StructureFields) { f.Networks = []string{"pole-emploi"} }, CodeUnknownValue},
		{"ErrDepartment", func(f *StructureFields) { f.Departments = []string{"99"} }, CodeInvalidInput},
		{"ErrHours", func(f *StructureFields) { f.OpeningHours = refOf("Mo-Fr 9-12") }, CodeInvalidOpeningHours},
		{"ErrOutsideFrance", func(f *StructureFields) { f.Latitude, f.Longitude = refOf(40.4), refOf(-3.7) }, CodeOutOfRange},
		{"ErrNameEndsWithPeriod", func(f *StructureFields) { f.Name = "Centre social." }, CodeInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ok
			tc.change(&f)
			f.Normalize()
			err := f.Validate("input", "fields")
			if ErrorCodeOf(err) != tc.code && !(tc.code == "" && err == nil) {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
}

func TestDepartmentOf(t *testing.T) {
	for _, tc := range []struct{ insee, postal, want string }{
		{"69383", "69003", "69"}, {"", "38000", "38"}, {"2A004", "20000", "2A"}, {"", "20000", "2A"}, {"", "20200", "2B"},
		{"97411", "97400", "974"}, {"", "97200", "972"}, {"", "", ""}, {"", "abcde", ""},
	} {
		var insee, postal *string
		if tc.insee != "" {
			insee = &tc.insee
		}
		if tc.postal != "" {
			postal = &tc.postal
		}
		if got := DepartmentOf(insee, postal); got != tc.want {
			t.Errorf("DepartmentOf(%q, %q) = %q, want %q", tc.insee, tc.postal, got, tc.want)
		}
	}
}

func TestParseDIFile(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		ok         bool
	}{
		{"OK", `{"structures": [], "services": [{"source": "x"}]}`, true},
		{"OnlyServices", `{"services": []}`, true},
		{"ErrNotJSON", `source;id;nom`, false},
		{"ErrArray", `[{"id": "x"}]`, false},
		{"ErrNoLists", `{"data": []}`, false},
		{"ErrV0", `{"services": [{"id": "a", "profils": ["femmes"]}]}`, false},
		{"ErrVersion", `{"schema_version": "0.21", "services": []}`, false},
		{"ErrRowNotObject", `{"services": [1, 2]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDIFile([]byte(tc.data))
			if tc.ok != (err == nil) || !tc.ok && ErrorCodeOf(err) != CodeInvalidFormat {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// The offer search by French level (issue 17, defect 4): BELOW_A1 reaches only the
// offers that require no level.
func TestOfferOpenAt(t *testing.T) {
	lv := func(l CefrLevel) *CefrLevel { return &l }
	for _, tc := range []struct {
		name     string
		required *CefrLevel
		level    CefrLevel
		open     bool
	}{
		{"NoneRequired_BelowA1", nil, CefrLevelBelowA1, true},
		{"A1Required_BelowA1", lv(CefrLevelA1), CefrLevelBelowA1, false},
		{"A2Required_BelowA1", lv(CefrLevelA2), CefrLevelBelowA1, false},
		{"A1Required_A1", lv(CefrLevelA1), CefrLevelA1, true},
		{"A2Required_A1", lv(CefrLevelA2), CefrLevelA1, false},
		{"B1Required_B2", lv(CefrLevelB1), CefrLevelB2, true},
		{"C2Required_C1", lv(CefrLevelC2), CefrLevelC1, false},
		{"C2Required_C2", lv(CefrLevelC2), CefrLevelC2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OfferOpenAt(tc.required, tc.level); got != tc.open {
				t.Fatalf("OfferOpenAt = %v, want %v", got, tc.open)
			}
		})
	}
}

func dateRef(d Date) *Date { return &d }
