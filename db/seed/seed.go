// Package seed fills an empty AGIR database with a synthetic programme at a given scale,
// for load tests and query plans (issue 9, DESIGN §9): `department` is one department
// (about 1 500 journeys), `national` is 100 departments over five years (about 150 000
// journeys, millions of interviews and actions, 30 000 offers, 2 000 structures).
//
// The data is deterministic from a seed and a reference day. Every large table is
// loaded with COPY in one transaction. The derived state of each journey (phase, period,
// alerts) is computed with model.DeriveJourney from the generated facts, the one
// function the acts use, so the derived columns are those the acts would have written.
//
// Journeys are generated beneficiary by beneficiary from a random source seeded with
// (seed, index): each table is one pass over the beneficiaries that regenerates the
// journey and keeps that table's rows, so memory stays small at national scale.
package seed

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Scale is the size of a seeded programme.
type Scale struct {
	Name                  string
	Departments           int // covered departments (the first is always "69")
	BeneficiariesPerDept  int // journeys referred over Years
	Years                 int
	PartnersPerDept       int // local partner structures (plus 4 operators/services)
	OffersPerDept         int
	EventsPerDept         int // network events
	SocialWorkersPerDept  int
	CounsellorsPerDept    int
	NeedsPerDept          int
	AuditEntriesPerJourny int // audit entries per journey (the referral and the main acts)
}

// Scales are the named scales of `server seed -scale`.
var Scales = map[string]Scale{
	"department": {Name: "department", Departments: 1, BeneficiariesPerDept: 1500, Years: 5, PartnersPerDept: 16,
		OffersPerDept: 300, EventsPerDept: 50, SocialWorkersPerDept: 12, CounsellorsPerDept: 12, NeedsPerDept: 10},
	"national": {Name: "national", Departments: 100, BeneficiariesPerDept: 1500, Years: 5, PartnersPerDept: 16,
		OffersPerDept: 300, EventsPerDept: 50, SocialWorkersPerDept: 12, CounsellorsPerDept: 12, NeedsPerDept: 10},
}

// DefaultSeed and DefaultToday make two loads identical on every machine.
const DefaultSeed = 20261126

// DefaultToday is the reference day of the generated journeys: referrals run over the
// Years before it. Queries answer relative to the real day, so alerts age with time.
var DefaultToday = model.NewDate(2026, time.November, 2)

// Options of a load.
type Options struct {
	Scale    Scale
	Seed     uint64
	Today    model.Date // zero means DefaultToday
	Progress io.Writer  // told of each table as it is loaded; nil for silence
}

// Report counts the rows loaded per table.
type Report struct {
	Rows     map[string]int
	Tables   []string // in load order
	Duration time.Duration
}

// Total is the number of rows loaded.
func (r Report) Total() int {
	n := 0
	for _, v := range r.Rows {
		n += v
	}
	return n
}

// Load fills the empty, migrated database at url with the programme at scale (a key of
// Scales), deterministic from seed.
func Load(ctx context.Context, url, scale string, seed uint64) (Report, error) {
	sc, ok := Scales[scale]
	if !ok {
		return Report{}, fmt.Errorf("seed: unknown scale %q (department, national)", scale)
	}
	return LoadWith(ctx, url, Options{Scale: sc, Seed: seed})
}

