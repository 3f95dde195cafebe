package demo

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The social part of the demo: beneficiaries in every phase and with every alert, dated
// relative to the day of the load so that the alerts stay true, households, interviews,
// plans, housing proposals, rights, evaluations, exits, follow-ups, a reintegration, and
// collective actions. The derived state (phase, alerts) is computed by the Store.

type person struct{ first, last, nationality, sex string }

// people are realistic names of BPI by nationality, drawn in order.
var people = []person{
	{"Amina", "Haïdari", "afghane", "FEMALE"}, {"Mohammad", "Rahimi", "afghane", "MALE"}, {"Zahra", "Ahmadi", "afghane", "FEMALE"},
	{"Abdul", "Karimi", "afghane", "MALE"}, {"Fatima", "Nazari", "afghane", "FEMALE"}, {"Rahmatullah", "Sultani", "afghane", "MALE"},
	{"Yonas", "Tesfaye", "érythréenne", "MALE"}, {"Senait", "Berhane", "érythréenne", "FEMALE"}, {"Filmon", "Gebremedhin", "érythréenne", "MALE"},
	{"Ahmad", "Al-Hassan", "syrienne", "MALE"}, {"Rania", "Khalil", "syrienne", "FEMALE"}, {"Omar", "Haddad", "syrienne", "MALE"},
	{"Nour", "Al-Khatib", "syrienne", "FEMALE"}, {"Adam", "Abakar", "soudanaise", "MALE"}, {"Hawa", "Idriss", "soudanaise", "FEMALE"},
	{"Mamadou", "Diallo", "guinéenne", "MALE"}, {"Aïssatou", "Barry", "guinéenne", "FEMALE"}, {"Ibrahima", "Camara", "guinéenne", "MALE"},
	{"Serhat", "Yıldız", "turque", "MALE"}, {"Dilan", "Öztürk", "turque", "FEMALE"}, {"Grace", "Mbuyi", "congolaise (RDC)", "FEMALE"},
	{"Patrick", "Kabongo", "congolaise (RDC)", "MALE"}, {"Tamar", "Beridze", "géorgienne", "FEMALE"}, {"Rohingya", "Begum", "birmane", "FEMALE"},
	{"Yusuf", "Osman", "somalienne", "MALE"}, {"Khadija", "Warsame", "somalienne", "FEMALE"}, {"Jean-Baptiste", "Nshimiyimana", "burundaise", "MALE"},
	{"Alina", "Kovalenko", "russe", "FEMALE"}, {"Bilal", "Qureshi", "pakistanaise", "MALE"}, {"Sabrina", "Joseph", "haïtienne", "FEMALE"},
	{"Kofi", "Mensah", "ghanéenne", "MALE"}, {"Layla", "Mahmoud", "irakienne", "FEMALE"}, {"Hassan", "Jaber", "irakienne", "MALE"},
	{"Mariam", "Traoré", "malienne", "FEMALE"}, {"Ousmane", "Keïta", "malienne", "MALE"}, {"Leyla", "Aliyeva", "azerbaïdjanaise", "FEMALE"},
	{"Tesfay", "Hailu", "éthiopienne", "MALE"}, {"Samira", "Benali", "algérienne", "FEMALE"}, {"Nasir", "Hotak", "afghane", "MALE"},
	{"Shirin", "Mohammadi", "iranienne", "FEMALE"},
}

var languagesOf = map[string][]string{
	"afghane": {"dari", "pachto"}, "érythréenne": {"tigrigna", "arabe"}, "syrienne": {"arabe", "kurde"}, "soudanaise": {"arabe"},
	"guinéenne": {"peul", "soussou", "français"}, "turque": {"kurde", "turc"}, "congolaise (RDC)": {"lingala", "français"},
	"géorgienne": {"géorgien", "russe"}, "birmane": {"rohingya"}, "somalienne": {"somali", "arabe"}, "burundaise": {"kirundi", "français"},
	"russe": {"russe"}, "pakistanaise": {"ourdou", "anglais"}, "haïtienne": {"créole haïtien", "français"}, "ghanéenne": {"twi", "anglais"},
	"irakienne": {"arabe", "kurde"}, "malienne": {"bambara", "français"}, "azerbaïdjanaise": {"azéri", "russe"},
	"éthiopienne": {"amharique"}, "algérienne": {"arabe", "français"}, "iranienne": {"persan"},
}

