package db

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// French labels of the professional acts in the timeline (no free text: refusal and
// abandon reasons, results and notes never appear in summaries).
var (
	orientationKindLabel = map[string]string{"FRENCH_COURSE": "cours de français", "QUALIFYING_TRAINING": "formation qualifiante",
		"INSERTION_SCHEME": "dispositif d'insertion", "FRANCE_TRAVAIL": "France Travail", "APPRENTICESHIP": "apprentissage",
		"JOB_SEARCH_SUPPORT": "accompagnement à la recherche d'emploi"}
	supportActionLabel = map[string]string{"CV_WRITING": "aide à la rédaction de CV", "INTERVIEW_SIMULATION": "simulation d'entretien",
		"JOB_SEARCH": "recherche d'emploi", "INTERNSHIP_SEARCH": "recherche de stage", "WORK_IMMERSION_SEARCH": "recherche d'immersion professionnelle",
		"EMPLOYER_MEETING": "rencontre avec des employeurs"}
	contractLabel = map[string]string{"CDI": "CDI", "CDD_6_MONTHS_OR_MORE": "CDD de 6 mois ou plus", "CDD_UNDER_6_MONTHS": "CDD de moins de 6 mois",
		"TEMPORARY": "intérim", "INSERTION": "contrat d'insertion", "APPRENTICESHIP": "alternance", "SELF_EMPLOYED": "travail indépendant"}
	cefrLabel = map[string]string{"BELOW_A1": "infra A1"}
)

// ProfessionalTimelineByBeneficiaries returns the acts of the professional module of each
// beneficiary, in order (one statement): pre-diagnostics, French-level assessments,
// orientations (sent, answered, started, ended), support actions and outcomes.
// Beneficiary.timeline merges them with the social module's, by day then recording
// instant (graph: joinGroupFetches).
func (s *Store) ProfessionalTimelineByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.TimelineEvent, error) {
	type row struct {
		BeneficiaryKey string     `db:"beneficiary_id"`
		On             model.Date `db:"on_day"`
		RecordedAt     time.Time  `db:"recorded_at"`
		Kind           string     `db:"kind"`
		Step           string     `db:"step"`
		A              string     `db:"a"`
		B              string     `db:"b"`
		Ord            int        `db:"ord"` // an orientation's steps in their order
	}
	m, err := groupedByBeneficiary(ctx, s, p, keys, recordsScope, `
		WITH sb AS (SELECT b.id FROM beneficiaries b WHERE b.id = ANY($1::uuid[]) AND {scope})
		SELECT * FROM (
		  SELECT d.beneficiary_id, d.assessed_on AS on_day, d.created_at AS recorded_at, 'PROFESSIONAL_DIAGNOSTIC' AS kind, '' AS step,
		         jsonb_array_length(d.barriers)::text AS a, cardinality(d.target_jobs)::text AS b, 0 AS ord
		    FROM professional_diagnostics d JOIN sb ON sb.id = d.beneficiary_id
		  UNION ALL
		  SELECT f.beneficiary_id, f.assessed_on, f.created_at, 'FRENCH_LEVEL', f.source, f.level, f.training_hours_done::text, 0
		    FROM french_levels f JOIN sb ON sb.id = f.beneficiary_id
		  UNION ALL
		  SELECT o.beneficiary_id, st.on_day, st.at, 'ORIENTATION', st.step, o.kind, s.name, st.ord
		    FROM orientations o JOIN sb ON sb.id = o.beneficiary_id JOIN structures s ON s.id = o.structure_id,
		         LATERAL (VALUES (1, 'SENT', o.oriented_on, o.created_at),
		                         (2, CASE o.status WHEN 'REFUSED' THEN 'REFUSED' ELSE 'ACCEPTED' END, o.answered_on, COALESCE(o.answered_at, o.updated_at)),
		                         (3, 'STARTED', o.started_on, COALESCE(o.started_at, o.updated_at)),
		                         (4, o.status, o.ended_on, COALESCE(o.ended_at, o.updated_at))) AS st(ord, step, on_day, at)
		   WHERE st.on_day IS NOT NULL
		  UNION ALL
		  SELECT a.beneficiary_id, a.held_on, a.created_at, 'SUPPORT_ACTION', '', a.kind, '', 0
		    FROM support_actions a JOIN sb ON sb.id = a.beneficiary_id
		  UNION ALL
		  SELECT x.beneficiary_id, x.starts_on, x.created_at, 'OUTCOME', x.kind, COALESCE(x.contract_type, ''), COALESCE(x.training_title, ''), 0
		    FROM outcomes x JOIN sb ON sb.id = x.beneficiary_id
		) t ORDER BY on_day, recorded_at, kind, a, b, ord, step`,
		func(r row) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: professional timeline: %w", err)
	}
	out := make(map[string][]model.TimelineEvent, len(m))
	for k, rows := range m {
		events := make([]model.TimelineEvent, 0, len(rows))
		for _, r := range rows {
			summary := professionalSummary(r.Kind, r.Step, r.A, r.B)
			if summary == "" {
				continue
			}
			events = append(events, model.TimelineEvent{BeneficiaryKey: k, On: r.On, RecordedAt: r.RecordedAt,
				Kind: model.TimelineEventKind(r.Kind), Summary: summary})
		}
		sort.SliceStable(events, func(i, j int) bool { return events[i].On.Before(events[j].On) })
		out[k] = events
	}
	return out, nil
}

func professionalSummary(kind, step, a, b string) string {
	switch kind {
	case "PROFESSIONAL_DIAGNOSTIC":
		return "Pré-diagnostic socio-professionnel : " + a + " frein(s), " + b + " métier(s) visé(s)"
	case "FRENCH_LEVEL":
		level := a
		if l, ok := cefrLabel[a]; ok {
			level = l
		}
		s := "Niveau de français " + level
		if step == "OFII_CIR_TEST" {
			s += " (test OFII à la signature du CIR)"
		}
		if b != "0" {
			s += ", " + b + " h de formation suivies"
		}
		return s
	case "ORIENTATION":
		what := orientationKindLabel[a] + " — " + b
		switch step {
		case "SENT":
			return "Orientation envoyée : " + what
		case "ACCEPTED":
			return "Orientation acceptée : " + what
		case "REFUSED":
			return "Orientation refusée : " + what
		case "STARTED":
			return "Orientation démarrée : " + what
		case "COMPLETED":
			return "Orientation terminée : " + what
		case "ABANDONED":
			return "Orientation abandonnée : " + what
		}
		return ""
	case "SUPPORT_ACTION":
		return "Action d'appui : " + supportActionLabel[a]
	case "OUTCOME":
		switch step {
		case "EMPLOYMENT":
			return "Emploi : " + contractLabel[a]
		case "QUALIFYING_TRAINING":
			return "Formation qualifiante : " + b
		case "PRE_QUALIFYING_TRAINING":
			return "Formation préqualifiante : " + b
		case "WORK_ORIENTED_FRENCH_COURSE":
			return "Cours de français à visée professionnelle : " + b
		case "FRANCE_TRAVAIL_REGISTRATION":
			return "Inscription à France Travail"
		}
	}
	return ""
}