// LoadWith is Load with every option.
func LoadWith(ctx context.Context, url string, o Options) (Report, error) {
	start := time.Now()
	if o.Today.IsZero() {
		o.Today = DefaultToday
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return Report{}, fmt.Errorf("seed: open: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var n int
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM structures) + (SELECT count(*) FROM beneficiaries)`).Scan(&n); err != nil {
		return Report{}, fmt.Errorf("seed: %w", err)
	}
	if n > 0 {
		return Report{}, fmt.Errorf("seed: the database is not empty (%d structures and beneficiaries): seed a fresh one", n)
	}
	g := newGen(o)
	rep := Report{Rows: map[string]int{}}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return rep, fmt.Errorf("seed: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit, a no-op
	// The load's own session: no statement timeout, and a large work memory for the
	// index maintenance of COPY.
	if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0; SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
		return rep, fmt.Errorf("seed: %w", err)
	}
	for _, t := range g.tables() {
		t0 := time.Now()
		k, err := copyTable(ctx, tx, t)
		if err != nil {
			return rep, fmt.Errorf("seed: %s: %w", t.name, err)
		}
		rep.Rows[t.name] += k
		if !slices.Contains(rep.Tables, t.name) {
			rep.Tables = append(rep.Tables, t.name)
		}
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "  %-32s %9d rows  %6.1fs\n", t.name, k, time.Since(t0).Seconds())
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return rep, fmt.Errorf("seed: commit: %w", err)
	}
	// Statistics for the planner and the visibility map (index-only scans), as
	// autovacuum leaves them after such a load: the steady state of a live database.
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		return rep, fmt.Errorf("seed: vacuum analyze: %w", err)
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// table is one COPY: its columns and the generator of its rows.
type table struct {
	name string
	cols []string
	rows func(emit func(...any) error) error
}

func copyTable(ctx context.Context, tx pgx.Tx, t table) (int, error) {
	// The generator pushes rows (emit), COPY pulls them: a goroutine makes the one the
	// other, with a bounded buffer.
	rows := make(chan []any, 256)
	stop := make(chan struct{})
	genErr := make(chan error, 1)
	go func() {
		defer close(rows)
		genErr <- t.rows(func(v ...any) error {
			select {
			case rows <- v:
				return nil
			case <-stop:
				return errCopyStopped
			}
		})
	}()
	n := 0
	_, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromFunc(func() ([]any, error) {
		v, ok := <-rows
		if !ok {
			return nil, <-genErr // nil at the end of the rows
		}
		n++
		return v, nil
	}))
	close(stop)
	for range rows { // let the generator end
	}
	return n, err
}

var errCopyStopped = errors.New("seed: copy stopped")

// ---- the territory ----

type dept struct {
	code, name   string
	lat, lon     float64
	span         float64 // half-width of the area where its offers are, in degrees
	structures   [4]string
	partners     []string
	socialStaff  []string
	counsellors  []string
	coordinators []string
	editors      []string // one per partner
	offers       []string // keys of its published offers
}

// gen is one load: the seed, the reference day and the territory.
type gen struct {
	o     Options
	seed  uint64
	today model.Date
	now   time.Time // the reference day's noon, for timestamps
	depts []*dept
	// national coordination: the analysts' and admins' structure
	national string
	params   model.Parameters
}

func newGen(o Options) *gen {
	g := &gen{o: o, seed: o.Seed, today: o.Today, now: at(o.Today, 12), params: model.DefaultParameters()}
	g.national = uuidOf(g.seed, kStructure, 0, 0)
	codes := departmentCodes(o.Scale.Departments)
	staff := uint32(0)
	for i, c := range codes {
		d := &dept{code: c, name: "Département " + c}
		d.lat, d.lon, d.span = centroid(c, g.seed)
		si := uint32(i + 1)
		for k := range d.structures {
			d.structures[k] = uuidOf(g.seed, kStructure, si, uint16(k))
		}
		for k := 0; k < o.Scale.PartnersPerDept; k++ {
			d.partners = append(d.partners, uuidOf(g.seed, kStructure, si, uint16(10+k)))
		}
		next := func() string { staff++; return uuidOf(g.seed, kStaff, staff, 0) }
		for k := 0; k < o.Scale.SocialWorkersPerDept; k++ {
			d.socialStaff = append(d.socialStaff, next())
		}
		for k := 0; k < o.Scale.CounsellorsPerDept; k++ {
			d.counsellors = append(d.counsellors, next())
		}
		d.coordinators = []string{next(), next()}
		for range d.partners {
			d.editors = append(d.editors, next())
		}
		for k := 0; k < o.Scale.OffersPerDept; k++ {
			if offerStatus(k) == "PUBLISHED" {
				d.offers = append(d.offers, uuidOf(g.seed, kOffer, si, uint16(k)))
			}
		}
		g.depts = append(g.depts, d)
	}
	return g
}

// departmentCodes are the n first covered departments: "69" first (the development
// accounts' territory), then the others in INSEE order.
func departmentCodes(n int) []string {
	all := []string{"69"}
	for i := 1; i <= 95; i++ {
		c := fmt.Sprintf("%02d", i)
		if i == 20 || c == "69" {
			continue
		}
		all = append(all, c)
		if i == 19 {
			all = append(all, "2A", "2B")
		}
	}
	all = append(all, "971", "972", "973", "974", "976")
	if n > len(all) {
		n = len(all)
	}
	return all[:n]
}

// centroid places a department: the overseas ones where they are, the metropolitan ones
// on a deterministic spread over mainland France (in_france of the schema holds).
func centroid(code string, seed uint64) (lat, lon, span float64) {
	switch code {
	case "971":
		return 16.2, -61.5, 0.15
	case "972":
		return 14.63, -61.02, 0.1
	case "973":
		return 4.0, -53.0, 0.5
	case "974":
		return -21.13, 55.53, 0.15
	case "976":
		return -12.8, 45.15, 0.05
	case "69":
		return 45.76, 4.84, 0.3
	}
	h := splitmix64(seed ^ uint64(len(code))<<40 ^ uint64(code[0])<<8 ^ uint64(code[len(code)-1]))
	lat = 43.3 + float64(h%6500)/1000       // 43.3 .. 49.8
	lon = -1.0 + float64((h>>20)%7500)/1000 // -1.0 .. 6.5
	return lat, lon, 0.3
}

func at(d model.Date, hour int) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, model.Paris)
	return t
}

func ds(d model.Date) string { return d.String() }

func dsp(d *model.Date) any {
	if d == nil {
		return nil
	}
	return d.String()
}

func sp(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func arr(s ...string) any {
	if s == nil {
		s = []string{}
	}
	return s
}

// ---- tables ----

func (g *gen) tables() []table {
	return []table{
		g.coveredDepartments(), g.structures(), g.staff(),
		g.offers(), g.networkEvents(), g.eventParticipants(), g.emergingNeeds(),
		g.beneficiaries(),
		g.journeyTable("household_members", []string{"id", "beneficiary_id", "relationship", "first_name", "last_name", "birth_date", "sex", "nationality", "has_protection", "joined_on", "created_at"},
			func(j *journey) [][]any { return j.household }),
		g.journeyTable("convocations", []string{"id", "beneficiary_id", "appointment_at", "address", "handed_over_on", "created_at"},
			func(j *journey) [][]any { return j.convocations }),
		g.journeyTable("interviews", []string{"id", "beneficiary_id", "convocation_id", "kind", "medium", "planned_at", "status", "held_on", "shared_note", "private_note", "author_subject", "author_structure_id", "created_at", "updated_at"},
			func(j *journey) [][]any { return j.interviews }),
		g.journeyTable("diagnostic_axes", []string{"beneficiary_id", "axis", "situation", "needs", "assessed_on", "updated_at"},
			func(j *journey) [][]any { return j.axes }),
		g.journeyTable("referent_assignments", []string{"id", "beneficiary_id", "kind", "staff_member_id", "assigned_at", "assigned_by"},
			func(j *journey) [][]any { return j.referents }),
		g.journeyTable("objectives", []string{"id", "beneficiary_id", "axis", "title", "created_at"},
			func(j *journey) [][]any { return j.objectives }),
		g.journeyTable("plan_actions", []string{"id", "objective_id", "beneficiary_id", "title", "status", "due_on", "completed_on", "created_at", "updated_at"},
			func(j *journey) [][]any { return j.planActions }),
		g.journeyTable("engagement_contracts", []string{"beneficiary_id", "signed_on", "consent_recorded", "recorded_by", "created_at"},
			func(j *journey) [][]any { return j.contract }),
		g.journeyTable("housing_proposals", []string{"id", "beneficiary_id", "proposed_on", "offer", "landlord", "outcome", "decided_on", "refusal_reason", "created_at", "updated_at"},
			func(j *journey) [][]any { return j.housing }),
		g.journeyTable("rights_steps", []string{"id", "beneficiary_id", "kind", "status", "started_on", "completed_on", "updated_at"},
			func(j *journey) [][]any { return j.rights }),
		g.journeyTable("evaluations", []string{"id", "beneficiary_id", "round", "stage", "evaluated_on", "housing_score", "employment_score", "training_score", "rights_score", "created_at"},
			func(j *journey) [][]any { return j.evaluations }),
		g.journeyTable("journey_exits", []string{"id", "beneficiary_id", "kind", "exited_on", "reason", "housing_situation", "employment_situation", "training_situation", "recorded_by", "created_at"},
			func(j *journey) [][]any { return j.exits }),
		g.journeyTable("follow_ups", []string{"id", "beneficiary_id", "exit_id", "stage", "due_on", "held_on", "housing_situation", "employment_situation", "training_situation", "created_at"},
			func(j *journey) [][]any { return j.followUps }),
		g.journeyTable("beneficiary_alerts", []string{"beneficiary_id", "kind", "active_from", "due_on"},
			func(j *journey) [][]any { return j.alerts }),
		g.journeyTable("professional_diagnostics", []string{"id", "beneficiary_id", "assessed_on", "education_level", "years_of_schooling", "skills", "target_jobs", "author_subject", "author_structure_id", "created_at"},
			func(j *journey) [][]any { return j.proDiagnostics }),
		g.journeyTable("french_levels", []string{"id", "beneficiary_id", "level", "assessed_on", "source", "training_hours_prescribed", "training_hours_done", "author_subject", "author_structure_id", "created_at"},
			func(j *journey) [][]any { return j.frenchLevels }),
		g.journeyTable("orientations", []string{"id", "beneficiary_id", "kind", "structure_id", "offer_id", "purpose", "oriented_on", "answer_due_on", "status", "answered_on", "answered_by", "refusal_category", "refusal_reason", "started_on", "ended_on", "abandon_reason", "oriented_by_subject", "oriented_by_structure_id", "created_at", "updated_at"},
			func(j *journey) [][]any { return j.orientations }),
		g.journeyTable("support_actions", []string{"id", "beneficiary_id", "kind", "held_on", "result", "author_subject", "author_staff_id", "author_structure_id", "created_at"},
			func(j *journey) [][]any { return j.supportActions }),
		g.journeyTable("outcomes", []string{"id", "beneficiary_id", "kind", "contract_type", "weekly_hours", "job_title", "employer_sector", "training_title", "certification_level", "starts_on", "ends_on", "author_subject", "author_structure_id", "created_at"},
			func(j *journey) [][]any { return j.outcomes }),
		g.auditLog(),
	}
}

func (g *gen) coveredDepartments() table {
	return table{name: "covered_departments", cols: []string{"code", "name", "covered_since"}, rows: func(emit func(...any) error) error {
		since := g.today.AddDate(-g.o.Scale.Years, 0, -7)
		for _, d := range g.depts {
			if err := emit(d.code, d.name, ds(since)); err != nil {
				return err
			}
		}
		return nil
	}}
}

var operatorRoles = [4]string{"SOCIAL_OPERATOR", "EMPLOYMENT_OPERATOR", "COORDINATOR", "STATE_SERVICE"}
var operatorNames = [4]string{"Opérateur social AGIR", "Opérateur emploi AGIR", "Coordination AGIR", "DDETS"}
var partnerKinds = []string{"Mission locale", "France Travail", "CPAM", "CAF", "CCAS", "Alliance française", "GRETA", "AFPA",
	"Habitat et Humanisme", "Adoma", "Centre de santé", "Cimade", "Entreprise d'insertion", "Chantier d'insertion", "Wimoov", "Singa"}
var sectorsOf = map[string][]string{"Mission locale": {"EMPLOYMENT", "TRAINING"}, "France Travail": {"EMPLOYMENT"}, "CPAM": {"HEALTH", "RIGHTS"},
	"CAF": {"RIGHTS"}, "CCAS": {"SOCIAL_ACTION"}, "Alliance française": {"FRENCH"}, "GRETA": {"TRAINING", "FRENCH"}, "AFPA": {"TRAINING"},
	"Habitat et Humanisme": {"HOUSING"}, "Adoma": {"HOUSING"}, "Centre de santé": {"HEALTH"}, "Cimade": {"RIGHTS"},
	"Entreprise d'insertion": {"EMPLOYMENT"}, "Chantier d'insertion": {"EMPLOYMENT"}, "Wimoov": {"MOBILITY"}, "Singa": {"SOCIAL_ACTION"}}

func (g *gen) allCodes() []string {
	out := make([]string, len(g.depts))
	for i, d := range g.depts {
		out[i] = d.code
	}
	return out
}

func (g *gen) structures() table {
	return table{name: "structures", cols: []string{"id", "name", "agir_role", "departments", "sectors", "commune", "code_postal", "latitude", "longitude", "date_maj", "created_at", "updated_at"},
		rows: func(emit func(...any) error) error {
			created := at(g.today.AddDate(-g.o.Scale.Years, 0, -30), 9)
			if err := emit(g.national, "Coordination nationale AGIR", "COORDINATOR", g.allCodes(), arr(), "Paris", "75001",
				48.86, 2.35, ds(g.today), created, created); err != nil {
				return err
			}
			for _, d := range g.depts {
				cp := postalCode(d.code)
				for k, id := range d.structures {
					if err := emit(id, operatorNames[k]+" "+d.code, operatorRoles[k], arr(d.code), arr(), "Chef-lieu "+d.code, cp,
						d.lat, d.lon, ds(g.today), created, created); err != nil {
						return err
					}
				}
				for k, id := range d.partners {
					kind := partnerKinds[k%len(partnerKinds)]
					if err := emit(id, fmt.Sprintf("%s %s-%d", kind, d.code, k+1), "LOCAL_PARTNER", arr(d.code), sectorsOf[kind],
						"Commune "+d.code, cp, d.lat+float64(k%5-2)*d.span/4, d.lon+float64(k%7-3)*d.span/5, ds(g.today), created, created); err != nil {
						return err
					}
				}
			}
			return nil
		}}
}

func postalCode(code string) string {
	switch code {
	case "2A":
		return "20000"
	case "2B":
		return "20200"
	}
	return (code + "000")[:5]
}

// devAccounts are the accounts of the development tokens (auth.DevPrincipal's
// "<role>@demo.agir.local"), in department 69 or at the national coordination.
func (g *gen) staff() table {
	return table{name: "staff_members", cols: []string{"id", "structure_id", "name", "email", "staff_role", "active", "created_at"},
		rows: func(emit func(...any) error) error {
			created := at(g.today.AddDate(-g.o.Scale.Years, 0, -20), 9)
			d0 := g.depts[0]
			dev := []struct{ key, role, structure string }{
				{"coordinator", "COORDINATOR", d0.structures[2]},
				{"social_worker", "SOCIAL_WORKER", d0.structures[0]},
				{"insertion_counsellor", "INSERTION_COUNSELLOR", d0.structures[1]},
				{"partner_editor", "PARTNER_EDITOR", d0.partners[0]},
				{"analyst", "ANALYST", g.national},
				{"state_representative", "STATE_REPRESENTATIVE", d0.structures[3]},
				{"admin", "ADMIN", g.national},
			}
			for k, a := range dev {
				if err := emit(uuidOf(g.seed, kStaff, 0, uint16(k)), a.structure, "Compte "+a.key, a.key+"@demo.agir.local", a.role, true, created); err != nil {
					return err
				}
			}
			for _, d := range g.depts {
				put := func(ids []string, structure, role, prefix string) error {
					for k, id := range ids {
						name := fmt.Sprintf("%s %s %s", firstNames[(k*7+len(d.code))%len(firstNames)], lastNames[(k*13+int(d.code[0]))%len(lastNames)], d.code)
						email := fmt.Sprintf("%s%d.%s@seed.agir.local", prefix, k+1, strings.ToLower(d.code))
						if err := emit(id, structure, name, email, role, true, created); err != nil {
							return err
						}
					}
					return nil
				}
				if err := put(d.socialStaff, d.structures[0], "SOCIAL_WORKER", "ts"); err != nil {
					return err
				}
				if err := put(d.counsellors, d.structures[1], "INSERTION_COUNSELLOR", "ci"); err != nil {
					return err
				}
				if err := put(d.coordinators, d.structures[2], "COORDINATOR", "co"); err != nil {
					return err
				}
				for k, id := range d.editors {
					if err := put([]string{id}, d.partners[k], "PARTNER_EDITOR", fmt.Sprintf("pe%d-", k+1)); err != nil {
						return err
					}
				}
			}
			return nil
		}}
}

// ---- partnership ----

var offerThemes = [][]string{
	{"lecture-ecriture-calcul--maitriser-le-francais"},
	{"logement-hebergement--louer-un-logement", "logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement"},
	{"trouver-un-emploi--repondre-a-des-offres-demploi", "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"},
	{"se-former--trouver-sa-formation"},
	{"sante--acces-aux-soins"},
	{"difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"},
	{"mobilite--preparer-un-permis", "mobilite--etre-accompagne-dans-son-parcours-mobilite"},
	{"numerique--maitriser-les-fondamentaux-du-numerique"},
}
var offerTitles = []string{"Cours de français langue étrangère", "Accès au logement autonome", "Atelier recherche d'emploi",
	"Formation qualifiante", "Accès aux soins", "Accompagnement aux démarches", "Mobilité et permis", "Initiation au numérique"}
var offerTypes = []string{"formation", "accompagnement", "atelier", "formation", "accompagnement", "accompagnement", "accompagnement", "atelier"}

func offerStatus(k int) string {
	switch {
	case k%20 == 19:
		return "ARCHIVED"
	case k%10 == 7:
		return "DRAFT"
	}
	return "PUBLISHED"
}

func (g *gen) offers() table {
	return table{name: "offers", cols: []string{"id", "structure_id", "nom", "description", "type", "thematiques", "publics", "frais",
		"modes_accueil", "modes_mobilisation", "mobilisable_par", "commune", "code_postal", "department", "latitude", "longitude",
		"zone_eligibilite", "langues", "statuts_protection", "niveau_francais_requis", "capacite", "status", "verified_at", "verified_by",
		"quality_score", "date_maj", "created_at", "updated_at"},
		rows: func(emit func(...any) error) error {
			for di, d := range g.depts {
				r := rand.New(rand.NewPCG(g.seed, 1<<40|uint64(di)))
				for k := 0; k < g.o.Scale.OffersPerDept; k++ {
					p := k % len(d.partners)
					t := (p + k/len(d.partners)) % len(offerThemes)
					lat := d.lat + (r.Float64()*2-1)*d.span
					lon := d.lon + (r.Float64()*2-1)*d.span
					var level any
					if t == 3 {
						level = []string{"A1", "A2", "B1"}[r.IntN(3)]
					}
					verified := g.now.AddDate(0, -r.IntN(12), -r.IntN(28))
					created := verified.AddDate(0, -r.IntN(24), 0)
					zone := d.code
					if err := emit(uuidOf(g.seed, kOffer, uint32(di+1), uint16(k)), d.partners[p],
						fmt.Sprintf("%s — %s %d", offerTitles[t], d.code, k+1),
						"Offre d'accompagnement ouverte aux personnes réfugiées : "+offerTitles[t]+", en lien avec le programme AGIR.",
						offerTypes[t], offerThemes[t], arr("personnes-exilees"), "gratuit", arr("en-presentiel"),
						arr("telephoner", "envoyer-un-courriel"), arr("professionnels"), "Commune "+d.code, postalCode(d.code), d.code,
						lat, lon, arr(zone), arr("fr", "en"), arr("REFUGEE", "SUBSIDIARY_PROTECTION"), level, 5+r.IntN(40),
						offerStatus(k), verified, d.editors[p], fmt.Sprintf("%.2f", 0.4+float64(r.IntN(60))/100), ds(model.DateOf(verified)),
						created, verified); err != nil {
						return err
					}
				}
			}
			return nil
		}}
}

var themes = []string{"HOUSING", "EMPLOYMENT", "TRAINING", "HEALTH", "SOCIAL_ACTION", "FRENCH", "RIGHTS", "MOBILITY"}

func (g *gen) eventStart(di, k int) time.Time {
	span := g.o.Scale.Years * 365
	day := g.today.AddDate(0, 0, -span+k*(span+60)/g.o.Scale.EventsPerDept+di%7)
	return at(day, 9+k%6)
}

func (g *gen) networkEvents() table {
	return table{name: "network_events", cols: []string{"id", "kind", "title", "theme", "starts_at", "ends_at", "location", "departments", "agenda", "minutes", "created_at"},
		rows: func(emit func(...any) error) error {
			for di, d := range g.depts {
				for k := 0; k < g.o.Scale.EventsPerDept; k++ {
					kind := "MEETING"
					if k%3 == 1 {
						kind = "EXCHANGE_SESSION"
					}
					starts := g.eventStart(di, k)
					var minutes any
					if starts.Before(g.now) {
						minutes = "Compte rendu : tour de table, points de blocage, actions décidées."
					}
					theme := themes[k%len(themes)]
					if err := emit(uuidOf(g.seed, kEvent, uint32(di+1), uint16(k)), kind, fmt.Sprintf("Réunion de réseau %s n°%d", d.code, k+1),
						theme, starts, starts.Add(2*time.Hour), "Maison des associations", arr(d.code), "1. Tour de table\n2. Actualités",
						minutes, starts.AddDate(0, 0, -30)); err != nil {
						return err
					}
				}
			}
			return nil
		}}
}

func (g *gen) eventParticipants() table {
	return table{name: "network_event_participants", cols: []string{"event_id", "structure_id", "invited", "attended"},
		rows: func(emit func(...any) error) error {
			for di, d := range g.depts {
				for k := 0; k < g.o.Scale.EventsPerDept; k++ {
					past := g.eventStart(di, k).Before(g.now)
					event := uuidOf(g.seed, kEvent, uint32(di+1), uint16(k))
					invited := append([]string{d.structures[0], d.structures[1], d.structures[2]}, d.partners[k%len(d.partners)], d.partners[(k+5)%len(d.partners)])
					for i, s := range invited {
						var attended any
						if past {
							attended = (i+k)%5 != 4
						}
						if err := emit(event, s, true, attended); err != nil {
							return err
						}
					}
				}
			}
			return nil
		}}
}

func (g *gen) emergingNeeds() table {
	return table{name: "emerging_needs", cols: []string{"id", "description", "theme", "department", "reported_by_structure", "reported_at", "beneficiaries_concerned", "status"},
		rows: func(emit func(...any) error) error {
			statuses := []string{"IDENTIFIED", "IN_PROGRESS", "ADDRESSED", "DROPPED"}
			for di, d := range g.depts {
				for k := 0; k < g.o.Scale.NeedsPerDept; k++ {
					if err := emit(uuidOf(g.seed, kNeed, uint32(di+1), uint16(k)), "Besoin repéré sur le territoire : places de cours de français insuffisantes.",
						themes[(k+di)%len(themes)], d.code, d.partners[k%len(d.partners)], g.now.AddDate(0, -k*5, 0), 3+k*2, statuses[k%4]); err != nil {
						return err
					}
				}
			}
			return nil
		}}
}

// ---- the journeys ----

func (g *gen) beneficiaryCount() int { return g.o.Scale.Departments * g.o.Scale.BeneficiariesPerDept }

// journeys calls fn with each journey in index order.
func (g *gen) journeys(fn func(j *journey) error) error {
	n := g.beneficiaryCount()
	for i := 0; i < n; i++ {
		if err := fn(g.journey(i)); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) journeyTable(name string, cols []string, rows func(*journey) [][]any) table {
	return table{name: name, cols: cols, rows: func(emit func(...any) error) error {
		return g.journeys(func(j *journey) error {
			for _, r := range rows(j) {
				if err := emit(r...); err != nil {
					return err
				}
			}
			return nil
		})
	}}
}

func (g *gen) beneficiaries() table {
	return table{name: "beneficiaries", cols: []string{"id", "version", "created_at", "updated_at", "first_name", "last_name", "birth_date", "sex",
		"nationality", "languages", "phone", "address", "protection_type", "protection_granted_on", "cir_signed_on", "department",
		"social_operator_id", "employment_operator_id", "referred_on", "ofii_reference", "admission", "state_instruction_on",
		"state_instruction_ref", "ofii_agreement_on", "admission_approved_by", "phase", "journey_starts_on", "journey_ends_on",
		"welcome_due_on", "welcome_held_on", "convocation_status"},
		rows: func(emit func(...any) error) error {
			return g.journeys(func(j *journey) error { return emit(j.beneficiary...) })
		}}
}

// auditLog writes the main acts of every journey in time order, chained by hash as
// db.(*Tx).audit does (db.VerifyAuditChain accepts the result).
func (g *gen) auditLog() table {
	return table{name: "audit_log", cols: []string{"at", "actor_subject", "actor_email", "actor_role", "actor_structure_id", "request_id",
		"operation", "client_addr", "action", "entity_type", "entity_id", "departments", "changes", "prev_hash", "hash"},
		rows: func(emit func(...any) error) error {
			var all []auditAct
			if err := g.journeys(func(j *journey) error { all = append(all, j.acts...); return nil }); err != nil {
				return err
			}
			slices.SortStableFunc(all, func(a, b auditAct) int { return a.at.Compare(b.at) })
			prev := make([]byte, 32)
			for _, a := range all {
				changes := `{"act": "` + a.action + `"}`
				e := []string{a.at.UTC().Format(time.RFC3339Nano), a.actor, a.actor, a.role, a.structure, "", a.action, "",
					a.action, "Beneficiary", a.entity, a.dept, changes}
				h := sha256.New()
				h.Write(prev)
				for _, f := range e {
					fmt.Fprintf(h, "%d:%s;", len(f), f)
				}
				hash := h.Sum(nil)
				if err := emit(a.at, a.actor, a.actor, a.role, a.structure, "", a.action, "", a.action, "Beneficiary", a.entity,
					arr(a.dept), changes, prev, hash); err != nil {
					return err
				}
				prev = hash
			}
			return nil
		}}
}

type auditAct struct {
	at                                   time.Time
	actor, role, structure, action, dept string
	entity                               string
}
