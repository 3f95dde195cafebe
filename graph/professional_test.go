package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// The professional module's API tests. Beneficiaries are inserted with SQL
// (insertBeneficiary), directly in the phase the test needs.

// structureKeyNamed returns the key of the demo structure whose name starts with prefix.
func structureKeyNamed(t *testing.T, env *graphtest.Env, prefix string) string {
	t.Helper()
	var key string
	if err := env.Store.DB().Get(&key, `SELECT id FROM structures WHERE name LIKE $1 || '%' ORDER BY name LIMIT 1`, prefix); err != nil {
		t.Fatalf("structure %s: %v", prefix, err)
	}
	return key
}

// insertBeneficiary inserts a beneficiary of the demo operators (ARSL, ASFEL) in
// department, referred daysAgo days ago, and returns its key.
func insertBeneficiary(t *testing.T, env *graphtest.Env, first, last, department string, daysAgo int) string {
	t.Helper()
	today := model.DateOf(env.Store.Now())
	referred := today.AddDate(0, 0, -daysAgo)
	var key string
	err := env.Store.DB().Get(&key, `
		INSERT INTO beneficiaries (created_at, updated_at, first_name, last_name, birth_date, sex, nationality, languages,
		       phone, department, protection_type, protection_granted_on, cir_signed_on, social_operator_id,
		       employment_operator_id, referred_on, ofii_reference, admission, phase)
		VALUES (now(), now(), $1, $2, '1990-05-17', 'FEMALE', 'afghane', '{dari,pachto}', '06 12 34 56 78', $3, 'REFUGEE',
		        $4, $4, $5, $6, $4, $7, 'ELIGIBLE', 'CONTRACTED')
		RETURNING id`, first, last, department, referred,
		structureKeyNamed(t, env, "ARSL"), structureKeyNamed(t, env, "ASFEL"), fmt.Sprintf("OFII-%s-%s-%s", department, last, first))
	if err != nil {
		t.Fatalf("insert beneficiary: %v", err)
	}
	giveSharingConsent(t, env, key) // an orientation to a partner requires it (data protection)
	return key
}

func dayFromToday(env *graphtest.Env, n int) string {
	return model.DateOf(env.Store.Now()).AddDate(0, 0, n).String()
}

// userErrs is the userErrors list of a payload.
type userErrs []struct {
	Code    string
	Field   []string
	Message string
}

func (u userErrs) code() string {
	if len(u) == 0 {
		return ""
	}
	return u[0].Code
}

