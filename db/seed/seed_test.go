package seed

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The same seed gives the same journeys; another seed gives others.
func TestJourney_Deterministic(t *testing.T) {
	a, b := newGen(Options{Scale: Scales["national"], Seed: 7, Today: DefaultToday}), newGen(Options{Scale: Scales["national"], Seed: 7, Today: DefaultToday})
	other := newGen(Options{Scale: Scales["national"], Seed: 8, Today: DefaultToday})
	for _, i := range []int{0, 1, 77_777, 149_999} {
		if !reflect.DeepEqual(a.journey(i), b.journey(i)) {
			t.Fatalf("journey %d differs between two generations", i)
		}
		if reflect.DeepEqual(a.journey(i).beneficiary, other.journey(i).beneficiary) {
			t.Fatalf("journey %d identical under another seed", i)
		}
	}
}

// Phases follow the referral day: the oldest journeys are over, the latest are starting.
func TestJourney_Distribution(t *testing.T) {
	g := newGen(Options{Scale: Scales["department"], Seed: DefaultSeed, Today: DefaultToday})
	phases := map[string]int{}
	for i := 0; i < g.beneficiaryCount(); i++ {
		phases[g.journey(i).beneficiary[25].(string)]++
	}
	for _, p := range []model.JourneyPhase{model.JourneyPhaseReferred, model.JourneyPhaseWelcomed, model.JourneyPhaseContracted,
		model.JourneyPhaseExited, model.JourneyPhaseFollowUp, model.JourneyPhaseClosed} {
		if phases[string(p)] == 0 {
			t.Errorf("no journey in phase %s: %v", p, phases)
		}
	}
	if phases["CLOSED"] < phases["REFERRED"] {
		t.Errorf("five years of referrals should close more journeys than are just referred: %v", phases)
	}
}

func TestUUIDOf(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for k := byte(1); k < 4; k++ {
		for i := uint32(0); i < 300; i++ {
			for j := uint16(0); j < 300; j += 7 {
				u := uuidOf(1, k, i, j)
				if !re.MatchString(u) || seen[u] {
					t.Fatalf("uuid %s (kind %d, %d, %d): malformed or repeated", u, k, i, j)
				}
				seen[u] = true
			}
		}
	}
}

// The generated exit forms say what the generated outcomes say, by the rule exitJourney
// enforces (model.CheckExitSituation, issue 17 defect 3): a job declared only with an
// employment outcome of that kind in progress on the exit day, and declared whenever one
// is; a qualifying or pre-qualifying training likewise.
func TestJourney_ExitSituationsAgreeWithOutcomes(t *testing.T) {
	g := newGen(Options{Scale: Scale{Name: "tiny", Departments: 1, BeneficiariesPerDept: 400, Years: 5, PartnersPerDept: 4,
		OffersPerDept: 10, EventsPerDept: 2, SocialWorkersPerDept: 2, CounsellorsPerDept: 2, NeedsPerDept: 2}, Seed: DefaultSeed, Today: DefaultToday})
	exits, counting := 0, 0
	for i := 0; i < g.beneficiaryCount(); i++ {
		j := g.journey(i)
		var outcomes []model.Outcome
		for _, row := range j.outcomes {
			o := model.Outcome{Kind: model.OutcomeKind(row[2].(string)), StartsOn: mustDate(t, row[9])}
			if c, ok := row[3].(string); ok {
				ct := model.ContractType(c)
				o.ContractType = &ct
			}
			if e, ok := row[10].(string); ok {
				end := mustDate(t, e)
				o.EndsOn = &end
			}
			outcomes = append(outcomes, o)
		}
		for _, x := range j.exits {
			if x[2] != string(model.ExitKindExit) {
				continue
			}
			exits++
			on := mustDate(t, x[3])
			employment, training := model.EmploymentSituation(x[6].(string)), model.TrainingSituation(x[7].(string))
			if err := model.CheckExitSituation(employment, training, outcomes, on); err != nil {
				t.Fatalf("journey %d: exit form %s/%s against outcomes %+v: %s", i, employment, training, outcomes, err.Message)
			}
			if model.ExitSituationCounts(employment, training) {
				counting++
			}
		}
	}
	if exits < 50 || counting == 0 || counting == exits {
		t.Fatalf("%d exits, %d in employment or training: the check says nothing", exits, counting)
	}
	t.Logf("%d exits, %d in employment or training", exits, counting)
}

func mustDate(t *testing.T, v any) model.Date {
	t.Helper()
	d, err := model.ParseDate(v.(string))
	if err != nil {
		t.Fatal(err)
	}
	return d
}
