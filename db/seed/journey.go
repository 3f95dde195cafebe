package seed

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// journey is the generated record of one beneficiary: the rows of each table.
type journey struct {
	beneficiary    []any
	household      [][]any
	convocations   [][]any
	interviews     [][]any
	axes           [][]any
	referents      [][]any
	objectives     [][]any
	planActions    [][]any
	contract       [][]any
	housing        [][]any
	rights         [][]any
	evaluations    [][]any
	exits          [][]any
	followUps      [][]any
	alerts         [][]any
	proDiagnostics [][]any
	frenchLevels   [][]any
	orientations   [][]any
	supportActions [][]any
	outcomes       [][]any
	acts           []auditAct
}

type person struct{ first, last, sex, nationality string }

var firstNames = []string{"Ahmad", "Mariam", "Samir", "Fatima", "Yonas", "Selam", "Omar", "Amina", "Hassan", "Leila", "Abdullah",
	"Zahra", "Mohammed", "Aisha", "Tesfay", "Hiwet", "Karim", "Nour", "Jamal", "Rania", "Ali", "Sara", "Idris", "Hawa"}
var lastNames = []string{"Ahmadi", "Haidari", "Rahimi", "Al-Hassan", "Khalil", "Tesfaye", "Gebremedhin", "Osman", "Abdallah",
	"Mohammadi", "Karimi", "Yousef", "Haddad", "Mansour", "Diallo", "Bah", "Keita", "Nasser", "Saleh", "Hussein"}
var nationalities = []string{"Afghane", "Syrienne", "Érythréenne", "Soudanaise", "Guinéenne", "Ivoirienne", "Somalienne", "Irakienne"}
var languagesOf = map[string][]string{"Afghane": {"ps", "fa"}, "Syrienne": {"ar"}, "Érythréenne": {"ti"}, "Soudanaise": {"ar"},
	"Guinéenne": {"ff", "fr"}, "Ivoirienne": {"fr"}, "Somalienne": {"so"}, "Irakienne": {"ar", "ku"}}

var axes = []string{"RIGHTS", "HOUSING", "EMPLOYMENT", "TRAINING", "FRENCH", "HEALTH", "MOBILITY"}
var exitReasons = []string{"GOALS_REACHED", "GOALS_REACHED", "GOALS_REACHED", "JOURNEY_LIMIT", "MOVED_AWAY", "WITHDRAWAL", "OTHER"}
var housingSituations = []string{"PERMANENT_HOUSING", "PERMANENT_HOUSING", "TEMPORARY_HOUSING", "HOSTED", "EMERGENCY_SHELTER"}
var employmentSituations = []string{"PERMANENT_CONTRACT", "FIXED_TERM_CONTRACT", "INSERTION_CONTRACT", "TEMPORARY_WORK", "JOB_SEEKING", "JOB_SEEKING"}
var trainingSituations = []string{"QUALIFYING_TRAINING", "FRENCH_COURSE", "OTHER_TRAINING", "NONE", "NONE"}
var orientationKinds = []string{"FRENCH_COURSE", "QUALIFYING_TRAINING", "INSERTION_SCHEME", "FRANCE_TRAVAIL", "APPRENTICESHIP", "JOB_SEARCH_SUPPORT"}
var supportKinds = []string{"CV_WRITING", "INTERVIEW_SIMULATION", "JOB_SEARCH", "INTERNSHIP_SEARCH", "WORK_IMMERSION_SEARCH", "EMPLOYER_MEETING"}
var contractTypes = []string{"CDI", "CDD_6_MONTHS_OR_MORE", "CDD_UNDER_6_MONTHS", "TEMPORARY", "INSERTION", "APPRENTICESHIP"}
var educationLevels = []string{"NO_SCHOOLING", "PRIMARY", "LOWER_SECONDARY", "UPPER_SECONDARY", "SHORT_HIGHER", "BACHELOR", "MASTER"}