// journey describes one demo beneficiary by what happened to it, in days before today.
type journey struct {
	dept            string
	cirDaysAgo      int
	convokedDaysAgo int    // 0: never convoked
	welcomeDaysAgo  int    // 0: welcome not held (a planned one when convoked)
	welcomeStatus   string // status of the welcome interview when not held ("" = planned)
	contract        bool
	entryEval       bool
	midEval         bool
	refusals        int
	exitDaysAgo     int  // 0: not exited
	exclusion       bool // the exit is an exclusion for two housing refusals
	exitEval        bool
	followUps       int  // follow-ups held after the exit
	reintegrated    bool // re-opened 30 days ago for 12 months
	household       bool
	exceptional     bool
	disability      bool
}

// demoJourneys cover every phase and every alert.
var demoJourneys = []journey{
	{dept: "69", cirDaysAgo: 8},                                                                                                                                                                  // REFERRED, no alert yet
	{dept: "69", cirDaysAgo: 45},                                                                                                                                                                 // REFERRED, welcome overdue, contract not signed
	{dept: "38", cirDaysAgo: 12, convokedDaysAgo: 6},                                                                                                                                             // CONVOKED
	{dept: "69", cirDaysAgo: 25, convokedDaysAgo: 20, welcomeStatus: "NO_SHOW"},                                                                                                                  // CONVOKED, absent
	{dept: "69", cirDaysAgo: 20, convokedDaysAgo: 15, welcomeDaysAgo: 10, household: true},                                                                                                       // WELCOMED, family
	{dept: "38", cirDaysAgo: 70, convokedDaysAgo: 60, welcomeDaysAgo: 55},                                                                                                                        // WELCOMED, entry evaluation due, contract not signed
	{dept: "69", cirDaysAgo: 60, convokedDaysAgo: 55, welcomeDaysAgo: 50, contract: true, entryEval: true},                                                                                       // CONTRACTED
	{dept: "69", cirDaysAgo: 410, convokedDaysAgo: 400, welcomeDaysAgo: 395, contract: true, entryEval: true, disability: true},                                                                  // mid-course evaluation due
	{dept: "38", cirDaysAgo: 700, convokedDaysAgo: 695, welcomeDaysAgo: 690, contract: true, entryEval: true, midEval: true},                                                                     // 24 months near
	{dept: "69", cirDaysAgo: 760, convokedDaysAgo: 750, welcomeDaysAgo: 745, contract: true, entryEval: true, midEval: true},                                                                     // 24 months passed
	{dept: "69", cirDaysAgo: 200, convokedDaysAgo: 195, welcomeDaysAgo: 190, contract: true, entryEval: true, refusals: 2},                                                                       // exclusion risk
	{dept: "69", cirDaysAgo: 600, convokedDaysAgo: 595, welcomeDaysAgo: 590, contract: true, entryEval: true, midEval: true, exitDaysAgo: 20, exitEval: true},                                    // EXITED
	{dept: "38", cirDaysAgo: 700, convokedDaysAgo: 695, welcomeDaysAgo: 690, contract: true, entryEval: true, midEval: true, exitDaysAgo: 100},                                                   // follow-up due, exit evaluation due
	{dept: "69", cirDaysAgo: 720, convokedDaysAgo: 715, welcomeDaysAgo: 710, contract: true, entryEval: true, midEval: true, exitDaysAgo: 150, exitEval: true, followUps: 1},                     // FOLLOW_UP
	{dept: "69", cirDaysAgo: 900, convokedDaysAgo: 895, welcomeDaysAgo: 890, contract: true, entryEval: true, midEval: true, exitDaysAgo: 250, exitEval: true, followUps: 2},                     // CLOSED
	{dept: "38", cirDaysAgo: 300, convokedDaysAgo: 295, welcomeDaysAgo: 290, contract: true, entryEval: true, refusals: 2, exitDaysAgo: 30, exclusion: true},                                     // CLOSED by exclusion
	{dept: "69", cirDaysAgo: 900, convokedDaysAgo: 895, welcomeDaysAgo: 890, contract: true, entryEval: true, midEval: true, exitDaysAgo: 200, exitEval: true, followUps: 1, reintegrated: true}, // REINTEGRATED
	{dept: "69", cirDaysAgo: 15, exceptional: true},                                                                                                                                              // exceptional admission
	{dept: "38", cirDaysAgo: 30, convokedDaysAgo: 25, welcomeDaysAgo: 22, contract: true, entryEval: true},                                                                                       // CONTRACTED
	{dept: "69", cirDaysAgo: 150, convokedDaysAgo: 140, welcomeDaysAgo: 130, contract: true, entryEval: true, refusals: 1},
}