// count returns the number of rows of table (to check that a refused act changed nothing).
func tableCount(t *testing.T, env *graphtest.Env, table string) int {
	t.Helper()
	var n int
	if err := env.Store.DB().Get(&n, `SELECT count(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

const orientMutation = `mutation($in: OrientBeneficiaryInput!) { orientBeneficiary(input: $in) {
	orientation { id version status overdue answerDueOn structure { name } offerId offer { id name status }
	  person { firstName lastNameInitial languages frenchLevel } }
	userErrors { code field message } } }`

type orientationOut struct {
	ID          string
	Version     int
	Status      string
	Overdue     bool
	AnswerDueOn string
	Structure   struct{ Name string }
	OfferID     *string
	Offer       *struct{ ID, Name, Status string }
	Person      struct {
		FirstName, LastNameInitial string
		Languages                  []string
		FrenchLevel                *string
	}
}

func orient(t *testing.T, env *graphtest.Env, p *model.Principal, in map[string]any) (orientationOut, userErrs) {
	t.Helper()
	var d struct {
		OrientBeneficiary struct {
			Orientation *orientationOut
			UserErrors  userErrs
		}
	}
	env.MustDo(p, orientMutation, map[string]any{"in": in}, &d)
	if d.OrientBeneficiary.Orientation == nil {
		return orientationOut{}, d.OrientBeneficiary.UserErrors
	}
	return *d.OrientBeneficiary.Orientation, d.OrientBeneficiary.UserErrors
}

const respondMutation = `mutation($in: RespondToOrientationInput!) { respondToOrientation(input: $in) {
	orientation { id version status answeredOn refusalCategory refusalReason overdue } userErrors { code field message } } }`

const statusMutation = `mutation($in: UpdateOrientationStatusInput!) { updateOrientationStatus(input: $in) {
	orientation { id version status startedOn endedOn } userErrors { code field message } } }`

type orientationAct struct {
	Orientation *struct {
		ID, Status             string
		Version                int
		AnsweredOn, StartedOn  *string
		EndedOn, RefusalReason *string
		RefusalCategory        *string
		Overdue                bool
	}
	UserErrors userErrs
}

func respond(t *testing.T, env *graphtest.Env, p *model.Principal, in map[string]any) orientationAct {
	t.Helper()
	var d struct{ RespondToOrientation orientationAct }
	env.MustDo(p, respondMutation, map[string]any{"in": in}, &d)
	return d.RespondToOrientation
}

func setStatus(t *testing.T, env *graphtest.Env, p *model.Principal, in map[string]any) orientationAct {
	t.Helper()
	var d struct{ UpdateOrientationStatus orientationAct }
	env.MustDo(p, statusMutation, map[string]any{"in": in}, &d)
	return d.UpdateOrientationStatus
}

// TestProfessionalJourney_PreDiagnosticToCDI follows a beneficiary from the
// pre-diagnostic to a CDI, with her French progression from A1 to B1.
func TestProfessionalJourney_PreDiagnosticToCDI(t *testing.T) {
	env := demoEnv(t)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	key := insertBeneficiary(t, env, "Farida", "Karimi", "69", 300)
	bid := model.GlobalID("Beneficiary", key)

	t.Run("PreDiagnosticHistoryKeepsLatest", func(t *testing.T) {
		q := `mutation($in: RecordProfessionalDiagnosticInput!) { recordProfessionalDiagnostic(input: $in) {
			professionalDiagnostic { id assessedOn educationLevel barriers { kind severity } diplomas { title recognition } }
			beneficiary { professionalDiagnostic { assessedOn educationLevel targetJobs } professionalDiagnostics { assessedOn } }
			userErrors { code } } }`
		var d struct {
			RecordProfessionalDiagnostic struct {
				ProfessionalDiagnostic struct {
					AssessedOn, EducationLevel string
					Barriers                   []struct{ Kind, Severity string }
					Diplomas                   []struct{ Title, Recognition string }
				}
				Beneficiary struct {
					ProfessionalDiagnostic struct {
						AssessedOn, EducationLevel string
						TargetJobs                 []string
					}
					ProfessionalDiagnostics []struct{ AssessedOn string }
				}
				UserErrors userErrs
			}
		}
		env.MustDo(ic, q, map[string]any{"in": map[string]any{"beneficiaryId": bid, "assessedOn": dayFromToday(env, -290),
			"educationLevel": "UPPER_SECONDARY", "yearsOfSchooling": 12,
			"diplomas":    []any{map[string]any{"title": "Baccalauréat scientifique", "country": "Afghanistan", "year": 2008}},
			"experiences": []any{map[string]any{"job": "Aide-soignante", "sector": "Santé", "years": 4, "country": "Afghanistan"}},
			"skills":      []string{"soins d'hygiène", "accueil"}, "targetJobs": []string{"aide-soignante"},
			"barriers": []any{map[string]any{"kind": "FRENCH", "severity": "HIGH"}, map[string]any{"kind": "CHILDCARE", "severity": "MEDIUM"},
				map[string]any{"kind": "DIPLOMA_RECOGNITION", "severity": "MEDIUM", "note": "demande ENIC-NARIC à faire"}}}}, &d)
		got := d.RecordProfessionalDiagnostic
		if got.UserErrors.code() != "" || len(got.ProfessionalDiagnostic.Barriers) != 3 || got.ProfessionalDiagnostic.Diplomas[0].Recognition != "NOT_REQUESTED" {
			t.Fatalf("first diagnostic: %+v", got)
		}
		env.MustDo(ic, q, map[string]any{"in": map[string]any{"beneficiaryId": bid, "assessedOn": dayFromToday(env, -100),
			"educationLevel": "UPPER_SECONDARY", "targetJobs": []string{"aide-soignante", "agent de service hospitalier"},
			"diplomas": []any{map[string]any{"title": "Baccalauréat scientifique", "country": "Afghanistan", "recognition": "RECOGNISED"}},
			"barriers": []any{map[string]any{"kind": "FRENCH", "severity": "LOW"}}}}, &d)
		got = d.RecordProfessionalDiagnostic
		if got.Beneficiary.ProfessionalDiagnostic.AssessedOn != dayFromToday(env, -100) || len(got.Beneficiary.ProfessionalDiagnostic.TargetJobs) != 2 ||
			len(got.Beneficiary.ProfessionalDiagnostics) != 2 || got.Beneficiary.ProfessionalDiagnostics[1].AssessedOn != dayFromToday(env, -290) {
			t.Fatalf("latest not shown or history lost: %+v", got.Beneficiary)
		}
	})

	t.Run("FrenchProgression", func(t *testing.T) {
		q := `mutation($in: RecordFrenchLevelInput!) { recordFrenchLevel(input: $in) {
			frenchLevel { level source levelsGained } beneficiary { frenchLevel { level } frenchLevels { level assessedOn levelsGained trainingHoursPrescribed trainingHoursDone } }
			userErrors { code field } } }`
		type out struct {
			RecordFrenchLevel struct {
				FrenchLevel *struct {
					Level, Source string
					LevelsGained  *int
				}
				Beneficiary struct {
					FrenchLevel  struct{ Level string }
					FrenchLevels []struct {
						Level, AssessedOn                          string
						LevelsGained                               *int
						TrainingHoursPrescribed, TrainingHoursDone int
					}
				}
				UserErrors userErrs
			}
		}
		var d out
		// the payload's assessment answers its levels gained (issue 17, defect 6), also
		// for one recorded after a later-dated one
		for _, step := range []struct {
			level, source         string
			ago, prescribed, done int
			gained                *int
		}{{"a1", "OFII_CIR_TEST", 300, 200, 0, nil}, {"B1", "CERTIFICATION", 30, 100, 100, intp(2)}, {"A2", "TRAINING_BODY", 150, 0, 200, intp(1)}} {
			d = out{}
			env.MustDo(ic, q, map[string]any{"in": map[string]any{"beneficiaryId": bid, "level": step.level, "source": step.source,
				"assessedOn": dayFromToday(env, -step.ago), "trainingHoursPrescribed": step.prescribed, "trainingHoursDone": step.done}}, &d)
			if d.RecordFrenchLevel.UserErrors.code() != "" {
				t.Fatalf("%s: %+v", step.level, d.RecordFrenchLevel.UserErrors)
			}
			if got := d.RecordFrenchLevel.FrenchLevel.LevelsGained; (got == nil) != (step.gained == nil) || (got != nil && *got != *step.gained) {
				t.Fatalf("%s: levelsGained %v, want %v", step.level, got, step.gained)
			}
		}
		b := d.RecordFrenchLevel.Beneficiary
		if b.FrenchLevel.Level != "B1" || len(b.FrenchLevels) != 3 || b.FrenchLevels[0].Level != "A1" || b.FrenchLevels[0].LevelsGained != nil ||
			*b.FrenchLevels[1].LevelsGained != 1 || *b.FrenchLevels[2].LevelsGained != 1 || b.FrenchLevels[0].TrainingHoursPrescribed != 200 {
			t.Fatalf("progression: %+v", b)
		}
	})

	t.Run("SupportActionsAndCDI", func(t *testing.T) {
		q := `mutation($in: RecordSupportActionInput!) { recordSupportAction(input: $in) {
			supportAction { kind heldOn result author { name } authorStructure { name } } userErrors { code } } }`
		for _, kind := range []string{"CV_WRITING", "INTERVIEW_SIMULATION", "EMPLOYER_MEETING"} {
			var d struct {
				RecordSupportAction struct {
					SupportAction struct {
						Kind, HeldOn    string
						Result          *string
						Author          struct{ Name string }
						AuthorStructure struct{ Name string }
					}
					UserErrors userErrs
				}
			}
			env.MustDo(ic, q, map[string]any{"in": map[string]any{"beneficiaryId": bid, "kind": kind, "heldOn": dayFromToday(env, -20), "result": "CV prêt, deux candidatures envoyées"}}, &d)
			a := d.RecordSupportAction.SupportAction
			if a.Kind != kind || a.Author.Name != "Sophie Laurent" || a.AuthorStructure.Name == "" || a.Result == nil {
				t.Fatalf("support action: %+v", d.RecordSupportAction)
			}
		}
		var d struct {
			RecordOutcome struct {
				Outcome struct {
					Kind, ContractType                              string
					CountsAsEmploymentOrTraining, DurableEmployment bool
				}
				Beneficiary struct {
					InEmploymentOrTraining bool
					Outcomes               []struct{ ContractType string }
					SupportActions         []struct{ Kind string }
				}
				UserErrors userErrs
			}
		}
		env.MustDo(ic, `mutation($in: RecordOutcomeInput!) { recordOutcome(input: $in) {
			outcome { kind contractType countsAsEmploymentOrTraining durableEmployment }
			beneficiary { inEmploymentOrTraining outcomes { contractType } supportActions { kind } } userErrors { code } } }`,
			map[string]any{"in": map[string]any{"beneficiaryId": bid, "kind": "EMPLOYMENT", "contractType": "CDI", "weeklyHours": 35,
				"jobTitle": "Aide-soignante", "employerSector": "Santé", "startsOn": dayFromToday(env, -5)}}, &d)
		o := d.RecordOutcome
		if o.UserErrors.code() != "" || !o.Outcome.CountsAsEmploymentOrTraining || !o.Outcome.DurableEmployment ||
			!o.Beneficiary.InEmploymentOrTraining || len(o.Beneficiary.Outcomes) != 1 || len(o.Beneficiary.SupportActions) != 3 {
			t.Fatalf("CDI: %+v", o)
		}
	})

	t.Run("SocialWorkerReadsOnly", func(t *testing.T) {
		var d struct {
			Outcomes struct {
				TotalCount int
				Nodes      []struct{ ContractType string }
			}
		}
		env.MustDo(sw, `query($b: ID) { outcomes(first: 10, filter: {countsAsEmploymentOrTraining: true, beneficiaryId: $b}) { totalCount nodes { contractType } } }`,
			map[string]any{"b": bid}, &d)
		if d.Outcomes.TotalCount != 1 || d.Outcomes.Nodes[0].ContractType != "CDI" {
			t.Fatalf("social worker outcomes: %+v", d)
		}
		before := tableCount(t, env, "outcomes")
		r := env.Do(sw, `mutation($in: RecordOutcomeInput!) { recordOutcome(input: $in) { userErrors { code } } }`,
			map[string]any{"in": map[string]any{"beneficiaryId": bid, "kind": "FRANCE_TRAVAIL_REGISTRATION", "startsOn": dayFromToday(env, -1)}})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || tableCount(t, env, "outcomes") != before {
			t.Fatalf("social worker wrote: %+v", r.Errors)
		}
	})

	t.Run("Timeline", func(t *testing.T) {
		m, err := env.Store.ProfessionalTimelineByBeneficiaries(context.Background(), ic, []string{key})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[model.TimelineEventKind]int{}
		prev := model.Date{}
		for _, e := range m[key] {
			kinds[e.Kind]++
			if e.On.Before(prev) {
				t.Fatalf("timeline out of order: %+v", m[key])
			}
			prev = e.On
		}
		if kinds[model.TimelineEventKindProfessionalDiagnostic] != 2 || kinds[model.TimelineEventKindFrenchLevel] != 3 ||
			kinds[model.TimelineEventKindSupportAction] != 3 || kinds[model.TimelineEventKindOutcome] != 1 {
			t.Fatalf("timeline kinds %v: %+v", kinds, m[key])
		}
		last := m[key][len(m[key])-1]
		if last.Summary != "Emploi : CDI" {
			t.Fatalf("last event %+v", last)
		}
		// Out of the caller's scope, nothing.
		pe := demoPrincipal(t, env, model.RolePartnerEditor)
		if m, err := env.Store.ProfessionalTimelineByBeneficiaries(context.Background(), pe, []string{key}); err != nil || len(m) != 0 {
			t.Fatalf("partner timeline: %v %v", m, err)
		}
	})
}

// TestOrientation_RefusedThenAcceptedAndCompleted: a first orientation is refused by the
// partner with a reason, a second is accepted, started and completed.
func TestOrientation_RefusedThenAcceptedAndCompleted(t *testing.T) {
	env := demoEnv(t)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	partner := demoPrincipal(t, env, model.RolePartnerEditor) // Mission locale de Lyon
	mission := model.GlobalID("Structure", structureKeyNamed(t, env, "Mission locale"))
	key := insertBeneficiary(t, env, "Samir", "Haidari", "69", 120)
	bid := model.GlobalID("Beneficiary", key)

	first, ue := orient(t, env, ic, map[string]any{"beneficiaryId": bid, "kind": "JOB_SEARCH_SUPPORT", "structureId": mission,
		"purpose": "Accompagnement renforcé vers l'emploi, permis B", "orientedOn": dayFromToday(env, -10)})
	if ue.code() != "" || first.Status != "PENDING" || first.Overdue || first.AnswerDueOn != dayFromToday(env, 5) ||
		first.Person.FirstName != "Samir" || first.Person.LastNameInitial != "H." || len(first.Person.Languages) != 2 {
		t.Fatalf("first orientation: %+v %+v", first, ue)
	}
	t.Run("Refused", func(t *testing.T) {
		got := respond(t, env, partner, map[string]any{"orientationId": first.ID, "version": first.Version, "answer": "REFUSED",
			"refusalCategory": "PUBLIC_NOT_ELIGIBLE", "refusalReason": "Le jeune a plus de 26 ans : hors public de la mission locale"})
		if got.UserErrors.code() != "" || got.Orientation.Status != "REFUSED" || got.Orientation.RefusalReason == nil ||
			got.Orientation.RefusalCategory == nil || *got.Orientation.RefusalCategory != "PUBLIC_NOT_ELIGIBLE" || *got.Orientation.AnsweredOn != dayFromToday(env, 0) {
			t.Fatalf("refusal: %+v", got)
		}
		var stored struct {
			Category string  `db:"refusal_category"`
			Reason   *string `db:"refusal_reason"`
		}
		_, firstKey, _ := model.ParseGlobalID(first.ID)
		if err := env.Store.DB().Get(&stored, `SELECT refusal_category, refusal_reason FROM orientations WHERE id = $1`,
			firstKey); err != nil || stored.Category != "PUBLIC_NOT_ELIGIBLE" || stored.Reason == nil {
			t.Fatalf("stored refusal: %+v %v", stored, err)
		}
	})
	t.Run("ErrRefusedIsFinal", func(t *testing.T) {
		got := setStatus(t, env, ic, map[string]any{"orientationId": first.ID, "version": first.Version + 1, "status": "STARTED"})
		if got.UserErrors.code() != "OUT_OF_ORDER" || got.Orientation != nil {
			t.Fatalf("started a refused orientation: %+v", got)
		}
		got = respond(t, env, partner, map[string]any{"orientationId": first.ID, "version": first.Version + 1, "answer": "ACCEPTED"})
		if got.UserErrors.code() != "OUT_OF_ORDER" {
			t.Fatalf("answered twice: %+v", got)
		}
	})
	second, _ := orient(t, env, ic, map[string]any{"beneficiaryId": bid, "kind": "JOB_SEARCH_SUPPORT", "structureId": mission,
		"purpose": "Atelier recherche d'emploi, public adulte"})
	t.Run("ErrRefusalWithoutReason", func(t *testing.T) {
		got := respond(t, env, partner, map[string]any{"orientationId": second.ID, "version": second.Version, "answer": "REFUSED"})
		if got.UserErrors.code() != "INVALID_INPUT" || got.UserErrors[0].Field[1] != "refusalCategory" || !strings.Contains(got.UserErrors[0].Message, "motif du refus est requis") {
			t.Fatalf("refusal without reason: %+v", got)
		}
	})
	t.Run("ErrOtherWithoutText", func(t *testing.T) {
		got := respond(t, env, partner, map[string]any{"orientationId": second.ID, "version": second.Version, "answer": "REFUSED",
			"refusalCategory": "OTHER", "refusalReason": "  "})
		if got.UserErrors.code() != "INVALID_INPUT" || got.UserErrors[0].Field[1] != "refusalReason" {
			t.Fatalf("OTHER without text: %+v", got)
		}
	})
	t.Run("ErrReasonWithAcceptance", func(t *testing.T) {
		got := respond(t, env, partner, map[string]any{"orientationId": second.ID, "version": second.Version, "answer": "ACCEPTED",
			"refusalCategory": "NO_CAPACITY"})
		if got.UserErrors.code() != "INVALID_INPUT" || got.UserErrors[0].Field[1] != "refusalCategory" {
			t.Fatalf("acceptance with a refusal reason: %+v", got)
		}
	})
	t.Run("ErrStaleVersion", func(t *testing.T) {
		got := respond(t, env, partner, map[string]any{"orientationId": second.ID, "version": second.Version + 7, "answer": "ACCEPTED"})
		if got.UserErrors.code() != "VERSION_CONFLICT" {
			t.Fatalf("stale version: %+v", got)
		}
	})
	t.Run("AcceptedStartedCompleted", func(t *testing.T) {
		got := respond(t, env, partner, map[string]any{"orientationId": second.ID, "version": second.Version, "answer": "ACCEPTED"})
		if got.UserErrors.code() != "" || got.Orientation.Status != "ACCEPTED" {
			t.Fatalf("accept: %+v", got)
		}
		got = setStatus(t, env, ic, map[string]any{"orientationId": second.ID, "version": got.Orientation.Version, "status": "STARTED"})
		if got.UserErrors.code() != "" || got.Orientation.Status != "STARTED" || got.Orientation.StartedOn == nil {
			t.Fatalf("start: %+v", got)
		}
		got = setStatus(t, env, partner, map[string]any{"orientationId": second.ID, "version": got.Orientation.Version, "status": "COMPLETED"})
		if got.UserErrors.code() != "" || got.Orientation.Status != "COMPLETED" || got.Orientation.EndedOn == nil {
			t.Fatalf("complete: %+v", got)
		}
	})
	t.Run("BeneficiarySeesBoth", func(t *testing.T) {
		var d struct {
			Orientations struct {
				TotalCount int
				Nodes      []struct {
					Status      string
					Beneficiary struct {
						FirstName    string
						Orientations []struct{ Status string }
					}
				}
			}
		}
		env.MustDo(ic, `query($b: ID!) { orientations(first: 10, filter: {beneficiaryId: $b}) { totalCount
			nodes { status beneficiary { firstName orientations { status } } } } }`, map[string]any{"b": bid}, &d)
		if d.Orientations.TotalCount != 2 || d.Orientations.Nodes[0].Beneficiary.FirstName != "Samir" ||
			len(d.Orientations.Nodes[1].Beneficiary.Orientations) != 2 {
			t.Fatalf("orientations: %+v", d)
		}
		m, err := env.Store.ProfessionalTimelineByBeneficiaries(context.Background(), ic, []string{key})
		if err != nil {
			t.Fatal(err)
		}
		var summaries []string
		for _, e := range m[key] {
			summaries = append(summaries, e.Summary)
		}
		// Sent twice, refused, accepted, started, completed.
		if len(summaries) != 6 || summaries[1] != "Orientation refusée : accompagnement à la recherche d'emploi — Mission locale de Lyon" {
			t.Fatalf("timeline: %q", summaries)
		}
	})
	t.Run("RefusalWithTextOnlyIsOther", func(t *testing.T) {
		// A client written before the closed list refuses with free text only: still
		// accepted (no breaking change), recorded under OTHER with its text.
		third, _ := orient(t, env, ic, map[string]any{"beneficiaryId": bid, "kind": "JOB_SEARCH_SUPPORT", "structureId": mission,
			"purpose": "Atelier CV"})
		got := respond(t, env, partner, map[string]any{"orientationId": third.ID, "version": third.Version, "answer": "REFUSED",
			"refusalReason": "Complet jusqu'en mars"})
		if got.UserErrors.code() != "" || got.Orientation.Status != "REFUSED" || got.Orientation.RefusalCategory == nil ||
			*got.Orientation.RefusalCategory != "OTHER" || got.Orientation.RefusalReason == nil || *got.Orientation.RefusalReason != "Complet jusqu'en mars" {
			t.Fatalf("refusal with text only: %+v", got)
		}
	})
}

// TestOrientation_OverdueIsAnAlertToBothSides: an orientation unanswered past its
// deadline shows to the coordinator and the partner, until it is answered.
func TestOrientation_OverdueIsAnAlertToBothSides(t *testing.T) {
	env := demoEnv(t)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	partner := demoPrincipal(t, env, model.RolePartnerEditor)
	mission := model.GlobalID("Structure", structureKeyNamed(t, env, "Mission locale"))
	key := insertBeneficiary(t, env, "Amina", "Yusuf", "69", 90)
	bid := model.GlobalID("Beneficiary", key)
	late, _ := orient(t, env, ic, map[string]any{"beneficiaryId": bid, "kind": "INSERTION_SCHEME", "structureId": mission,
		"purpose": "Entrée en chantier d'insertion", "orientedOn": dayFromToday(env, -20)})
	onTime, _ := orient(t, env, ic, map[string]any{"beneficiaryId": bid, "kind": "JOB_SEARCH_SUPPORT", "structureId": mission,
		"purpose": "Recherche d'emploi", "orientedOn": dayFromToday(env, -3)})
	if !late.Overdue || onTime.Overdue {
		t.Fatalf("overdue: late %+v, on time %+v", late, onTime)
	}
	// The demo may hold other orientations: the checks are on this beneficiary's.
	query := `query($b: ID) { orientations(first: 10, filter: {overdue: true, beneficiaryId: $b}) { totalCount nodes { id overdue answerDueOn } } }`
	vars := map[string]any{"b": bid}
	type page struct {
		Orientations struct {
			TotalCount int
			Nodes      []struct {
				ID          string
				Overdue     bool
				AnswerDueOn string
			}
		}
	}
	for name, p := range map[string]*model.Principal{"Coordinator": coord, "Partner": partner, "Counsellor": ic} {
		t.Run(name, func(t *testing.T) {
			var d page
			env.MustDo(p, query, vars, &d)
			if d.Orientations.TotalCount != 1 || d.Orientations.Nodes[0].ID != late.ID || !d.Orientations.Nodes[0].Overdue {
				t.Fatalf("%s overdue list: %+v", name, d)
			}
		})
	}
	t.Run("BeneficiaryAlert", func(t *testing.T) {
		alerts, err := env.Store.OrientationAlertsByBeneficiaries(context.Background(), coord, []string{key})
		if err != nil || len(alerts[key]) != 1 || alerts[key][0].Kind != model.AlertKindOrientationUnanswered ||
			alerts[key][0].DueOn.String() != dayFromToday(env, -5) {
			t.Fatalf("alerts %+v %v", alerts, err)
		}
		// Beneficiary.alerts shows it, to the state representative too; the list
		// filter finds it; the timeline has the orientations sent.
		state := demoPrincipal(t, env, model.RoleStateRepresentative)
		for name, p := range map[string]*model.Principal{"coordinator": coord, "state representative": state} {
			if kinds := orientationAlertKinds(t, env, p, bid); !kinds[bid] {
				t.Fatalf("%s: alerts %v", name, kinds)
			}
		}
		var b struct {
			Beneficiary struct {
				Timeline []struct{ Kind, Summary string }
			}
		}
		env.MustDo(coord, `query($id: ID!) { beneficiary(id: $id) { timeline { kind summary } } }`, map[string]any{"id": bid}, &b)
		sent := 0
		for _, e := range b.Beneficiary.Timeline {
			if e.Kind == "ORIENTATION" && strings.HasPrefix(e.Summary, "Orientation envoyée : ") {
				sent++
			}
		}
		if sent != 2 || b.Beneficiary.Timeline[0].Kind != "REFERRED" {
			t.Fatalf("timeline: %+v", b.Beneficiary.Timeline)
		}
		// The beneficiary's orientations show it too.
		var d struct {
			OrientBeneficiary struct {
				Orientation struct {
					Beneficiary struct{ Orientations []struct{ Overdue bool } }
				}
			}
		}
		env.MustDo(ic, `mutation($in: OrientBeneficiaryInput!) { orientBeneficiary(input: $in) { orientation { beneficiary { orientations { overdue } } } } }`,
			map[string]any{"in": map[string]any{"beneficiaryId": bid, "kind": "FRANCE_TRAVAIL", "structureId": mission, "purpose": "Inscription"}}, &d)
		os := d.OrientBeneficiary.Orientation.Beneficiary.Orientations
		if len(os) != 3 || os[0].Overdue || os[2].Overdue != true {
			t.Fatalf("beneficiary orientations: %+v", os)
		}
	})
	t.Run("AnsweredIsNoLongerOverdue", func(t *testing.T) {
		got := respond(t, env, partner, map[string]any{"orientationId": late.ID, "version": late.Version, "answer": "ACCEPTED"})
		if got.UserErrors.code() != "" || got.Orientation.Overdue {
			t.Fatalf("answer: %+v", got)
		}
		var d page
		env.MustDo(coord, query, vars, &d)
		alerts, _ := env.Store.OrientationAlertsByBeneficiaries(context.Background(), coord, []string{key})
		if d.Orientations.TotalCount != 0 || len(alerts[key]) != 0 {
			t.Fatalf("still overdue: %+v %+v", d, alerts)
		}
		if kinds := orientationAlertKinds(t, env, coord, bid); kinds[bid] {
			t.Fatalf("still in the alert filter: %v", kinds)
		}
	})
	t.Run("DeadlineFilterAndOrder", func(t *testing.T) {
		var d page
		env.MustDo(coord, `query($d: Date, $b: ID) { orientations(first: 10, filter: {deadlineBefore: $d, statuses: [PENDING, ACCEPTED], beneficiaryId: $b}) { totalCount nodes { id overdue answerDueOn } } }`,
			map[string]any{"d": dayFromToday(env, 30), "b": bid}, &d)
		if d.Orientations.TotalCount != 3 || d.Orientations.Nodes[0].ID != late.ID || d.Orientations.Nodes[1].ID != onTime.ID {
			t.Fatalf("deadline order: %+v", d)
		}
	})
	t.Run("CoordinatorAnswersForThePartner", func(t *testing.T) {
		got := respond(t, env, coord, map[string]any{"orientationId": onTime.ID, "version": onTime.Version, "answer": "REFUSED",
			"refusalCategory": "OTHER", "refusalReason": "Structure fermée pour travaux", "answeredOn": dayFromToday(env, -1)})
		if got.UserErrors.code() != "" || got.Orientation.Status != "REFUSED" || *got.Orientation.AnsweredOn != dayFromToday(env, -1) {
			t.Fatalf("coordinator answer: %+v", got)
		}
		greta := principal(t, env, "fatou.ndiaye@greta.demo.agir.local")
		st := setStatus(t, env, greta, map[string]any{"orientationId": late.ID, "version": late.Version + 1, "status": "STARTED"})
		if st.UserErrors.code() != "NOT_FOUND" {
			t.Fatalf("another partner moved the orientation on: %+v", st)
		}
	})
}

// TestPartner_SeesOnlyItsInbox: a partner sees the orientations addressed to its own
// structure, with the minimal view of the person, and no beneficiary beyond it.
func TestPartner_SeesOnlyItsInbox(t *testing.T) {
	env := demoEnv(t)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	mission := demoPrincipal(t, env, model.RolePartnerEditor)
	greta := principal(t, env, "fatou.ndiaye@greta.demo.agir.local")
	missionID := model.GlobalID("Structure", structureKeyNamed(t, env, "Mission locale"))
	gretaID := model.GlobalID("Structure", structureKeyNamed(t, env, "GRETA Lyon"))
	k1 := insertBeneficiary(t, env, "Omar", "Rahimi", "69", 60)
	k2 := insertBeneficiary(t, env, "Leila", "Nazari", "69", 60)
	toMission, _ := orient(t, env, ic, map[string]any{"beneficiaryId": model.GlobalID("Beneficiary", k1), "kind": "JOB_SEARCH_SUPPORT",
		"structureId": missionID, "purpose": "Recherche d'emploi dans la logistique"})
	toGreta, _ := orient(t, env, ic, map[string]any{"beneficiaryId": model.GlobalID("Beneficiary", k2), "kind": "FRENCH_COURSE",
		"structureId": gretaID, "purpose": "Cours de français à visée professionnelle, niveau A2"})

	t.Run("Inbox", func(t *testing.T) {
		var d struct {
			Orientations struct {
				TotalCount int
				Nodes      []struct {
					ID     string
					Person struct{ FirstName, LastNameInitial string }
				}
			}
		}
		// Even when asking for another structure's orientations, a partner gets its own only.
		env.MustDo(mission, `query($s: ID) { orientations(first: 10, filter: {partnerStructureId: $s}) { totalCount nodes { id person { firstName lastNameInitial } } } }`,
			map[string]any{"s": gretaID}, &d)
		if d.Orientations.TotalCount != 0 {
			t.Fatalf("mission sees GRETA's inbox: %+v", d)
		}
		// The demo may address other orientations to these partners: check what is in
		// each inbox, and what is not.
		inbox := func(p *model.Principal) map[string]string {
			env.MustDo(p, `{ orientations(first: 100) { totalCount nodes { id person { firstName lastNameInitial } } } }`, nil, &d)
			ids := map[string]string{}
			for _, n := range d.Orientations.Nodes {
				ids[n.ID] = n.Person.FirstName + " " + n.Person.LastNameInitial
			}
			if len(ids) != d.Orientations.TotalCount {
				t.Fatalf("inbox larger than a page: %d", d.Orientations.TotalCount)
			}
			return ids
		}
		if m := inbox(mission); m[toMission.ID] != "Omar R." || m[toGreta.ID] != "" {
			t.Fatalf("mission inbox: %+v", m)
		}
		if m := inbox(greta); m[toGreta.ID] != "Leila N." || m[toMission.ID] != "" {
			t.Fatalf("greta inbox: %+v", m)
		}
	})
	t.Run("ErrBeneficiaryField", func(t *testing.T) {
		r := env.Do(mission, `{ orientations(first: 100) { nodes { id beneficiary { firstName phone } } } }`, nil)
		var d struct {
			Orientations struct {
				Nodes []struct{ Beneficiary *json.RawMessage }
			}
		}
		_ = json.Unmarshal(r.Data, &d)
		if len(d.Orientations.Nodes) == 0 || len(r.Errors) != len(d.Orientations.Nodes) {
			t.Fatalf("partner read the beneficiary: %s %+v", r.Data, r.Errors)
		}
		for i, e := range r.Errors {
			if e.Code() != "FORBIDDEN" || d.Orientations.Nodes[i].Beneficiary != nil {
				t.Fatalf("beneficiary leaked: %s %+v", r.Data, r.Errors)
			}
		}
	})
	t.Run("ErrNodes", func(t *testing.T) {
		var d struct {
			A, B, C *struct{ ID string }
		}
		env.MustDo(mission, `query($a: ID!, $b: ID!, $c: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } c: node(id: $c) { id } }`,
			map[string]any{"a": toGreta.ID, "b": model.GlobalID("Beneficiary", k1), "c": toMission.ID}, &d)
		if d.A != nil || d.B != nil || d.C == nil {
			t.Fatalf("partner nodes: %+v", d)
		}
	})
	t.Run("ErrOtherPartnerAnswers", func(t *testing.T) {
		got := respond(t, env, greta, map[string]any{"orientationId": toMission.ID, "version": toMission.Version, "answer": "ACCEPTED"})
		var status string
		_ = env.Store.DB().Get(&status, `SELECT status FROM orientations WHERE id = $1`, mustKey(t, toMission.ID))
		if got.UserErrors.code() != "NOT_FOUND" || got.Orientation != nil || status != "PENDING" {
			t.Fatalf("GRETA answered Mission's orientation: %+v (%s)", got, status)
		}
		r := env.Do(ic, respondMutation, map[string]any{"in": map[string]any{"orientationId": toMission.ID, "version": toMission.Version, "answer": "ACCEPTED"}})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("counsellor answered for the partner: %+v", r.Errors)
		}
	})
	t.Run("ErrPartnerWrites", func(t *testing.T) {
		for _, q := range []string{
			`mutation { recordOutcome(input: {beneficiaryId: "x", kind: EMPLOYMENT, contractType: CDI, startsOn: "2026-01-01"}) { userErrors { code } } }`,
			`mutation { orientBeneficiary(input: {beneficiaryId: "x", kind: FRENCH_COURSE, purpose: "x"}) { userErrors { code } } }`,
			`{ outcomes(first: 1) { totalCount } }`,
		} {
			r := env.Do(mission, q, nil)
			if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
				t.Fatalf("%s: %+v", q, r.Errors)
			}
		}
	})
	t.Run("ErrOtherOperatorCaseload", func(t *testing.T) {
		// A counsellor of another employment operator sees neither the beneficiaries nor their orientations.
		other := &model.Principal{Subject: "other", Role: model.RoleInsertionCounsellor, StructureID: structureKeyNamed(t, env, "AFPA")}
		var d struct{ Orientations struct{ TotalCount int } }
		env.MustDo(other, `{ orientations(first: 10) { totalCount } }`, nil, &d)
		_, ue := orient(t, env, other, map[string]any{"beneficiaryId": model.GlobalID("Beneficiary", k1), "kind": "FRENCH_COURSE",
			"structureId": gretaID, "purpose": "x"})
		if d.Orientations.TotalCount != 0 || ue.code() != "NOT_FOUND" {
			t.Fatalf("other operator: %+v %+v", d, ue)
		}
	})
}

func mustKey(t *testing.T, id string) string {
	t.Helper()
	_, k, ok := model.ParseGlobalID(id)
	if !ok {
		t.Fatalf("bad id %q", id)
	}
	return k
}

// TestProfessional_BadInput: refused inputs give stable codes and change nothing.
func TestProfessional_BadInput(t *testing.T) {
	env := demoEnv(t)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	key := insertBeneficiary(t, env, "Hamid", "Sultani", "69", 60)
	bid := model.GlobalID("Beneficiary", key)
	greta := structureKeyNamed(t, env, "GRETA Lyon")
	// Two offers of the GRETA on the offer map (partnership module): one published, one
	// archived.
	ctx := context.Background()
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	offer := func(name string, statuses ...model.OfferStatus) string {
		o, err := env.Store.CreateOffer(ctx, coord, greta, model.OfferFields{Name: name,
			Description: "Cours de français à visée professionnelle, 12 heures par semaine"}, 6)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range statuses {
			if o, err = env.Store.SetOfferStatus(ctx, coord, o.Key, o.Version, st); err != nil {
				t.Fatal(err)
			}
		}
		return o.Key
	}
	archived := offer("Français langue professionnelle (session close)", model.OfferStatusPublished, model.OfferStatusArchived)
	published := offer("Français langue professionnelle", model.OfferStatusPublished)
	var version int
	version0 := func() int {
		_ = env.Store.DB().Get(&version, `SELECT version FROM beneficiaries WHERE id = $1`, key)
		return version
	}
	before := version0()

	t.Run("ErrArchivedOffer", func(t *testing.T) {
		n := tableCount(t, env, "orientations")
		_, ue := orient(t, env, ic, map[string]any{"beneficiaryId": bid, "kind": "FRENCH_COURSE", "offerId": model.GlobalID("Offer", archived), "purpose": "Cours A2"})
		if ue.code() != "OFFER_UNAVAILABLE" || ue[0].Field[1] != "offerId" || tableCount(t, env, "orientations") != n || version0() != before {
			t.Fatalf("archived offer: %+v", ue)
		}
		_, ue = orient(t, env, ic, map[string]any{"beneficiaryId": bid, "kind": "FRENCH_COURSE", "offerId": model.GlobalID("Offer", "33333333-3333-4333-8333-333333333333"), "purpose": "Cours A2"})
		if ue.code() != "NOT_FOUND" {
			t.Fatalf("unknown offer: %+v", ue)
		}
	})
	t.Run("OfferGivesItsStructure", func(t *testing.T) {
		o, ue := orient(t, env, ic, map[string]any{"beneficiaryId": bid, "kind": "FRENCH_COURSE", "offerId": model.GlobalID("Offer", published), "purpose": "Cours A2"})
		offerID := model.GlobalID("Offer", published)
		if ue.code() != "" || o.Structure.Name != "GRETA Lyon Métropole" || o.OfferID == nil || *o.OfferID != offerID ||
			o.Offer == nil || o.Offer.ID != offerID || o.Offer.Name != "Français langue professionnelle" || o.Offer.Status != "PUBLISHED" {
			t.Fatalf("published offer: %+v %+v", o, ue)
		}
		// The database holds the reference too (orientations_offer_fkey): no orientation to
		// an offer that does not exist, a French user error on input.offerId.
		err := env.Store.WithTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE orientations SET offer_id = '33333333-3333-4333-8333-333333333333' WHERE id = $1`, mustKey(t, o.ID))
			return err
		})
		if e := model.AsUserError(err); e == nil || e.Code != model.CodeNotFound || strings.Join(e.Field, ".") != "input.offerId" ||
			!strings.Contains(e.Message, "offre introuvable") {
			t.Fatalf("dangling offer reference: %v", err)
		}
		before = version0()
	})
	t.Run("ErrOutcomeEndBeforeStart", func(t *testing.T) {
		n := tableCount(t, env, "outcomes")
		var d struct{ RecordOutcome struct{ UserErrors userErrs } }
		env.MustDo(ic, `mutation($in: RecordOutcomeInput!) { recordOutcome(input: $in) { userErrors { code field message } } }`,
			map[string]any{"in": map[string]any{"beneficiaryId": bid, "kind": "QUALIFYING_TRAINING", "trainingTitle": "Titre professionnel agent de propreté",
				"certificationLevel": "LEVEL_3", "startsOn": dayFromToday(env, -10), "endsOn": dayFromToday(env, -20)}}, &d)
		ue := d.RecordOutcome.UserErrors
		if ue.code() != "INVALID_INPUT" || ue[0].Field[1] != "endsOn" || tableCount(t, env, "outcomes") != n {
			t.Fatalf("end before start: %+v", ue)
		}
	})
	t.Run("ErrUnknownCefrLevel", func(t *testing.T) {
		n := tableCount(t, env, "french_levels")
		var d struct{ RecordFrenchLevel struct{ UserErrors userErrs } }
		env.MustDo(ic, `mutation($in: RecordFrenchLevelInput!) { recordFrenchLevel(input: $in) { userErrors { code field message } } }`,
			map[string]any{"in": map[string]any{"beneficiaryId": bid, "level": "D1", "assessedOn": dayFromToday(env, -1), "source": "OTHER"}}, &d)
		ue := d.RecordFrenchLevel.UserErrors
		if ue.code() != "INVALID_INPUT" || ue[0].Field[1] != "level" || tableCount(t, env, "french_levels") != n {
			t.Fatalf("unknown level: %+v", ue)
		}
	})
	t.Run("ErrOtherInputs", func(t *testing.T) {
		for name, tc := range map[string]struct {
			q    string
			in   map[string]any
			code string
		}{
			"CDDWithoutEnd": {`mutation($in: RecordOutcomeInput!) { recordOutcome(input: $in) { userErrors { code } } }`,
				map[string]any{"beneficiaryId": bid, "kind": "EMPLOYMENT", "contractType": "CDD_UNDER_6_MONTHS", "startsOn": dayFromToday(env, -1)}, "INVALID_INPUT"},
			"CDDLongerThanItsType": {`mutation($in: RecordOutcomeInput!) { recordOutcome(input: $in) { userErrors { code } } }`,
				map[string]any{"beneficiaryId": bid, "kind": "EMPLOYMENT", "contractType": "CDD_UNDER_6_MONTHS", "startsOn": dayFromToday(env, -1), "endsOn": dayFromToday(env, 300)}, "INVALID_INPUT"},
			"BarrierTwice": {`mutation($in: RecordProfessionalDiagnosticInput!) { recordProfessionalDiagnostic(input: $in) { userErrors { code } } }`,
				map[string]any{"beneficiaryId": bid, "educationLevel": "PRIMARY", "barriers": []any{map[string]any{"kind": "HEALTH", "severity": "LOW"}, map[string]any{"kind": "HEALTH", "severity": "HIGH"}}}, "INVALID_INPUT"},
			"FutureSupportAction": {`mutation($in: RecordSupportActionInput!) { recordSupportAction(input: $in) { userErrors { code } } }`,
				map[string]any{"beneficiaryId": bid, "kind": "JOB_SEARCH", "heldOn": dayFromToday(env, 3)}, "INVALID_INPUT"},
			"UnknownBeneficiary": {`mutation($in: RecordSupportActionInput!) { recordSupportAction(input: $in) { userErrors { code } } }`,
				map[string]any{"beneficiaryId": model.GlobalID("Beneficiary", "44444444-4444-4444-8444-444444444444"), "kind": "JOB_SEARCH"}, "NOT_FOUND"},
			"NoAddressee": {orientMutation, map[string]any{"beneficiaryId": bid, "kind": "FRANCE_TRAVAIL", "purpose": "Inscription"}, "INVALID_INPUT"},
		} {
			t.Run(name, func(t *testing.T) {
				var d map[string]struct{ UserErrors userErrs }
				env.MustDo(ic, tc.q, map[string]any{"in": tc.in}, &d)
				for _, p := range d {
					if p.UserErrors.code() != tc.code {
						t.Fatalf("got %+v, want %s", p.UserErrors, tc.code)
					}
				}
			})
		}
	})
	t.Run("NothingChanged", func(t *testing.T) {
		if v := version0(); v != before {
			t.Fatalf("refused acts changed the beneficiary's version: %d -> %d", before, v)
		}
	})
	t.Run("ErrEndedJourney", func(t *testing.T) {
		if _, err := env.Store.DB().ExecContext(ctx, `UPDATE beneficiaries SET phase = 'EXITED' WHERE id = $1`, key); err != nil {
			t.Fatal(err)
		}
		_, ue := orient(t, env, ic, map[string]any{"beneficiaryId": bid, "kind": "FRANCE_TRAVAIL", "structureId": model.GlobalID("Structure", greta), "purpose": "x"})
		var d struct{ RecordOutcome struct{ UserErrors userErrs } }
		env.MustDo(ic, `mutation($in: RecordOutcomeInput!) { recordOutcome(input: $in) { userErrors { code } } }`,
			map[string]any{"in": map[string]any{"beneficiaryId": bid, "kind": "FRANCE_TRAVAIL_REGISTRATION", "startsOn": dayFromToday(env, -1)}}, &d)
		if ue.code() != "OUT_OF_ORDER" || d.RecordOutcome.UserErrors.code() != "" {
			t.Fatalf("after exit: orientation %+v, outcome %+v", ue, d.RecordOutcome.UserErrors)
		}
	})
}