// journey generates beneficiary i: facts first (dates of the acts, up to the reference
// day), then the derived state with model.DeriveJourney, then the rows.
func (g *gen) journey(i int) *journey {
	r := rand.New(rand.NewPCG(g.seed, uint64(i)+1<<32))
	j := &journey{}
	n := g.beneficiaryCount()
	bi := uint32(i + 1)
	id := uuidOf(g.seed, kBeneficiary, bi, 0)
	d := g.depts[int(splitmix64(g.seed^uint64(i))%uint64(len(g.depts)))]
	today := g.today
	chance := func(p float64) bool { return r.Float64() < p }
	days := func(lo, hi int) int { return lo + r.IntN(hi-lo+1) }
	past := func(x model.Date) bool { return !x.After(today) }

	// Referrals spread evenly over the years before the reference day, in index order.
	span := g.o.Scale.Years * 365
	referred := today.AddDate(0, 0, -span+i*span/n)
	if !referred.Before(today) {
		referred = today.AddDate(0, 0, -1)
	}
	socialOp, employmentOp := d.structures[0], d.structures[1]
	sw := d.socialStaff[r.IntN(len(d.socialStaff))]
	swEmail := fmt.Sprintf("ts%d.%s@seed.agir.local", indexOf(d.socialStaff, sw)+1, lower(d.code))
	ic := d.counsellors[r.IntN(len(d.counsellors))]
	icEmail := fmt.Sprintf("ci%d.%s@seed.agir.local", indexOf(d.counsellors, ic)+1, lower(d.code))
	coEmail := fmt.Sprintf("co1.%s@seed.agir.local", lower(d.code))

	nat := nationalities[r.IntN(len(nationalities))]
	p := person{first: firstNames[r.IntN(len(firstNames))], last: lastNames[r.IntN(len(lastNames))], nationality: nat}
	p.sex = "MALE"
	if chance(0.42) {
		p.sex = "FEMALE"
	}
	birth := referred.AddDate(-days(18, 58), 0, -r.IntN(365))
	protection := "REFUGEE"
	switch x := r.Float64(); {
	case x > 0.95:
		protection = "OTHER"
	case x > 0.65:
		protection = "SUBSIDIARY_PROTECTION"
	}
	exceptional := chance(0.03)
	var cir, instruction, agreement *model.Date
	var instructionRef, approvedBy *string
	admission := "ELIGIBLE"
	if exceptional {
		admission = "EXCEPTIONAL"
		in, ag := referred.AddDate(0, 0, -10), referred.AddDate(0, 0, -5)
		ref, by := fmt.Sprintf("DDETS%s-%d-%06d", d.code, referred.Year, i), "state_representative@demo.agir.local"
		instruction, agreement, instructionRef, approvedBy = &in, &ag, &ref, &by
	} else {
		c := referred.AddDate(0, 0, -days(5, 60))
		cir = &c
	}
	granted := referred.AddDate(0, 0, -days(70, 300))

	f := model.JourneyFacts{Department: d.code, ReferredOn: referred, CirSignedOn: cir}
	version := 1
	lastUpdate := at(referred, 10)
	touch := func(t time.Time) {
		version++
		if t.After(lastUpdate) {
			lastUpdate = t
		}
	}
	j.acts = append(j.acts, auditAct{at: at(referred, 10), actor: coEmail, role: "coordinator", structure: d.structures[2],
		action: "referBeneficiary", dept: d.code, entity: id})

	// household
	if chance(0.35) {
		j.household = append(j.household, []any{uuidOf(g.seed, kHousehold, bi, 0), id, "SPOUSE", firstNames[r.IntN(len(firstNames))], p.last,
			ds(birth.AddDate(0, 0, days(-2000, 2000))), map[string]string{"MALE": "FEMALE", "FEMALE": "MALE"}[p.sex], nat, true, ds(referred), at(referred, 10)})
		for k := 0; k < r.IntN(4); k++ {
			j.household = append(j.household, []any{uuidOf(g.seed, kHousehold, bi, uint16(1+k)), id, "MINOR_CHILD", firstNames[r.IntN(len(firstNames))],
				p.last, ds(referred.AddDate(-days(1, 16), 0, -r.IntN(300))), []string{"MALE", "FEMALE"}[r.IntN(2)], nat, true, ds(referred), at(referred, 10)})
		}
	}

	// referent social worker from the start
	j.referents = append(j.referents, []any{uuidOf(g.seed, kReferent, bi, 0), id, "SOCIAL_WORKER", sw, at(referred.AddDate(0, 0, 1), 9), coEmail})

	// convocations and the welcome interview
	interview := 0
	addInterview := func(conv any, kind string, planned time.Time, status string, author, structure string) {
		var held any
		if status == "HELD" {
			held = ds(model.DateOf(planned))
		}
		var note any
		if status == "HELD" {
			note = "Entretien réalisé ; points d'étape sur les démarches en cours."
		}
		medium := "IN_PERSON"
		if interview%5 == 3 {
			medium = "PHONE"
		}
		j.interviews = append(j.interviews, []any{uuidOf(g.seed, kInterview, bi, uint16(interview)), id, conv, kind, medium, planned,
			status, held, note, nil, author, structure, planned.Add(-240 * time.Hour), planned})
		interview++
	}
	var welcome *model.Date
	handed := referred.AddDate(0, 0, days(2, 10))
	for c := 0; c < 2 && past(handed) && welcome == nil; c++ {
		appt := handed.AddDate(0, 0, days(7, 20))
		conv := uuidOf(g.seed, kConvocation, bi, uint16(c))
		j.convocations = append(j.convocations, []any{conv, id, at(appt, 9+r.IntN(7)), "Locaux de l'opérateur social, " + d.name, ds(handed), at(handed, 11)})
		f.Convoked = true
		touch(at(handed, 11))
		status := model.InterviewStatusPlanned
		if past(appt) {
			switch x := r.Float64(); {
			case x < 0.88 || c == 1 && x < 0.96:
				status = model.InterviewStatusHeld
			case x < 0.95:
				status = model.InterviewStatusNoShow
			default:
				status = model.InterviewStatusExcused
			}
		}
		addInterview(conv, "WELCOME", at(appt, 9+c), string(status), swEmail, socialOp)
		st := status
		f.ConvocationStatus = &st
		if status == model.InterviewStatusHeld {
			w := appt
			welcome = &w
			touch(at(appt, 12))
		}
		handed = appt.AddDate(0, 0, days(3, 10))
	}
	f.WelcomeHeldOn = welcome

	end := today.AddDate(0, 0, 45) // last day of activity generated (a future planned interview at most)
	var contract *model.Date
	var exit *model.ExitFact
	var exitReason string
	if welcome != nil {
		w := *welcome
		// diagnostic of the social situation, rights
		for k, a := range axes[:5] {
			j.axes = append(j.axes, []any{id, a, "Situation évaluée à l'accueil (" + a + ")", "Besoins à travailler", ds(w), at(w, 11+k%2)})
		}
		for k, kind := range []string{"HEALTH_INSURANCE", "BANK_ACCOUNT", "CAF_BENEFITS"} {
			done := w.AddDate(0, 0, days(10, 90))
			status, started, completed := "IN_PROGRESS", any(ds(w)), any(nil)
			if past(done) && chance(0.85) {
				status, completed = "DONE", ds(done)
			}
			j.rights = append(j.rights, []any{uuidOf(g.seed, kRights, bi, uint16(k)), id, kind, status, started, completed, at(w, 12)})
		}
		// objectives and plan actions
		objOn := w.AddDate(0, 0, days(3, 9))
		if past(objOn) {
			nObj := days(2, 4)
			f.ObjectiveCount = nObj
			for k := 0; k < nObj; k++ {
				obj := uuidOf(g.seed, kObjective, bi, uint16(k))
				axis := axes[(k+r.IntN(3))%len(axes)]
				j.objectives = append(j.objectives, []any{obj, id, axis, "Objectif " + axis, at(objOn, 14)})
				for a := 0; a < days(1, 2); a++ {
					due := objOn.AddDate(0, 0, days(30, 240))
					status, completed := "PLANNED", any(nil)
					if !due.After(today) {
						switch x := r.Float64(); {
						case x < 0.6:
							status, completed = "DONE", ds(due.AddDate(0, 0, -r.IntN(20)))
						case x < 0.7:
							status = "ABANDONED"
						default:
							status = "IN_PROGRESS"
						}
					} else if chance(0.5) {
						status = "IN_PROGRESS"
					}
					j.planActions = append(j.planActions, []any{uuidOf(g.seed, kPlanAction, bi, uint16(k*4+a)), obj, id,
						"Action " + axis, status, ds(due), completed, at(objOn, 14), at(objOn, 15)})
				}
			}
			touch(at(objOn, 14))
			c := objOn.AddDate(0, 0, days(5, 40))
			if past(c) && chance(0.93) {
				contract = &c
				f.ContractSignedOn = contract
				j.contract = append(j.contract, []any{id, ds(c), true, swEmail, at(c, 10)})
				j.referents = append(j.referents, []any{uuidOf(g.seed, kReferent, bi, 1), id, "INSERTION_COUNSELLOR", ic, at(c, 11), coEmail})
				touch(at(c, 10))
				j.acts = append(j.acts, auditAct{at: at(c, 10), actor: swEmail, role: "social_worker", structure: socialOp,
					action: "signEngagementContract", dept: d.code, entity: id})
			}
		}
		// entry evaluation
		if e := w.AddDate(0, 0, days(5, g.params.EntryEvaluationDelayDays+10)); past(e) && chance(0.9) {
			j.evaluations = append(j.evaluations, evalRow(g, bi, 0, id, "ENTRY", e, r))
			f.EvaluationStages = append(f.EvaluationStages, model.EvaluationStageEntry)
			touch(at(e, 15))
		}
		// the end of the journey: most leave within the 24 months, some go past the limit
		limit := w.AddMonthsClamped(g.params.MaxJourneyMonths).AddDate(0, 0, -1)
		planned := w.AddDate(0, 0, days(270, 740))
		if contract == nil && chance(0.6) {
			planned = w.AddDate(0, 0, days(60, 250))
		}
		if planned.After(limit) {
			planned = limit.AddDate(0, 0, days(0, 40))
		}
		// housing proposals
		if contract != nil {
			for k := 0; k < r.IntN(3); k++ {
				on := contract.AddDate(0, 0, days(20, 400))
				if !past(on) || on.After(planned) {
					break
				}
				outcome, decided, reason := "ACCEPTED", any(nil), any(nil)
				dec := on.AddDate(0, 0, days(5, 30))
				switch x := r.Float64(); {
				case !past(dec):
					outcome = "PENDING"
				case x < 0.25:
					outcome, decided, reason = "REFUSED", ds(dec), "Logement trop éloigné des écoles"
					f.HousingRefusals = append(f.HousingRefusals, dec)
				default:
					decided = ds(dec)
				}
				j.housing = append(j.housing, []any{uuidOf(g.seed, kHousing, bi, uint16(k)), id, ds(on), "T2 bailleur social " + d.code,
					"Bailleur social", outcome, decided, reason, at(on, 10), at(on, 11)})
				touch(at(on, 10))
			}
		}
		if past(planned) && chance(0.96) {
			kind := model.ExitKindExit
			exitReason = exitReasons[r.IntN(len(exitReasons))]
			if !planned.Before(limit) {
				exitReason = "JOURNEY_LIMIT"
			}
			if len(f.HousingRefusals) >= 2 || chance(0.02) {
				kind, exitReason = model.ExitKindExclusion, "TWO_HOUSING_REFUSALS"
			}
			exit = &model.ExitFact{Key: uuidOf(g.seed, kExit, bi, 0), Kind: kind, On: planned}
			f.LastExit = exit
			end = planned
		}
		// mid-course evaluation
		if e := w.AddMonthsClamped(g.params.MidCourseEvaluationMonths).AddDate(0, 0, days(-10, 20)); past(e) && !e.After(end) && chance(0.85) {
			j.evaluations = append(j.evaluations, evalRow(g, bi, 1, id, "MID_COURSE", e, r))
			f.EvaluationStages = append(f.EvaluationStages, model.EvaluationStageMidCourse)
			touch(at(e, 15))
		}
		// follow-up interviews until the exit (and one planned ahead)
		t := w.AddDate(0, 0, days(14, 40))
		for k := 0; k < 60 && !t.After(end); k++ {
			kind, author, structure := "SOCIAL", swEmail, socialOp
			if contract != nil && t.After(*contract) && k%2 == 1 {
				kind, author, structure = "PROFESSIONAL", icEmail, employmentOp
			}
			if !past(t) {
				addInterview(nil, kind, at(t, 10), "PLANNED", author, structure)
				break
			}
			status := "HELD"
			switch x := r.Float64(); {
			case x > 0.96:
				status = "CANCELLED"
			case x > 0.91:
				status = "EXCUSED"
			case x > 0.85:
				status = "NO_SHOW"
			}
			addInterview(nil, kind, at(t, 9+k%7), status, author, structure)
			t = t.AddDate(0, 0, days(20, 45))
		}
		// professional side
		if contract != nil {
			c := *contract
			if on := c.AddDate(0, 0, days(7, 30)); past(on) && !on.After(end) {
				lvl := r.IntN(len(educationLevels))
				j.proDiagnostics = append(j.proDiagnostics, []any{uuidOf(g.seed, kProDiagnostic, bi, 0), id, ds(on), educationLevels[lvl],
					lvl * 3, arr("Manutention", "Conduite"), arr("Agent de production"), icEmail, employmentOp, at(on, 10)})
			}
			j.frenchLevels = append(j.frenchLevels, []any{uuidOf(g.seed, kFrenchLevel, bi, 0), id, []string{"BELOW_A1", "A1", "A2"}[r.IntN(3)],
				ds(referred), "OFII_CIR_TEST", 200 + 100*r.IntN(3), 0, icEmail, employmentOp, at(c, 11)})
			if on := c.AddMonthsClamped(6); past(on) && !on.After(end) {
				j.frenchLevels = append(j.frenchLevels, []any{uuidOf(g.seed, kFrenchLevel, bi, 1), id, []string{"A1", "A2", "B1"}[r.IntN(3)],
					ds(on), "TRAINING_BODY", 400, days(100, 400), icEmail, employmentOp, at(on, 11)})
			}
			on := c.AddDate(0, 0, days(10, 60))
			for k := 0; k < days(1, 3) && past(on) && !on.After(end); k++ {
				j.orientations = append(j.orientations, orientationRow(g, d, bi, uint16(k), id, on, today, icEmail, employmentOp, r))
				touch(at(on, 10))
				on = on.AddDate(0, 0, days(40, 150))
			}
			on = c.AddDate(0, 0, days(15, 60))
			for k := 0; k < 40 && past(on) && !on.After(end); k++ {
				var result any
				if k%2 == 0 {
					result = "Démarche réalisée, à poursuivre."
				}
				j.supportActions = append(j.supportActions, []any{uuidOf(g.seed, kSupportAction, bi, uint16(k)), id, supportKinds[r.IntN(len(supportKinds))],
					ds(on), result, icEmail, ic, employmentOp, at(on, 16)})
				on = on.AddDate(0, 0, days(25, 80))
			}
		}
	}

	// the exit, its evaluation, follow-ups and the outcome
	if exit != nil {
		x := exit.On
		var housing, employment, training any
		if exit.Kind == model.ExitKindExit {
			// the outcome first: the exit form says what it says (exitSituation)
			if contract != nil && chance(0.6) {
				starts := x.AddDate(0, 0, -days(0, 60))
				if starts.Before(*contract) {
					starts = *contract
				}
				row := []any{uuidOf(g.seed, kOutcome, bi, 0), id, nil, nil, nil, nil, nil, nil, nil, ds(starts), nil, icEmail, employmentOp, at(x, 15)}
				switch y := r.Float64(); {
				case y < 0.6:
					row[2], row[3], row[4], row[5], row[6] = "EMPLOYMENT", contractTypes[r.IntN(len(contractTypes))], 20+r.IntN(16), "Agent de production", "Industrie"
				case y < 0.78:
					row[2], row[7], row[8] = "QUALIFYING_TRAINING", "Titre professionnel", "LEVEL_3"
				case y < 0.85:
					row[2], row[7] = "PRE_QUALIFYING_TRAINING", "Prépa compétences"
				case y < 0.92:
					row[2], row[7] = "WORK_ORIENTED_FRENCH_COURSE", "Français à visée professionnelle"
				default:
					row[2] = "FRANCE_TRAVAIL_REGISTRATION"
				}
				j.outcomes = append(j.outcomes, row)
			}
			housing = housingSituations[r.IntN(len(housingSituations))]
			employment, training = exitSituation(j.outcomes, x, r)
		}
		j.exits = append(j.exits, []any{exit.Key, id, string(exit.Kind), ds(x), exitReason, housing, employment, training, swEmail, at(x, 16)})
		touch(at(x, 16))
		j.acts = append(j.acts, auditAct{at: at(x, 16), actor: swEmail, role: "social_worker", structure: socialOp,
			action: "recordExit", dept: d.code, entity: id})
		if exit.Kind == model.ExitKindExit {
			if chance(0.8) {
				j.evaluations = append(j.evaluations, evalRow(g, bi, 2, id, "EXIT", x, r))
				f.EvaluationStages = append(f.EvaluationStages, model.EvaluationStageExit)
			}
			for k, stage := range []model.FollowUpStage{model.FollowUpStageThreeMonths, model.FollowUpStageSixMonths} {
				due := model.FollowUpDueOn(x, stage, g.params)
				held := due.AddDate(0, 0, days(0, 12))
				if !past(held) || !chance(0.9) {
					break
				}
				j.followUps = append(j.followUps, []any{uuidOf(g.seed, kFollowUp, bi, uint16(k)), id, exit.Key, string(stage), ds(due), ds(held),
					housingSituations[r.IntN(len(housingSituations))], employmentSituations[r.IntN(len(employmentSituations))],
					trainingSituations[r.IntN(len(trainingSituations))], at(held, 10)})
				f.FollowUps = append(f.FollowUps, stage)
				touch(at(held, 10))
			}
		}
	}

	// derived state: the same function as the acts (the refusals in the order the Store
	// reads them: by decision day)
	slices.SortStableFunc(f.HousingRefusals, func(a, b model.Date) int { return a.Time().Compare(b.Time()) })
	st := model.DeriveJourney(f, g.params)
	for _, a := range st.Alerts {
		var due any
		if a.DueOn != nil {
			due = ds(*a.DueOn)
		}
		j.alerts = append(j.alerts, []any{id, string(a.Kind), ds(a.From), due})
	}
	var convStatus any
	if st.ConvocationStatus != nil {
		convStatus = string(*st.ConvocationStatus)
	}
	j.beneficiary = []any{id, version, at(referred, 10), lastUpdate, p.first, p.last, ds(birth), p.sex, nat, arr(languagesOf[nat]...),
		fmt.Sprintf("06%08d", r.IntN(100000000)), fmt.Sprintf("%d rue de la République, %s", 1+r.IntN(120), d.name), protection,
		ds(granted), dsp(cir), d.code, socialOp, employmentOp, ds(referred), fmt.Sprintf("OFII-%s-%d-%07d", d.code, referred.Year, i),
		admission, dsp(instruction), sp(instructionRef), dsp(agreement), sp(approvedBy), string(st.Phase), ds(st.StartsOn), ds(st.EndsOn),
		dsp(st.WelcomeDueOn), dsp(f.WelcomeHeldOn), convStatus}
	return j
}