func (g *gen) loadSocial() error {
	today := model.DateOf(g.dbtx.Now)
	if _, err := g.tx.ExecContext(g.ctx, `INSERT INTO covered_departments (code, name, covered_since) VALUES
		('69', 'Rhône', '2024-01-01'), ('38', 'Isère', '2024-01-01')`); err != nil {
		return fmt.Errorf("covered departments: %w", err)
	}
	sw := []string{g.ids["staff:social_worker"], g.ids["staff:sw2"], g.ids["staff:sw3"], g.ids["staff:sw4"]}
	ic := []string{g.ids["staff:insertion_counsellor"], g.ids["staff:ic2"], g.ids["staff:ic3"], g.ids["staff:ic4"]}
	var beneficiaries []string
	for i, j := range append(demoJourneys, g.generatedJourneys(g.generated)...) {
		id, err := g.demoJourney(i, j, today, sw[i%len(sw)], ic[i%len(ic)])
		if err != nil {
			return fmt.Errorf("demo journey %d: %w", i, err)
		}
		beneficiaries = append(beneficiaries, id)
	}
	if err := g.collectiveActions(today, beneficiaries); err != nil {
		return err
	}
	return g.dbtx.RefreshAllJourneys(g.ctx, g.params)
}

// generatedJourneyCount is the number of journeys drawn at random after the hand-picked
// ones, so that the demo territory has a few hundred beneficiaries, as a real one would.
const generatedJourneyCount = 280

// generatedJourneys draws n journeys with plausible progress: the older the CIR
// signature, the further the journey went; some refusals, exits, follow-ups, families.
func (g *gen) generatedJourneys(n int) []journey {
	r := g.rnd
	chance := func(p float64) bool { return r.Float64() < p }
	out := make([]journey, n)
	for i := range out {
		j := journey{dept: Departments[i%len(Departments)], cirDaysAgo: 3 + r.IntN(880)}
		if j.cirDaysAgo >= 5 && chance(0.92) {
			j.convokedDaysAgo = j.cirDaysAgo - 1 - r.IntN(3)
		}
		if j.convokedDaysAgo >= 12 && chance(0.88) {
			j.welcomeDaysAgo = j.convokedDaysAgo - 2 - r.IntN(8)
		} else if j.convokedDaysAgo > 0 && chance(0.2) {
			j.welcomeStatus = []string{"NO_SHOW", "EXCUSED", "CANCELLED"}[r.IntN(3)]
		}
		w := j.welcomeDaysAgo
		j.contract = w >= 7 && chance(0.85)
		j.entryEval = j.contract && chance(0.9)
		j.midEval = j.contract && w >= 380 && chance(0.8)
		switch x := r.Float64(); {
		case x < 0.05:
			j.refusals = 2
		case x < 0.15:
			j.refusals = 1
		}
		if j.contract && w >= 240 && (w > 700 || chance(0.55)) {
			// An exit between 6 and 24 months after the welcome interview.
			latest, earliest := w-180, max(w-720, 1)
			j.exitDaysAgo = earliest + r.IntN(max(latest-earliest, 1))
			j.exclusion = j.refusals == 2 && chance(0.4)
			j.exitEval = !j.exclusion && chance(0.8)
			if !j.exclusion && j.exitDaysAgo >= 95 && chance(0.85) {
				j.followUps = 1
				if j.exitDaysAgo >= 185 && chance(0.8) {
					j.followUps = 2
				}
			}
		}
		j.household = chance(0.15)
		j.disability = chance(0.05)
		out[i] = j
	}
	return out
}

