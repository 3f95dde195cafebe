package demo

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The professional part of the demo: for the beneficiaries already loaded (by the social
// step), a pre-diagnostic, French-level assessments with their progression, orientations
// to the local partners, support actions and outcomes. Across the beneficiaries, every
// orientation status (including a pending one past its deadline) and every outcome type
// appear as soon as there are enough of them; without beneficiaries it does nothing.

// demoOrientationStatuses are cycled over the beneficiaries; "OVERDUE" is a pending
// orientation past its answer deadline.
var demoOrientationStatuses = []string{"OVERDUE", "ACCEPTED", "REFUSED", "STARTED", "COMPLETED", "ABANDONED", "PENDING"}

// demoOutcomes are cycled over the beneficiaries that found an outcome.
var demoOutcomes = []struct{ kind, contract, title, sector, training string }{
	{"EMPLOYMENT", "CDI", "Aide-soignant·e", "Santé", ""},
	{"EMPLOYMENT", "CDD_6_MONTHS_OR_MORE", "Agent·e de propreté", "Propreté", ""},
	{"QUALIFYING_TRAINING", "", "", "", "Titre professionnel cuisinier·ère"},
	{"EMPLOYMENT", "CDD_UNDER_6_MONTHS", "Préparateur·rice de commandes", "Logistique", ""},
	{"EMPLOYMENT", "TEMPORARY", "Manutentionnaire", "Logistique", ""},
	{"EMPLOYMENT", "INSERTION", "Valoriste", "Économie circulaire", ""},
	{"FRANCE_TRAVAIL_REGISTRATION", "", "", "", ""},
	{"EMPLOYMENT", "APPRENTICESHIP", "Électricien·ne", "Bâtiment", ""},
	{"EMPLOYMENT", "SELF_EMPLOYED", "Couturier·ère", "Artisanat", ""},
	{"QUALIFYING_TRAINING", "", "", "", "CAP accompagnant éducatif petite enfance"},
	{"PRE_QUALIFYING_TRAINING", "", "", "", "Prépa compétences — métiers du soin"},
	{"WORK_ORIENTED_FRENCH_COURSE", "", "", "", "Français à visée professionnelle — logistique"},
}

// demoRefusals are cycled over the demo's refused orientations: a reason from the closed
// list (« motif de refus ») and its free text, always given for OTHER.
var demoRefusals = [][2]string{
	{"NO_CAPACITY", "Session complète : la personne est invitée à la prochaine session"},
	{"PUBLIC_NOT_ELIGIBLE", ""},
	{"BENEFICIARY_UNREACHABLE", "Trois appels et un SMS sans réponse"},
	{"NO_CAPACITY", ""},
	{"BENEFICIARY_DECLINED", ""},
	{"OTHER", "Horaires incompatibles avec la garde des enfants"},
}

// demoPartnerFor names the partner receiving an orientation of a kind in a department.
var demoPartnerFor = map[string]map[string]string{
	"69": {"FRENCH_COURSE": "Alliance française de Lyon", "QUALIFYING_TRAINING": "GRETA Lyon Métropole",
		"INSERTION_SCHEME": "Entreprise d'insertion Envie Rhône", "FRANCE_TRAVAIL": "France Travail Lyon Part-Dieu",
		"APPRENTICESHIP": "AFPA Vénissieux", "JOB_SEARCH_SUPPORT": "Mission locale de Lyon"},
	"38": {"FRENCH_COURSE": "GRETA Nord-Isère", "QUALIFYING_TRAINING": "GRETA Nord-Isère",
		"INSERTION_SCHEME": "Chantier d'insertion Tremplin Isère", "FRANCE_TRAVAIL": "France Travail Grenoble Bastille",
		"APPRENTICESHIP": "GRETA Nord-Isère", "JOB_SEARCH_SUPPORT": "Wimoov Auvergne-Rhône-Alpes"},
}

var demoOrientationKinds = []string{"JOB_SEARCH_SUPPORT", "FRENCH_COURSE", "QUALIFYING_TRAINING", "INSERTION_SCHEME", "FRANCE_TRAVAIL", "APPRENTICESHIP"}

var demoTargetJobs = [][]string{{"aide-soignant·e", "agent·e de service hospitalier"}, {"cuisinier·ère", "commis de cuisine"},
	{"préparateur·rice de commandes", "cariste"}, {"électricien·ne"}, {"agent·e de propreté"}, {"couturier·ère", "retoucheur·euse"}}

var demoSkills = [][]string{{"soins", "accueil du public"}, {"cuisine collective", "hygiène HACCP"}, {"conduite de chariot", "inventaire"},
	{"câblage", "lecture de plans"}, {"entretien des locaux"}, {"couture", "retouches"}}

// loadProfessional adds the professional records of the demo beneficiaries.
func (g *gen) loadProfessional() error {
	var bens []struct {
		Key        string      `db:"id"`
		Department string      `db:"department"`
		ReferredOn model.Date  `db:"referred_on"`
		CirOn      *model.Date `db:"cir_signed_on"`
	}
	if err := g.tx.SelectContext(g.ctx, &bens, `SELECT id, department, referred_on, cir_signed_on FROM beneficiaries ORDER BY ofii_reference, id`); err != nil {
		return fmt.Errorf("professional: beneficiaries: %w", err)
	}
	today := model.DateOf(time.Now())
	counsellors := []string{"insertion_counsellor", "ic2", "ic3", "ic4"}
	asfel := g.ids[structureKey("ASFEL")]
	delay := model.DefaultParameters().OrientationAnswerDelayDays
	outcomeIndex := 0
	for i, b := range bens {
		staff := counsellors[i%len(counsellors)]
		subject := "demo:" + staff
		// Days of the journey, clamped to today: an act is recorded once it happened.
		day := func(after int) model.Date {
			d := b.ReferredOn.AddDate(0, 0, after)
			if d.After(today) {
				return today
			}
			return d
		}
		elapsed := b.ReferredOn.DaysUntil(today)

		// Pre-diagnostic, redone for some after a few months.
		levels := model.AllEducationLevel
		barrierKinds := model.AllBarrierKind
		barriers := []model.Barrier{{Kind: model.BarrierKindFrench, Severity: model.AllBarrierSeverity[2-i%3]}}
		for j := 0; j < 1+g.rnd.IntN(3); j++ {
			k := barrierKinds[1+g.rnd.IntN(len(barrierKinds)-1)]
			dup := false
			for _, x := range barriers {
				dup = dup || x.Kind == k
			}
			if !dup {
				barriers = append(barriers, model.Barrier{Kind: k, Severity: model.AllBarrierSeverity[g.rnd.IntN(3)]})
			}
		}
		diplomas := []model.Diploma{}
		if i%3 != 0 {
			diplomas = append(diplomas, model.Diploma{Title: "Diplôme de fin d'études secondaires", Country: "Afghanistan",
				Recognition: model.AllDiplomaRecognition[i%len(model.AllDiplomaRecognition)]})
		}
		experiences := []model.WorkExperience{{Job: demoTargetJobs[i%len(demoTargetJobs)][0], Sector: "secteur d'origine", Years: 1 + g.rnd.IntN(10), Country: "pays d'origine"}}
		diagnostics := []int{15}
		if elapsed > 200 && i%2 == 0 {
			diagnostics = append(diagnostics, 180)
		}
		for n, after := range diagnostics {
			if n > 0 {
				barriers = barriers[:1]
				barriers[0].Severity = model.BarrierSeverityLow
			}
			dj, _ := json.Marshal(diplomas)
			ej, _ := json.Marshal(experiences)
			bj, _ := json.Marshal(barriers)
			_, err := g.tx.ExecContext(g.ctx, `
				INSERT INTO professional_diagnostics (beneficiary_id, assessed_on, education_level, years_of_schooling, diplomas,
				       experiences, skills, target_jobs, barriers, author_subject, author_structure_id, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())`,
				b.Key, day(after), string(levels[(i*3)%len(levels)]), 4+i%12, string(dj), string(ej),
				demoSkills[i%len(demoSkills)], demoTargetJobs[i%len(demoTargetJobs)], string(bj), subject, asfel)
			if err != nil {
				return fmt.Errorf("professional: diagnostic: %w", err)
			}
		}

		// French levels: the OFII test at CIR signature, then assessments after training.
		rank := i % 3 // BELOW_A1, A1 or A2 at the OFII test
		cir := b.ReferredOn
		if b.CirOn != nil {
			cir = *b.CirOn
		}
		steps := []struct {
			on               model.Date
			source           string
			prescribed, done int
		}{{cir, "OFII_CIR_TEST", []int{600, 400, 200}[rank], 0}}
		for _, after := range []int{120, 300, 500} {
			if after < elapsed {
				steps = append(steps, struct {
					on               model.Date
					source           string
					prescribed, done int
				}{day(after), []string{"TRAINING_BODY", "INSERTION_COUNSELLOR", "CERTIFICATION"}[len(steps)-1], 0, 100 + g.rnd.IntN(100)})
			}
		}
		for n, s := range steps {
			if n > 0 && g.rnd.IntN(4) > 0 {
				rank = min(rank+1, len(model.AllCefrLevel)-1)
			}
			_, err := g.tx.ExecContext(g.ctx, `
				INSERT INTO french_levels (beneficiary_id, level, assessed_on, source, training_hours_prescribed, training_hours_done,
				       author_subject, author_structure_id, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())`,
				b.Key, string(model.AllCefrLevel[rank]), s.on, s.source, s.prescribed, s.done, subject, asfel)
			if err != nil {
				return fmt.Errorf("professional: french level: %w", err)
			}
		}

		// Support actions.
		for j, kind := range model.AllSupportActionKind {
			if (i+j)%3 != 0 || 30+20*j > elapsed {
				continue
			}
			_, err := g.tx.ExecContext(g.ctx, `
				INSERT INTO support_actions (beneficiary_id, kind, held_on, result, author_subject, author_staff_id, author_structure_id, created_at)
				VALUES ($1, $2, $3, $4, $5, NULLIF($6, '')::uuid, $7, now())`,
				b.Key, string(kind), day(30+20*j), "Réalisé ; prochaine étape fixée avec la personne", subject, g.ids["staff:"+staff], asfel)
			if err != nil {
				return fmt.Errorf("professional: support action: %w", err)
			}
		}

		// One orientation, its status cycled so that every status appears; a refused one
		// is followed by another, accepted.
		status := demoOrientationStatuses[i%len(demoOrientationStatuses)]
		kind := demoOrientationKinds[i%len(demoOrientationKinds)]
		if status == "OVERDUE" {
			kind = "JOB_SEARCH_SUPPORT" // to the demo partner's inbox in the Rhône
		}
		if err := g.orientation(b.Key, b.Department, kind, status, day, today, delay, subject, asfel); err != nil {
			return err
		}
		if status == "REFUSED" {
			if err := g.orientation(b.Key, b.Department, "FRENCH_COURSE", "ACCEPTED", day, today, delay, subject, asfel); err != nil {
				return err
			}
		}

		// Outcomes for those accompanied for a while: every type first, then about two
		// thirds of the others.
		if elapsed < 60 || (outcomeIndex >= len(demoOutcomes) && i%3 == 2) {
			continue
		}
		o := demoOutcomes[outcomeIndex%len(demoOutcomes)]
		outcomeIndex++
		start := day(90 + g.rnd.IntN(60))
		var end *model.Date
		switch o.contract {
		case "CDD_6_MONTHS_OR_MORE", "APPRENTICESHIP":
			e := start.AddMonthsClamped(12)
			end = &e
		case "CDD_UNDER_6_MONTHS", "TEMPORARY":
			e := start.AddMonthsClamped(3)
			end = &e
		}
		if o.training != "" {
			e := start.AddMonthsClamped(9)
			end = &e
		}
		nullable := func(s string) *string {
			if s == "" {
				return nil
			}
			return &s
		}
		var hours *int
		var level *string
		if o.kind == "EMPLOYMENT" {
			h := []int{35, 24, 28, 35}[i%4]
			hours = &h
		}
		if o.kind == "QUALIFYING_TRAINING" {
			level = nullable("LEVEL_3")
		}
		_, err := g.tx.ExecContext(g.ctx, `
			INSERT INTO outcomes (beneficiary_id, kind, contract_type, weekly_hours, job_title, employer_sector, training_title,
			       certification_level, starts_on, ends_on, author_subject, author_structure_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())`,
			b.Key, o.kind, nullable(o.contract), hours, nullable(o.title), nullable(o.sector), nullable(o.training), level,
			start, end, subject, asfel)
		if err != nil {
			return fmt.Errorf("professional: outcome: %w", err)
		}
	}
	return nil
}

// orientation inserts one demo orientation of beneficiary key at the given status
// ("OVERDUE": pending past its deadline; "PENDING": pending within it).
func (g *gen) orientation(key, department, kind, status string, day func(int) model.Date, today model.Date, delay int, subject, asfel string) error {
	partners := demoPartnerFor[department]
	if partners == nil {
		partners = demoPartnerFor["69"]
	}
	structure := g.ids[structureKey(partners[kind])]
	orientedOn := day(40)
	switch status {
	case "OVERDUE":
		orientedOn = today.AddDate(0, 0, -(delay + 6))
	case "PENDING":
		orientedOn = today.AddDate(0, 0, -2)
	}
	if orientedOn.Before(day(0)) {
		orientedOn = day(0)
	}
	due := orientedOn.AddDate(0, 0, delay)
	var answered, started, ended *model.Date
	var category, refusal, abandon *string
	at := func(after int) *model.Date {
		d := orientedOn.AddDate(0, 0, after)
		if d.After(today) {
			d = today
		}
		return &d
	}
	dbStatus := status
	switch status {
	case "OVERDUE":
		dbStatus = "PENDING"
	case "ACCEPTED":
		answered = at(7)
	case "REFUSED":
		answered = at(5)
		c, r := demoRefusals[g.refusals%len(demoRefusals)][0], demoRefusals[g.refusals%len(demoRefusals)][1]
		g.refusals++
		category = &c
		if r != "" {
			refusal = &r
		}
	case "STARTED":
		answered, started = at(6), at(20)
	case "COMPLETED":
		answered, started, ended = at(6), at(20), at(110)
	case "ABANDONED":
		answered, started, ended = at(4), at(15), at(45)
		r := "Reprise d'un emploi saisonnier incompatible avec les horaires"
		abandon = &r
	}
	_, err := g.tx.ExecContext(g.ctx, `
		INSERT INTO orientations (beneficiary_id, kind, structure_id, purpose, oriented_on, answer_due_on, status, answered_on,
		       answered_by, refusal_category, refusal_reason, started_on, ended_on, abandon_reason, oriented_by_subject, oriented_by_structure_id,
		       created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $8::date IS NULL THEN NULL ELSE 'demo:partner' END, $9, $10, $11, $12, $13, $14, $15, now(), now())`,
		key, kind, structure, demoPurpose[kind], orientedOn, due, dbStatus, answered, category, refusal, started, ended, abandon, subject, asfel)
	if err != nil {
		return fmt.Errorf("professional: orientation: %w", err)
	}
	return nil
}

var demoPurpose = map[string]string{
	"FRENCH_COURSE":       "Cours de français à visée professionnelle pour atteindre le niveau A2",
	"QUALIFYING_TRAINING": "Entrée en formation qualifiante dans le métier visé",
	"INSERTION_SCHEME":    "Contrat d'insertion pour une première expérience en France",
	"FRANCE_TRAVAIL":      "Inscription et accompagnement par France Travail",
	"APPRENTICESHIP":      "Recherche d'un contrat d'apprentissage",
	"JOB_SEARCH_SUPPORT":  "Accompagnement à la recherche d'emploi : CV, candidatures, entretiens",
}