func evalRow(g *gen, bi uint32, k uint16, id, stage string, on model.Date, r *rand.Rand) []any {
	return []any{uuidOf(g.seed, kEvaluation, bi, k), id, 0, stage, ds(on), r.IntN(6), r.IntN(6), r.IntN(6), r.IntN(6), at(on, 15)}
}

func orientationRow(g *gen, d *dept, bi uint32, k uint16, id string, on, today model.Date, author, structure string, r *rand.Rand) []any {
	p := r.IntN(len(d.partners))
	var offer any
	if len(d.offers) > 0 && r.IntN(3) > 0 {
		offer = d.offers[r.IntN(len(d.offers))]
	}
	due := on.AddDate(0, 0, 15)
	answered := on.AddDate(0, 0, 3+r.IntN(20))
	started := answered.AddDate(0, 0, 7+r.IntN(30))
	ended := started.AddDate(0, 0, 30+r.IntN(200))
	status := "PENDING"
	var answeredOn, answeredBy, category, refusal, startedOn, endedOn, abandon any
	if !answered.After(today) && r.IntN(20) > 0 {
		answeredOn, answeredBy = ds(answered), fmt.Sprintf("pe%d-1.%s@seed.agir.local", p+1, lower(d.code))
		switch x := r.Float64(); {
		case x < 0.15:
			status, category = "REFUSED", refusalCategoryAt(x/0.15)
			switch category {
			case "NO_CAPACITY":
				refusal = "Places complètes pour cette session"
			case "OTHER":
				refusal = "Horaires incompatibles avec la garde des enfants"
			}
		case started.After(today):
			status = "ACCEPTED"
		case ended.After(today):
			status, startedOn = "STARTED", ds(started)
		case x < 0.3:
			status, startedOn, endedOn, abandon = "ABANDONED", ds(started), ds(ended), "Reprise d'emploi"
		default:
			status, startedOn, endedOn = "COMPLETED", ds(started), ds(ended)
		}
	}
	updated := at(on, 10)
	return []any{uuidOf(g.seed, kOrientation, bi, k), id, orientationKinds[r.IntN(len(orientationKinds))], d.partners[p], offer,
		"Orientation vers le partenaire pour avancer sur le projet professionnel", ds(on), ds(due), status, answeredOn, answeredBy,
		category, refusal, startedOn, endedOn, abandon, author, structure, at(on, 10), updated}
}