func (g *gen) exec(what, query string, args ...any) error {
	if _, err := g.tx.ExecContext(g.ctx, query, args...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// at returns the instant of a day at hour h, Paris time.
func at(d model.Date, h int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, h, 0, 0, 0, model.Paris)
}

func (g *gen) demoJourney(i int, j journey, today model.Date, socialWorker, counsellor string) (string, error) {
	pp := people[i%len(people)]
	if i >= len(people) { // past the list, mix first and last names of the same origin
		for k := 1; k < len(people); k++ {
			if o := people[(i*7+k)%len(people)]; o.nationality == pp.nationality && o.last != pp.last {
				pp.last = o.last
				break
			}
		}
	}
	day := func(n int) model.Date { return today.AddDate(0, 0, -n) }
	cir := day(j.cirDaysAgo)
	referred := day(max(j.cirDaysAgo-2, 0))
	granted := cir.AddDate(0, -4-g.rnd.IntN(6), 0)
	if j.exceptional {
		granted = cir.AddDate(-3, 0, 0) // protection too old: admitted exceptionally
	}
	if granted.Before(model.NewDate(referred.Year-1, 1, 1)) && !j.exceptional {
		granted = model.NewDate(referred.Year-1, 3, 1+g.rnd.IntN(25))
	}
	protection := "REFUGEE"
	if i%3 == 1 {
		protection = "SUBSIDIARY_PROTECTION"
	}
	checks := model.Eligibility(model.EligibilityInput{ProtectionType: model.ProtectionType(protection), ProtectionGrantedOn: &granted,
		CirSignedOn: &cir, DepartmentCovered: true, ReferredOn: referred})
	eligibility, _ := json.Marshal(checks)
	birth := model.NewDate(1965+g.rnd.IntN(38), time.Month(1+g.rnd.IntN(12)), 1+g.rnd.IntN(28))
	city := map[string]string{"69": "69003 Lyon", "38": "38000 Grenoble"}[j.dept]
	admission := "ELIGIBLE"
	var instruction, agreement *model.Date
	var instructionRef, approvedBy *string
	if j.exceptional {
		admission = "EXCEPTIONAL"
		in, ag := day(j.cirDaysAgo+5), day(j.cirDaysAgo+3)
		ref, by := fmt.Sprintf("DDETS%s-%d-%03d", j.dept, today.Year, i), "state_representative@demo.agir.local"
		instruction, agreement, instructionRef, approvedBy = &in, &ag, &ref, &by
	}
	var id string
	err := g.tx.GetContext(g.ctx, &id, `
		INSERT INTO beneficiaries (created_at, updated_at, first_name, last_name, birth_date, sex, nationality, languages, phone, email,
		       address, protection_type, protection_granted_on, cir_signed_on, department, social_operator_id, employment_operator_id,
		       referred_on, ofii_reference, admission, eligibility, state_instruction_on, state_instruction_ref, ofii_agreement_on,
		       admission_approved_by)
		VALUES ($1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
		RETURNING id`,
		at(referred, 10), pp.first, pp.last, birth, pp.sex, pp.nationality, languagesOf[pp.nationality],
		fmt.Sprintf("06%08d", g.rnd.IntN(100000000)), nil, fmt.Sprintf("%d rue de la République, %s", 1+g.rnd.IntN(120), city),
		protection, granted, cir, j.dept, g.ids[structureKey("ARSL")], g.ids[structureKey("ASFEL")], referred,
		fmt.Sprintf("OFII-%s-%d-%05d", j.dept, referred.Year, 100+i), admission, string(eligibility),
		instruction, instructionRef, agreement, approvedBy)
	if err != nil {
		return "", fmt.Errorf("beneficiary: %w", err)
	}
	author := g.ids[structureKey("ARSL")]
	if j.household {
		for _, m := range []struct{ rel, first, sex string }{{"SPOUSE", "Javad", "MALE"}, {"MINOR_CHILD", "Sina", "MALE"}, {"MINOR_CHILD", "Parisa", "FEMALE"}} {
			born := model.NewDate(2012+g.rnd.IntN(10), time.Month(1+g.rnd.IntN(12)), 1+g.rnd.IntN(28))
			if m.rel == "SPOUSE" {
				born = birth.AddDate(-2, 3, 0)
			}
			if err := g.exec("household", `INSERT INTO household_members (beneficiary_id, relationship, first_name, last_name, birth_date,
				sex, nationality, joined_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				id, m.rel, m.first, pp.last, born, m.sex, pp.nationality, referred, at(referred, 11)); err != nil {
				return "", err
			}
		}
	}
	if j.convokedDaysAgo == 0 {
		return id, nil
	}
	handed := day(j.convokedDaysAgo)
	appointment := handed.AddDate(0, 0, 7)
	status := "PLANNED"
	if j.welcomeDaysAgo > 0 {
		appointment, status = day(j.welcomeDaysAgo), "HELD"
	} else if j.welcomeStatus != "" {
		appointment, status = day(j.convokedDaysAgo-3), j.welcomeStatus
	}
	var convocation string
	if err := g.tx.GetContext(g.ctx, &convocation, `INSERT INTO convocations (beneficiary_id, appointment_at, address, handed_over_on, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, id, at(appointment, 9), "ARSL, 5 place Bellecour, 69002 Lyon", handed, at(handed, 10)); err != nil {
		return "", fmt.Errorf("convocation: %w", err)
	}
	var held *model.Date
	if status == "HELD" {
		held = &appointment
	}
	if err := g.exec("welcome interview", `INSERT INTO interviews (beneficiary_id, convocation_id, kind, medium, planned_at, status, held_on,
		shared_note, private_note, author_subject, author_structure_id, created_at, updated_at)
		VALUES ($1, $2, 'WELCOME', 'IN_PERSON', $3, $4, $5, $6, $7, 'demo', $8, $9, $9)`,
		id, convocation, at(appointment, 9), status, held, "Entretien d'accueil avec interprète.", "Situation familiale à approfondir.",
		author, at(handed, 10)); err != nil {
		return "", err
	}
	if j.welcomeDaysAgo == 0 {
		return id, nil
	}
	welcome := day(j.welcomeDaysAgo)
	for _, a := range []struct{ axis, situation, needs string }{
		{"RIGHTS", "Droits santé ouverts, CAF en attente", "Finaliser le dossier CAF et la CSS"},
		{"HOUSING", "Hébergé en centre provisoire d'hébergement", "Accès à un logement autonome"},
		{"EMPLOYMENT", "Sans emploi, expérience dans le bâtiment", "Reconnaissance des compétences, inscription France Travail"},
		{"TRAINING", "Scolarité jusqu'au lycée, diplôme non reconnu", "Cours de français puis formation qualifiante"},
		{"FRENCH", "Niveau A1 à l'oral", "Cours intensifs"},
	} {
		if err := g.exec("diagnostic", `INSERT INTO diagnostic_axes (beneficiary_id, axis, situation, needs, assessed_on, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, a.axis, a.situation, a.needs, welcome, at(welcome, 11)); err != nil {
			return "", err
		}
	}
	for kind, staff := range map[string]string{"SOCIAL_WORKER": socialWorker, "INSERTION_COUNSELLOR": counsellor} {
		if err := g.exec("referent", `INSERT INTO referent_assignments (beneficiary_id, kind, staff_member_id, assigned_at, assigned_by)
			VALUES ($1, $2, $3, $4, 'demo')`, id, kind, staff, at(welcome, 12)); err != nil {
			return "", err
		}
	}
	if err := g.exec("rights", `INSERT INTO rights_steps (beneficiary_id, kind, status, started_on, completed_on, updated_at) VALUES
		($1, 'HEALTH_INSURANCE', 'DONE', $2, $2, $3), ($1, 'BANK_ACCOUNT', 'IN_PROGRESS', $2, NULL, $3)`, id, welcome, at(welcome, 12)); err != nil {
		return "", err
	}
	if j.disability {
		if err := g.exec("accessibility", `INSERT INTO accessibility (beneficiary_id, disability_recognised, recognised_until, needs,
			disability_referent_id, aids_requested, updated_at) VALUES ($1, true, $2, 'Poste de travail adapté, pas de port de charges', $3, '{TECHNICAL,MOBILITY}', $4)`,
			id, today.AddDate(3, 0, 0), g.ids["staff:dr1"], at(welcome, 12)); err != nil {
			return "", err
		}
	}
	if j.contract {
		var objective string
		if err := g.tx.GetContext(g.ctx, &objective, `INSERT INTO objectives (beneficiary_id, axis, title, created_at)
			VALUES ($1, 'EMPLOYMENT', 'Accéder à un emploi durable', $2) RETURNING id`, id, at(welcome, 14)); err != nil {
			return "", fmt.Errorf("objective: %w", err)
		}
		for k, a := range []struct{ title, status string }{{"Rédiger un CV en français", "DONE"}, {"S'inscrire à France Travail", "IN_PROGRESS"}, {"Simulation d'entretien", "PLANNED"}} {
			var done *model.Date
			if a.status == "DONE" {
				d := welcome.AddDate(0, 0, 10)
				done = &d
			}
			if err := g.exec("plan action", `INSERT INTO plan_actions (objective_id, beneficiary_id, title, status, due_on, completed_on, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, objective, id, a.title, a.status, welcome.AddDate(0, 1+k, 0), done, at(welcome, 14)); err != nil {
				return "", err
			}
		}
		if err := g.exec("contract", `INSERT INTO engagement_contracts (beneficiary_id, signed_on, consent_recorded, recorded_by, created_at)
			VALUES ($1, $2, true, 'demo', $3)`, id, welcome.AddDate(0, 0, 3), at(welcome.AddDate(0, 0, 3), 10)); err != nil {
			return "", err
		}
		for k := 1; k <= 3 && 30*k < j.welcomeDaysAgo; k++ {
			d := welcome.AddDate(0, 0, 30*k)
			if err := g.exec("interview", `INSERT INTO interviews (beneficiary_id, kind, medium, planned_at, status, held_on, shared_note,
				author_subject, author_structure_id, created_at, updated_at) VALUES ($1, 'SOCIAL', 'IN_PERSON', $2, 'HELD', $3, $4, 'demo', $5, $2, $2)`,
				id, at(d, 10), d, "Point d'étape sur le plan d'accompagnement.", author); err != nil {
				return "", err
			}
		}
	}
	scores := [][4]int{{1, 0, 1, 2}, {2, 2, 2, 3}, {4, 4, 3, 4}}
	for k, e := range []struct {
		stage  string
		do     bool
		daysIn int
	}{{"ENTRY", j.entryEval, 5}, {"MID_COURSE", j.midEval, 365}, {"EXIT", j.exitEval, 0}} {
		if !e.do {
			continue
		}
		d := welcome.AddDate(0, 0, e.daysIn)
		if e.stage == "EXIT" {
			d = day(j.exitDaysAgo)
		}
		s := scores[k]
		if err := g.exec("evaluation", `INSERT INTO evaluations (beneficiary_id, stage, evaluated_on, housing_score, employment_score,
			training_score, rights_score, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, e.stage, d, s[0], s[1], s[2], s[3], at(d, 15)); err != nil {
			return "", err
		}
	}
	for k := 0; k < j.refusals; k++ {
		d := welcome.AddDate(0, 0, 40+20*k)
		if err := g.exec("housing", `INSERT INTO housing_proposals (beneficiary_id, proposed_on, offer, landlord, outcome, decided_on,
			refusal_reason, created_at, updated_at) VALUES ($1, $2, $3, $4, 'REFUSED', $5, $6, $7, $7)`,
			id, d, fmt.Sprintf("T%d, %s", 2+k, city), "Lyon Métropole Habitat", d.AddDate(0, 0, 5), "Logement éloigné du lieu de formation", at(d, 10)); err != nil {
			return "", err
		}
	}
	if j.exitDaysAgo == 0 {
		return id, nil
	}
	exited := day(j.exitDaysAgo)
	kind, reason, housing, employment, training := "EXIT", "GOALS_REACHED", "PERMANENT_HOUSING", "PERMANENT_CONTRACT", "NONE"
	if i%2 == 0 {
		employment, training = "JOB_SEEKING", "QUALIFYING_TRAINING"
	}
	if j.exclusion {
		kind, reason = "EXCLUSION", "TWO_HOUSING_REFUSALS"
	}
	var exitID string
	if err := g.tx.GetContext(g.ctx, &exitID, `INSERT INTO journey_exits (beneficiary_id, kind, exited_on, reason, housing_situation,
		employment_situation, training_situation, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'demo', $8) RETURNING id`,
		id, kind, exited, reason, nullIf(j.exclusion, housing), nullIf(j.exclusion, employment), nullIf(j.exclusion, training), at(exited, 16)); err != nil {
		return "", fmt.Errorf("exit: %w", err)
	}
	for k, stage := range []model.FollowUpStage{model.FollowUpStageThreeMonths, model.FollowUpStageSixMonths}[:j.followUps] {
		due := model.FollowUpDueOn(exited, stage, g.params)
		if err := g.exec("follow-up", `INSERT INTO follow_ups (beneficiary_id, exit_id, stage, due_on, held_on, housing_situation,
			employment_situation, training_situation, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			id, exitID, string(stage), due, due.AddDate(0, 0, k), housing, employment, training, at(due, 10)); err != nil {
			return "", err
		}
	}
	if j.reintegrated {
		on := day(30)
		if err := g.exec("reintegration", `INSERT INTO reintegrations (beneficiary_id, exit_id, reintegrated_on, until_on, reason, approved_by, created_at)
			VALUES ($1, $2, $3, $4, 'Perte d''emploi et de logement : accompagnement à reprendre', 'state_representative@demo.agir.local', $5)`,
			id, exitID, on, on.AddMonthsClamped(12), at(on, 10)); err != nil {
			return "", err
		}
	}
	return id, nil
}

func nullIf(null bool, v string) *string {
	if null {
		return nil
	}
	return &v
}

// collectiveActions schedules workshops, one of them full.
func (g *gen) collectiveActions(today model.Date, beneficiaries []string) error {
	for k, a := range []struct {
		theme, dept, place string
		inDays, capacity   int
		register           int
	}{
		{"Atelier CV et lettre de motivation", "69", "Maison de l'emploi, 12 rue Garibaldi, Lyon 3e", -10, 8, 4},
		{"Découvrir les métiers du bâtiment", "69", "AFPA Vénissieux", 7, 4, 4},
		{"Ouvrir ses droits CAF et CPAM", "38", "CCAS de Grenoble", 14, 12, 2},
	} {
		starts := at(today.AddDate(0, 0, a.inDays), 14)
		var id string
		if err := g.tx.GetContext(g.ctx, &id, `INSERT INTO collective_actions (department, structure_id, theme, starts_at, place, capacity,
			facilitator_ids, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			a.dept, g.ids[structureKey("ASFEL")], a.theme, starts, a.place, a.capacity,
			[]string{g.ids["staff:insertion_counsellor"]}, g.dbtx.Now); err != nil {
			return fmt.Errorf("collective action: %w", err)
		}
		for r := 0; r < a.register; r++ {
			b := beneficiaries[(4+k*3+r)%len(beneficiaries)]
			var attended *bool
			if a.inDays < 0 {
				v := r%3 != 0
				attended = &v
			}
			if err := g.exec("registration", `INSERT INTO collective_action_registrations (action_id, beneficiary_id, registered_at, attended)
				VALUES ($1, $2, $3, $4)`, id, b, g.dbtx.Now, attended); err != nil {
				return err
			}
		}
	}
	return nil
}