// TestProfessional_NestedListsPerBeneficiary: nested lists under many beneficiaries come
// from the batch loaders, each beneficiary with its own records; every act is audited.
func TestProfessional_NestedListsPerBeneficiary(t *testing.T) {
	env := demoEnv(t)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	france := model.GlobalID("Structure", structureKeyNamed(t, env, "France Travail Lyon"))
	want := map[string]int{}
	for i := 0; i < 6; i++ {
		name := fmt.Sprintf("Personne%d", i)
		bid := model.GlobalID("Beneficiary", insertBeneficiary(t, env, name, "Test", "69", 50))
		for j := 0; j <= i; j++ {
			if _, ue := orient(t, env, ic, map[string]any{"beneficiaryId": bid, "kind": "FRANCE_TRAVAIL", "structureId": france, "purpose": "Inscription"}); ue.code() != "" {
				t.Fatal(ue)
			}
		}
		var d map[string]any
		env.MustDo(ic, `mutation($in: RecordFrenchLevelInput!) { recordFrenchLevel(input: $in) { userErrors { code } } }`,
			map[string]any{"in": map[string]any{"beneficiaryId": bid, "level": []string{"A1", "A2", "B1"}[i%3], "assessedOn": dayFromToday(env, -1), "source": "OTHER"}}, &d)
		want[name] = i + 1
	}
	var d struct {
		Orientations struct {
			Nodes []struct {
				Beneficiary struct {
					FirstName    string
					Orientations []struct{ ID string }
					FrenchLevel  struct{ Level string }
					Outcomes     []struct{ ID string }
				}
			}
		}
	}
	env.MustDo(coord, `query($s: ID) { orientations(first: 100, filter: {partnerStructureId: $s}) { nodes { beneficiary { firstName orientations { id } frenchLevel { level } outcomes { id } } } } }`,
		map[string]any{"s": france}, &d)
	seen := 0
	for _, n := range d.Orientations.Nodes {
		b := n.Beneficiary
		if _, ok := want[b.FirstName]; !ok {
			continue // the demo's
		}
		seen++
		var i int
		fmt.Sscanf(b.FirstName, "Personne%d", &i)
		if len(b.Orientations) != want[b.FirstName] || b.FrenchLevel.Level != []string{"A1", "A2", "B1"}[i%3] || b.Outcomes == nil {
			t.Fatalf("%s: %+v", b.FirstName, b)
		}
	}
	if seen != 21 {
		t.Fatalf("%d orientations of the test's beneficiaries", seen)
	}
	var audited int
	if err := env.Store.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action IN ('orientBeneficiary', 'recordFrenchLevel')
		AND actor_role = 'insertion_counsellor' AND departments = '{69}'`); err != nil || audited != 21+6 {
		t.Fatalf("audited %d acts, want 27 (%v)", audited, err)
	}
}

// orientationAlertKinds returns, as p, the set of beneficiaries (IDs) the filter `alert:
// ORIENTATION_UNANSWERED` returns, after checking that the field Beneficiary.alerts
// agrees: every one of them has the alert, and bid has it exactly when it is listed.
func orientationAlertKinds(t *testing.T, env *graphtest.Env, p *model.Principal, bid string) map[string]bool {
	t.Helper()
	type node struct {
		ID     string
		Alerts []struct{ Kind string }
	}
	var d struct {
		Beneficiaries struct{ Nodes []node }
		Beneficiary   *node
	}
	env.MustDo(p, `query($id: ID!) {
		beneficiaries(first: 100, filter: {alert: ORIENTATION_UNANSWERED}) { nodes { id alerts { kind } } }
		beneficiary(id: $id) { id alerts { kind } } }`, map[string]any{"id": bid}, &d)
	has := func(n node) bool {
		for _, a := range n.Alerts {
			if a.Kind == "ORIENTATION_UNANSWERED" {
				return true
			}
		}
		return false
	}
	out := map[string]bool{}
	for _, n := range d.Beneficiaries.Nodes {
		if !has(n) {
			t.Fatalf("filtered beneficiary %s without the alert: %+v", n.ID, n.Alerts)
		}
		out[n.ID] = true
	}
	if d.Beneficiary != nil && has(*d.Beneficiary) != out[bid] {
		t.Fatalf("filter (%v) and alerts (%+v) disagree on %s", out[bid], d.Beneficiary.Alerts, bid)
	}
	return out
}