// exitSituation is the employment and training situations of the exit form of a journey
// that ended on exitedOn with outcomes (rows of the outcomes table): what the outcomes in
// progress that day say (model.SituationFromOutcomes), as exitJourney requires of a real
// exit (model.CheckExitSituation); without a job, job seeking; without a training that
// counts, a French course, another training or none, drawn.
func exitSituation(outcomes [][]any, exitedOn model.Date, r *rand.Rand) (employment, training string) {
	var recorded []model.Outcome
	for _, row := range outcomes {
		o := model.Outcome{Kind: model.OutcomeKind(row[2].(string))}
		o.StartsOn, _ = model.ParseDate(row[9].(string))
		if c, ok := row[3].(string); ok {
			ct := model.ContractType(c)
			o.ContractType = &ct
		}
		if e, ok := row[10].(string); ok {
			end, _ := model.ParseDate(e)
			o.EndsOn = &end
		}
		recorded = append(recorded, o)
	}
	jobs, trainings := model.SituationFromOutcomes(recorded, exitedOn)
	employment, training = string(model.EmploymentSituationJobSeeking), exitTrainings[r.IntN(len(exitTrainings))]
	if len(jobs) > 0 {
		employment = string(jobs[0])
	}
	if len(trainings) > 0 {
		training = string(trainings[0])
	}
	return employment, training
}

// exitTrainings are the training situations of an exit without a training that counts
// for the target.
var exitTrainings = []string{"FRENCH_COURSE", "OTHER_TRAINING", "NONE", "NONE"}

// refusalCategoryAt draws a refusal reason (« motif de refus ») from u in [0, 1): full
// sessions first, then ineligibility, unreachable people, people declining, duplicates
// and other reasons, in the proportions a partner's refusals plausibly have.
func refusalCategoryAt(u float64) string {
	for _, c := range []struct {
		upTo     float64
		category string
	}{{0.4, "NO_CAPACITY"}, {0.6, "PUBLIC_NOT_ELIGIBLE"}, {0.72, "BENEFICIARY_UNREACHABLE"}, {0.82, "BENEFICIARY_DECLINED"},
		{0.87, "OFFER_NOT_SUITED"}, {0.92, "DUPLICATE"}} {
		if u < c.upTo {
			return c.category
		}
	}
	return "OTHER"
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
