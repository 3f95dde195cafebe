package db

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

func init() {
	constraintErrors["offers_di_id_key"] = model.Errorf(model.CodeAlreadyExists, model.Path("input", "id"), "une offre porte déjà cet identifiant data·inclusion pour cette source")
	constraintErrors["structures_di_id_key"] = model.Errorf(model.CodeAlreadyExists, model.Path("input", "id"), "une structure porte déjà cet identifiant data·inclusion pour cette source")
	constraintErrors["structures_siret_check"] = model.Errorf(model.CodeInvalidSIRET, model.Path("input", "fields", "siret"), "numéro SIRET invalide")
	constraintErrors["offers_coordinates_check"] = model.Errorf(model.CodeOutOfRange, model.Path("input", "fields", "latitude"), "coordonnées hors de France")
	constraintErrors["structures_coordinates_check"] = model.Errorf(model.CodeOutOfRange, model.Path("input", "fields", "latitude"), "coordonnées hors de France")
	constraintErrors["offers_publics_check"] = model.Errorf(model.CodeInvalidInput, model.Path("input", "fields", "publics"), "publics invalides : valeurs de la liste data·inclusion, « tous-publics » seul")
	constraintErrors["offers_thematiques_check"] = model.Errorf(model.CodeUnknownValue, model.Path("input", "fields", "themes"), "thématique inconnue")
	constraintErrors["offers_update_frequency_check"] = model.Errorf(model.CodeOutOfRange, model.Path("input", "fields", "updateFrequencyMonths"), "fréquence de mise à jour hors limites")
}

// offerRow is a row of offers as scanned.
type offerRow struct {
	PageTotal             int                              `db:"page_total"` // count(*) OVER () of a search by distance (pageQuery.CountInPage)
	Key                   string                           `db:"id"`
	StructureKey          string                           `db:"structure_id"`
	Source                string                           `db:"source"`
	DIID                  string                           `db:"di_id"`
	Name                  string                           `db:"nom"`
	Description           string                           `db:"description"`
	ServiceType           *string                          `db:"type"`
	Themes                stringArray                      `db:"thematiques"`
	Publics               stringArray                      `db:"publics"`
	PublicsDetails        *string                          `db:"publics_precisions"`
	AccessConditions      *string                          `db:"conditions_acces"`
	Cost                  *string                          `db:"frais"`
	CostDetails           *string                          `db:"frais_precisions"`
	ReceptionModes        stringArray                      `db:"modes_accueil"`
	MobilisationModes     stringArray                      `db:"modes_mobilisation"`
	MobilisableBy         stringArray                      `db:"mobilisable_par"`
	MobilisationDetails   *string                          `db:"mobilisation_precisions"`
	MobilisationLink      *string                          `db:"lien_mobilisation"`
	SourceLink            *string                          `db:"lien_source"`
	Phone                 *string                          `db:"telephone"`
	Email                 *string                          `db:"courriel"`
	ContactName           *string                          `db:"contact_nom_prenom"`
	Address               *string                          `db:"adresse"`
	AddressComplement     *string                          `db:"complement_adresse"`
	City                  *string                          `db:"commune"`
	PostalCode            *string                          `db:"code_postal"`
	InseeCode             *string                          `db:"code_insee"`
	Department            *string                          `db:"department"`
	Latitude              *float64                         `db:"latitude"`
	Longitude             *float64                         `db:"longitude"`
	OpeningHours          *string                          `db:"horaires_accueil"`
	EligibilityZone       stringArray                      `db:"zone_eligibilite"`
	DurationWeeks         *int                             `db:"nombre_semaines"`
	WeeklyHours           *float64                         `db:"volume_horaire_hebdomadaire"`
	SpokenLanguages       stringArray                      `db:"langues"`
	ProtectionStatuses    stringArray                      `db:"statuts_protection"`
	FrenchLevelRequired   *string                          `db:"niveau_francais_requis"`
	DocumentsRequired     stringArray                      `db:"pieces_requises"`
	Capacity              *int                             `db:"capacite"`
	Sessions              jsonColumn[[]model.OfferSession] `db:"sessions"`
	Status                string                           `db:"status"`
	UpdateFrequencyMonths int                              `db:"update_frequency_months"`
	VerifiedAt            *time.Time                       `db:"verified_at"`
	VerifiedBy            *string                          `db:"verified_by"`
	QualityScore          float64                          `db:"quality_score"`
	UpdatedOn             model.Date                       `db:"date_maj"`
	CreatedAt             time.Time                        `db:"created_at"`
	UpdatedAt             time.Time                        `db:"updated_at"`
	Version               int                              `db:"version"`
	Origin                string                           `db:"origin"`
	DistanceM             *float64                         `db:"distance_m"`
}

var offerColumnList = []string{"id", "structure_id", "source", "di_id", "nom", "description", "type", "thematiques",
	"publics", "publics_precisions", "conditions_acces", "frais", "frais_precisions", "modes_accueil",
	"modes_mobilisation", "mobilisable_par", "mobilisation_precisions", "lien_mobilisation", "lien_source",
	"telephone", "courriel", "contact_nom_prenom", "adresse", "complement_adresse", "commune", "code_postal",
	"code_insee", "department", "latitude", "longitude", "horaires_accueil", "zone_eligibilite", "nombre_semaines",
	"volume_horaire_hebdomadaire", "langues", "statuts_protection", "niveau_francais_requis", "pieces_requises",
	"capacite", "sessions", "status", "update_frequency_months", "verified_at", "verified_by", "quality_score",
	"date_maj", "created_at", "updated_at", "version", "origin"}

var offerColumns = columnList("o.", "", offerColumnList)

func (r offerRow) model() model.Offer {
	statuses := make([]model.ProtectionStatus, len(r.ProtectionStatuses))
	for i, x := range r.ProtectionStatuses {
		statuses[i] = model.ProtectionStatus(x)
	}
	var level *model.CefrLevel
	if r.FrenchLevelRequired != nil {
		l := model.CefrLevel(*r.FrenchLevelRequired)
		level = &l
	}
	sessions := r.Sessions.V
	if sessions == nil {
		sessions = []model.OfferSession{}
	}
	o := model.Offer{Key: r.Key, StructureKey: r.StructureKey, Source: r.Source, DIID: r.DIID, Origin: model.OriginOf(r.Origin),
		Department: r.Department, Status: model.OfferStatus(r.Status), UpdateFrequencyMonths: r.UpdateFrequencyMonths,
		VerifiedAt: r.VerifiedAt, VerifiedByKey: r.VerifiedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		UpdatedOn: r.UpdatedOn, QualityScore: r.QualityScore, Version: r.Version,
		OfferFields: model.OfferFields{
			Name: r.Name, Description: r.Description, ServiceType: r.ServiceType, Themes: model.NonNilStrings(r.Themes),
			Publics: model.NonNilStrings(r.Publics), PublicsDetails: r.PublicsDetails, AccessConditions: r.AccessConditions,
			Cost: r.Cost, CostDetails: r.CostDetails, ReceptionModes: model.NonNilStrings(r.ReceptionModes),
			MobilisationModes: model.NonNilStrings(r.MobilisationModes), MobilisableBy: model.NonNilStrings(r.MobilisableBy),
			MobilisationDetails: r.MobilisationDetails, MobilisationLink: r.MobilisationLink, SourceLink: r.SourceLink,
			Phone: r.Phone, Email: r.Email, ContactName: r.ContactName, Address: r.Address,
			AddressComplement: r.AddressComplement, City: r.City, PostalCode: r.PostalCode, InseeCode: r.InseeCode,
			Latitude: r.Latitude, Longitude: r.Longitude, OpeningHours: r.OpeningHours,
			EligibilityZone: model.NonNilStrings(r.EligibilityZone), DurationWeeks: r.DurationWeeks, WeeklyHours: r.WeeklyHours,
			SpokenLanguages: model.NonNilStrings(r.SpokenLanguages), ProtectionStatuses: statuses, FrenchLevelRequired: level,
			DocumentsRequired: model.NonNilStrings(r.DocumentsRequired), Capacity: r.Capacity, Sessions: sessions,
		}}
	if r.DistanceM != nil {
		km := *r.DistanceM / 1000
		o.DistanceKm = &km
	}
	return o
}

// offerValues are the written columns of an offer's fields, in offerFieldColumns order.
var offerFieldColumns = []string{"nom", "description", "type", "thematiques", "publics", "publics_precisions",
	"conditions_acces", "frais", "frais_precisions", "modes_accueil", "modes_mobilisation", "mobilisable_par",
	"mobilisation_precisions", "lien_mobilisation", "lien_source", "telephone", "courriel", "contact_nom_prenom",
	"adresse", "complement_adresse", "commune", "code_postal", "code_insee", "latitude", "longitude",
	"horaires_accueil", "zone_eligibilite", "nombre_semaines", "volume_horaire_hebdomadaire", "langues",
	"statuts_protection", "niveau_francais_requis", "pieces_requises", "capacite", "sessions", "quality_score"}

func offerValues(f model.OfferFields) []any {
	statuses := make([]string, len(f.ProtectionStatuses))
	for i, s := range f.ProtectionStatuses {
		statuses[i] = string(s)
	}
	var level *string
	if f.FrenchLevelRequired != nil {
		l := string(*f.FrenchLevelRequired)
		level = &l
	}
	sessions, _ := json.Marshal(f.Sessions)
	if f.Sessions == nil {
		sessions = []byte("[]")
	}
	return []any{f.Name, f.Description, f.ServiceType, model.NonNilStrings(f.Themes), model.NonNilStrings(f.Publics),
		f.PublicsDetails, f.AccessConditions, f.Cost, f.CostDetails, model.NonNilStrings(f.ReceptionModes),
		model.NonNilStrings(f.MobilisationModes), model.NonNilStrings(f.MobilisableBy), f.MobilisationDetails,
		f.MobilisationLink, f.SourceLink, f.Phone, f.Email, f.ContactName, f.Address, f.AddressComplement, f.City,
		f.PostalCode, f.InseeCode, f.Latitude, f.Longitude, f.OpeningHours, model.NonNilStrings(f.EligibilityZone),
		f.DurationWeeks, f.WeeklyHours, model.NonNilStrings(f.SpokenLanguages), statuses, level,
		model.NonNilStrings(f.DocumentsRequired), f.Capacity, string(sessions), model.QualityScore(f.QualityCriteria())}
}

// partnerScope builds the conditions of a statement, numbering its arguments.
type partnerScope struct{ args []any }

func (s *partnerScope) arg(v any) string {
	s.args = append(s.args, v)
	return fmt.Sprintf("$%d", len(s.args))
}

// offerVisible is the SQL condition under which p may read offer o (joined with its
// structure s): published offers are public to the network; drafts and archives are
// visible to their own structure, the coordination of the territory and admins.
func (s *partnerScope) offerVisible(p *model.Principal) string {
	return fmt.Sprintf("(o.status = 'PUBLISHED' OR %s)", s.offerWritable(p, true))
}

// offerWritable is the SQL condition under which p may edit offer o (joined with s): a
// partner editor its own structure's offers, a coordinator those of its territory
// (structure departments ∩ its departments); admins only read (canRead) them.
func (s *partnerScope) offerWritable(p *model.Principal, canRead bool) string {
	switch p.Role {
	case model.RolePartnerEditor:
		return "o.structure_id = " + s.arg(uuidOrNil(p.StructureID)) + "::uuid"
	case model.RoleCoordinator:
		return "s.departments && " + s.arg(model.NonNilStrings(p.Departments)) + "::text[]"
	case model.RoleAdmin:
		if canRead {
			return "TRUE"
		}
	}
	if canRead && p.StructureID != "" {
		return "o.structure_id = " + s.arg(uuidOrNil(p.StructureID)) + "::uuid"
	}
	return "FALSE"
}

// uuidOrNil passes a well-formed uuid key and turns anything else (a client's guess)
// into NULL, which matches nothing.
func uuidOrNil(k string) *string {
	if !isUUID(k) {
		return nil
	}
	return &k
}

// structureWritable is the condition under which p may attach offers to structure s.
func (s *partnerScope) structureWritable(p *model.Principal) string {
	switch p.Role {
	case model.RolePartnerEditor:
		return "s.id = " + s.arg(uuidOrNil(p.StructureID)) + "::uuid"
	case model.RoleCoordinator:
		return "s.departments && " + s.arg(model.NonNilStrings(p.Departments)) + "::text[]"
	}
	return "FALSE"
}

// OffersByKeys returns the offers of keys visible to p, in key order (zero Offer where none).
func (s *Store) OffersByKeys(ctx context.Context, p *model.Principal, keys []string) ([]model.Offer, error) {
	out := make([]model.Offer, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		sc := &partnerScope{}
		keysArg := sc.arg(validUUIDs(keys))
		var rows []offerRow
		err := tx.SelectContext(ctx, &rows, `SELECT `+offerColumns+`, NULL::float8 AS distance_m
			FROM offers o JOIN structures s ON s.id = o.structure_id
			WHERE o.id = ANY(`+keysArg+`::uuid[]) AND `+sc.offerVisible(p), sc.args...)
		if err != nil {
			return err
		}
		return inKeyOrder(keys, rows, out, func(r offerRow) (string, model.Offer) { return r.Key, r.model() })
	})
	if err != nil {
		return nil, fmt.Errorf("db: offers by keys: %w", err)
	}
	return out, nil
}

// OfferFilter restricts Offers; see the schema's OfferFilter.
type OfferFilter struct {
	Near            *model.NearInput
	Department      *string
	EligibilityZone *string
	Themes          []string
	ThemeCategory   *string
	Public          *string
	Language        *string
	Cost            *string
	ReceptionMode   *string
	FrenchLevel     *model.CefrLevel
	Text            *string
	MinQuality      *float64
	Freshness       *model.Freshness
	Status          *model.OfferStatus
	StructureKey    *string
	Today           model.Date // the day freshness is computed for
}

// dueExpr is the SQL of model.VerificationDueOn: an offer of another source than AGIR's
// own (model.DIIDPrefix) counts from the later of its date_maj and its verification.
const dueExpr = `((CASE WHEN o.source = 'agir' THEN (coalesce(o.verified_at, o.created_at) AT TIME ZONE 'Europe/Paris')::date
	ELSE greatest(o.date_maj, (o.verified_at AT TIME ZONE 'Europe/Paris')::date) END) + make_interval(months => o.update_frequency_months))::date`

// Offers searches the offer map for p: published offers by default (drafts and archives
// only within p's write scope), ordered by name, or by distance when f.Near is set (the
// GiST index on ll_to_earth(latitude, longitude) serves the radius condition).
func (s *Store) Offers(ctx context.Context, p *model.Principal, f OfferFilter, page model.Page, wantTotal bool) (model.Connection[model.Offer], error) {
	q := offerSearchQuery(p, f)
	var conn model.Connection[model.Offer]
	key := func(r offerRow) (string, string) { return r.Name, r.Key }
	if f.Near != nil {
		key = func(r offerRow) (string, string) { return strconv.FormatFloat(*r.DistanceM, 'g', -1, 64), r.Key }
	}
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		conn, err = fetchPage(ctx, tx, q, page, wantTotal, key, offerRow.model)
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: offers: %w", err)
	}
	return conn, nil
}

func (r offerRow) pageTotal() int { return r.PageTotal }

// offerSearchQuery builds the page query of Offers.
func offerSearchQuery(p *model.Principal, f OfferFilter) pageQuery {
	sc := &partnerScope{}
	q := pageQuery{From: "offers o JOIN structures s ON s.id = o.structure_id",
		Order: keyset{Expr: "o.nom", Type: "text", ID: "o.id"}}
	distance := "NULL::float8"
	if f.Near != nil {
		centre := fmt.Sprintf("ll_to_earth(%s::float8, %s::float8)", sc.arg(f.Near.Latitude), sc.arg(f.Near.Longitude))
		radius := sc.arg(f.Near.RadiusKm * 1000)
		distance = fmt.Sprintf("earth_distance(%s, ll_to_earth(o.latitude, o.longitude))", centre)
		q.Where = append(q.Where, "o.latitude IS NOT NULL",
			fmt.Sprintf("earth_box(%s, %s::float8) @> ll_to_earth(o.latitude, o.longitude)", centre, radius),
			fmt.Sprintf("%s <= %s::float8", distance, radius))
		q.Order = keyset{Expr: distance, Type: "float8", ID: "o.id"}
		q.CountInPage = true // every offer in the radius is sorted by distance anyway
	}
	status := model.OfferStatusPublished
	if f.Status != nil {
		status = *f.Status
	}
	q.Where = append(q.Where, "o.status = "+sc.arg(string(status)))
	if status != model.OfferStatusPublished {
		q.Where = append(q.Where, sc.offerWritable(p, true))
	}
	if f.Department != nil {
		d := sc.arg(*f.Department)
		q.Where = append(q.Where, fmt.Sprintf("(o.department = %s OR o.zone_eligibilite @> ARRAY[%s]::text[])", d, d)) // both indexed
	}
	if f.EligibilityZone != nil {
		q.Where = append(q.Where, "o.zone_eligibilite @> ARRAY["+sc.arg(*f.EligibilityZone)+"]::text[]") // served by the GIN index
	}
	if len(f.Themes) > 0 {
		q.Where = append(q.Where, "o.thematiques && "+sc.arg(f.Themes)+"::text[]")
	}
	if f.ThemeCategory != nil {
		q.Where = append(q.Where, "EXISTS (SELECT 1 FROM unnest(o.thematiques) t WHERE t LIKE "+sc.arg(*f.ThemeCategory+"--%")+")")
	}
	if f.Public != nil {
		q.Where = append(q.Where, "o.publics && "+sc.arg([]string{*f.Public, "tous-publics"})+"::text[]")
	}
	if f.Language != nil {
		q.Where = append(q.Where, sc.arg(*f.Language)+" = ANY(o.langues)")
	}
	if f.Cost != nil {
		q.Where = append(q.Where, "o.frais = "+sc.arg(*f.Cost))
	}
	if f.ReceptionMode != nil {
		q.Where = append(q.Where, sc.arg(*f.ReceptionMode)+" = ANY(o.modes_accueil)")
	}
	if f.FrenchLevel != nil {
		// model.OfferOpenAt: the stored rank is CefrLevel.Rank of the required level, 0 for none
		q.Where = append(q.Where, "o.niveau_francais_rang <= "+sc.arg(f.FrenchLevel.Rank()))
	}
	if f.Text != nil && strings.TrimSpace(*f.Text) != "" {
		q.Where = append(q.Where, "o.search @@ websearch_to_tsquery('french', immutable_unaccent("+sc.arg(*f.Text)+"))")
	}
	if f.MinQuality != nil {
		q.Where = append(q.Where, "o.quality_score >= "+sc.arg(*f.MinQuality))
	}
	if f.Freshness != nil {
		today := sc.arg(f.Today) + "::date"
		switch *f.Freshness {
		case model.FreshnessStale:
			q.Where = append(q.Where, dueExpr+" < "+today)
		case model.FreshnessDueSoon:
			q.Where = append(q.Where, fmt.Sprintf("%s BETWEEN %s AND %s + %d", dueExpr, today, today, model.FreshnessDueSoonDays))
		case model.FreshnessFresh:
			q.Where = append(q.Where, fmt.Sprintf("%s > %s + %d", dueExpr, today, model.FreshnessDueSoonDays))
		}
	}
	if f.StructureKey != nil {
		q.Where = append(q.Where, "o.structure_id = "+sc.arg(uuidOrNil(*f.StructureKey))+"::uuid")
	}
	q.Select = offerColumns + ", " + distance + " AS distance_m"
	q.Args = sc.args
	return q
}

// offerChange is one line of an offer's history.
type offerChange struct {
	ID        int64     `db:"id"`
	At        time.Time `db:"at"`
	Action    string    `db:"action"`
	Actor     string    `db:"actor"`
	ActorRole string    `db:"actor_role"`
	Changes   string    `db:"changes"`
}

// OfferHistory returns the changes of an offer p may edit (or an admin), most recent first;
// other callers get an empty list.
func (s *Store) OfferHistory(ctx context.Context, p *model.Principal, offerKey string, page model.Page, wantTotal bool) (model.Connection[model.OfferChange], error) {
	sc := &partnerScope{}
	q := pageQuery{Select: "c.id, c.at, c.action, c.actor, c.actor_role, c.changes::text AS changes",
		From:  "offer_changes c JOIN offers o ON o.id = c.offer_id JOIN structures s ON s.id = o.structure_id",
		Order: keyset{Expr: "c.id", Type: "bigint", ID: "c.offer_id", Desc: true}}
	// the history is for the offer's editors (its structure, the coordination) and admins
	q.Where = []string{"c.offer_id = " + sc.arg(uuidOrNil(offerKey)) + "::uuid", sc.offerWritable(p, true)}
	q.Args = sc.args
	var conn model.Connection[model.OfferChange]
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		conn, err = fetchPage(ctx, tx, q, page, wantTotal,
			func(r offerChange) (string, string) { return strconv.FormatInt(r.ID, 10), offerKey },
			func(r offerChange) model.OfferChange {
				return model.OfferChange{At: r.At, Action: r.Action, Actor: r.Actor, ActorRole: model.Role(r.ActorRole), Changes: r.Changes}
			})
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: offer history: %w", err)
	}
	return conn, nil
}

// offerSnapshot is the comparable content of an offer, for history and import.
func offerSnapshot(o model.Offer) map[string]any {
	return jsonObject(struct {
		model.OfferFields
		Status                model.OfferStatus `json:"status"`
		UpdateFrequencyMonths int               `json:"updateFrequencyMonths"`
		StructureKey          string            `json:"structureId"`
	}{o.OfferFields, o.Status, o.UpdateFrequencyMonths, o.StructureKey})
}

// fieldChanges returns {field: {before, after}} for the fields that differ.
func fieldChanges(before, after map[string]any) map[string]any {
	out := map[string]any{}
	for k, a := range after {
		if b := before[k]; !reflect.DeepEqual(a, b) {
			out[k] = map[string]any{"before": b, "after": a}
		}
	}
	return out
}

// recordOfferChange writes one line of history and the audit entry of an act on an offer.
func (tx *Tx) recordOfferChange(ctx context.Context, p *model.Principal, action string, o model.Offer, changes map[string]any, departments []string) error {
	b, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	actor := p.Email
	if actor == "" {
		actor = p.Subject
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO offer_changes (offer_id, at, action, actor, actor_role, changes)
		VALUES ($1, $2, $3, $4, $5, $6::jsonb)`, o.Key, tx.Now, action, actor, string(p.Role), string(b))
	if err != nil {
		return fmt.Errorf("offer history: %w", err)
	}
	if err := tx.offerChanged(action, o, changes, departments); err != nil { // real time (db/outbox.go)
		return err
	}
	return tx.audit(ctx, p, AuditEntry{Action: action, EntityType: "Offer", EntityID: o.Key, Departments: departments, Changes: changes})
}

// lockOffer reads an offer for update within p's write scope, telling apart an offer that
// does not exist (or that p cannot see) from one p may not change, and a stale version.
func (tx *Tx) lockOffer(ctx context.Context, p *model.Principal, key string, version int) (model.Offer, []string, error) {
	sc := &partnerScope{}
	k := sc.arg(uuidOrNil(key))
	var rows []struct {
		offerRow
		Departments stringArray `db:"s_departments"`
		Writable    bool        `db:"writable"`
		Visible     bool        `db:"visible"`
	}
	writable := sc.offerWritable(p, false)
	visible := sc.offerVisible(p)
	err := tx.SelectContext(ctx, &rows, `SELECT `+offerColumns+`, NULL::float8 AS distance_m, s.departments AS s_departments,
		`+writable+` AS writable, `+visible+` AS visible
		FROM offers o JOIN structures s ON s.id = o.structure_id WHERE o.id = `+k+`::uuid FOR UPDATE OF o`, sc.args...)
	if err != nil {
		return model.Offer{}, nil, err
	}
	if len(rows) == 0 || !rows[0].Visible {
		return model.Offer{}, nil, model.ErrNotFound("offre")
	}
	if !rows[0].Writable {
		return model.Offer{}, nil, model.Errorf(model.CodeForbidden, model.Path("input", "id"), "vous ne pouvez modifier que les offres de votre structure (ou de votre territoire pour la coordination)")
	}
	o := rows[0].offerRow.model()
	if version >= 0 && o.Version != version {
		return o, nil, model.Errorf(model.CodeVersionConflict, model.Path("input", "version"), "l'offre a été modifiée entre-temps (version %d, vous aviez la %d) : rechargez-la", o.Version, version)
	}
	return o, model.NonNilStrings([]string(rows[0].Departments)), nil
}

// offerDepartment is the department of an offer: from its INSEE or postal code, else the
// structure's single department.
func offerDepartment(f model.OfferFields, structureDepartments []string) *string {
	if d := model.DepartmentOf(f.InseeCode, f.PostalCode); d != "" {
		return &d
	}
	if len(structureDepartments) == 1 {
		return &structureDepartments[0]
	}
	return nil
}

// CreateOffer creates a draft offer for structure structureKey, which must be p's own
// structure (partner editor) or in p's territory (coordinator).
func (s *Store) CreateOffer(ctx context.Context, p *model.Principal, structureKey string, f model.OfferFields, frequency int) (model.Offer, error) {
	var o model.Offer
	err := s.WithTx(ctx, func(tx *Tx) error {
		sc := &partnerScope{}
		cond := sc.structureWritable(p)
		var st []struct {
			Departments stringArray `db:"departments"`
			Writable    bool        `db:"writable"`
		}
		if err := tx.SelectContext(ctx, &st, `SELECT s.departments, `+cond+` AS writable FROM structures s WHERE s.id = `+
			sc.arg(uuidOrNil(structureKey))+`::uuid`, sc.args...); err != nil {
			return err
		}
		if len(st) == 0 {
			return model.Errorf(model.CodeNotFound, model.Path("input", "structureId"), "structure introuvable")
		}
		if !st[0].Writable {
			return model.Errorf(model.CodeForbidden, model.Path("input", "structureId"), "vous ne pouvez créer des offres que pour votre structure (ou votre territoire pour la coordination)")
		}
		key, err := tx.insertOffer(ctx, structureKey, model.DIIDPrefix, nil, f, frequency, model.OfferStatusDraft, model.DateOf(tx.Now), offerDepartment(f, st[0].Departments))
		if err != nil {
			return err
		}
		if o, err = tx.offerByKey(ctx, key); err != nil {
			return err
		}
		return tx.recordOfferChange(ctx, p, "createOffer", o, fieldChanges(map[string]any{}, offerSnapshot(o)), st[0].Departments)
	})
	if err != nil {
		return o, fmt.Errorf("db: create offer: %w", err)
	}
	return o, nil
}

func (tx *Tx) insertOffer(ctx context.Context, structureKey, source string, diID *string, f model.OfferFields, frequency int,
	status model.OfferStatus, updatedOn model.Date, department *string) (string, error) {
	cols := append([]string{"structure_id", "source", "di_id", "update_frequency_months", "status", "date_maj", "department", "created_at", "updated_at"}, offerFieldColumns...)
	args := append([]any{structureKey, source, diID, frequency, string(status), updatedOn, department, tx.Now, tx.Now}, offerValues(f)...)
	ph := make([]string, len(args))
	for i := range args {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	var key string
	err := tx.GetContext(ctx, &key, `INSERT INTO offers (`+strings.Join(cols, ", ")+`) VALUES (`+strings.Join(ph, ", ")+`) RETURNING id`, args...)
	return key, err
}

func (tx *Tx) offerByKey(ctx context.Context, key string) (model.Offer, error) {
	var r offerRow
	err := tx.GetContext(ctx, &r, `SELECT `+offerColumns+`, NULL::float8 AS distance_m FROM offers o WHERE o.id = $1`, key)
	return r.model(), err
}

// updateOfferFields writes f over offer o (already locked) and bumps its version.
func (tx *Tx) updateOfferFields(ctx context.Context, o model.Offer, f model.OfferFields, frequency int, updatedOn model.Date, department *string) error {
	sets := make([]string, len(offerFieldColumns))
	for i, c := range offerFieldColumns {
		sets[i] = fmt.Sprintf("%s = $%d", c, i+1)
	}
	args := append(offerValues(f), frequency, updatedOn, department, tx.Now, o.Key)
	n := len(offerFieldColumns)
	_, err := tx.ExecContext(ctx, `UPDATE offers SET `+strings.Join(sets, ", ")+fmt.Sprintf(
		`, update_frequency_months = $%d, date_maj = $%d, department = $%d, updated_at = $%d, version = version + 1 WHERE id = $%d`,
		n+1, n+2, n+3, n+4, n+5), args...)
	return err
}

// UpdateOffer replaces the fields of an offer in p's write scope, at version version.
func (s *Store) UpdateOffer(ctx context.Context, p *model.Principal, key string, version int, f model.OfferFields, frequency *int) (model.Offer, error) {
	var o model.Offer
	err := s.WithTx(ctx, func(tx *Tx) error {
		before, departments, err := tx.lockOffer(ctx, p, key, version)
		if err != nil {
			return err
		}
		updatedOn, err := tx.sourcedOfferEdit(ctx, before, f)
		if err != nil {
			return err
		}
		freq := before.UpdateFrequencyMonths
		if frequency != nil {
			freq = *frequency
		}
		if err := tx.updateOfferFields(ctx, before, f, freq, updatedOn, offerDepartment(f, departments)); err != nil {
			return err
		}
		if o, err = tx.offerByKey(ctx, key); err != nil {
			return err
		}
		return tx.recordOfferChange(ctx, p, "updateOffer", o, fieldChanges(offerSnapshot(before), offerSnapshot(o)), departments)
	})
	if err != nil {
		return o, fmt.Errorf("db: update offer: %w", err)
	}
	return o, nil
}

// SetOfferStatus publishes or archives an offer. Publishing is the coordination's
// moderation (territory); archiving is open to the offer's editors too.
func (s *Store) SetOfferStatus(ctx context.Context, p *model.Principal, key string, version int, status model.OfferStatus) (model.Offer, error) {
	var o model.Offer
	action := map[model.OfferStatus]string{model.OfferStatusPublished: "publishOffer", model.OfferStatusArchived: "archiveOffer"}[status]
	err := s.WithTx(ctx, func(tx *Tx) error {
		if status == model.OfferStatusPublished && p.Role != model.RoleCoordinator {
			return model.ErrForbidden()
		}
		before, departments, err := tx.lockOffer(ctx, p, key, version)
		if err != nil {
			return err
		}
		if before.Status == status {
			return model.Errorf(model.CodeRuleViolation, model.Path("input", "id"), "l'offre est déjà dans ce statut (%s)", status)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE offers SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3`,
			string(status), tx.Now, key); err != nil {
			return err
		}
		if o, err = tx.offerByKey(ctx, key); err != nil {
			return err
		}
		return tx.recordOfferChange(ctx, p, action, o, fieldChanges(offerSnapshot(before), offerSnapshot(o)), departments)
	})
	if err != nil {
		return o, fmt.Errorf("db: %s: %w", action, err)
	}
	return o, nil
}

// MarkOffersUpToDate records that p verified the offers today: all of them or none (one
// offer outside p's scope refuses the whole act).
func (s *Store) MarkOffersUpToDate(ctx context.Context, p *model.Principal, keys []string) ([]model.Offer, error) {
	out := make([]model.Offer, 0, len(keys))
	err := s.WithTx(ctx, func(tx *Tx) error {
		var verifier *string
		if err := tx.GetContext(ctx, &verifier, `SELECT (SELECT id FROM staff_members WHERE (subject = $1 AND $1 <> '')
			OR (lower(email) = lower($2) AND $2 <> '') ORDER BY (subject = $1) DESC LIMIT 1)`, p.Subject, p.Email); err != nil {
			return err
		}
		// lock every row first, in id order, so that two bulk verifications never deadlock
		if _, err := tx.ExecContext(ctx, `SELECT id FROM offers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
			validUUIDs(keys)); err != nil {
			return err
		}
		for i, key := range keys {
			before, departments, err := tx.lockOffer(ctx, p, key, -1)
			if err != nil {
				if e := model.AsUserError(err); e != nil {
					e.Field = model.Path("input", "ids", strconv.Itoa(i))
				}
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE offers SET verified_at = $1, verified_by = $2, date_maj = $3,
				updated_at = $1, version = version + 1 WHERE id = $4`, tx.Now, verifier, model.DateOf(tx.Now), key); err != nil {
				return err
			}
			o, err := tx.offerByKey(ctx, key)
			if err != nil {
				return err
			}
			changes := map[string]any{"verifiedAt": map[string]any{"before": before.VerifiedAt, "after": o.VerifiedAt}}
			if err := tx.recordOfferChange(ctx, p, "markOffersUpToDate", o, changes, departments); err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: mark offers up to date: %w", err)
	}
	return out, nil
}

// OfferStats are the freshness counts and mean quality of a structure's published offers.
type OfferStats struct {
	Counts       model.FreshnessCounts
	QualityScore *float64
}

// OfferStatsByStructure returns the stats of the structures of keys, in key order, for day today.
func (s *Store) OfferStatsByStructure(ctx context.Context, keys []string, today model.Date) ([]OfferStats, error) {
	out := make([]OfferStats, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []struct {
			Key     string   `db:"structure_id"`
			Total   int      `db:"total"`
			Stale   int      `db:"stale"`
			DueSoon int      `db:"due_soon"`
			Quality *float64 `db:"quality"`
		}
		err := tx.SelectContext(ctx, &rows, fmt.Sprintf(`SELECT o.structure_id, count(*) AS total,
			count(*) FILTER (WHERE %[1]s < $2::date) AS stale,
			count(*) FILTER (WHERE %[1]s BETWEEN $2::date AND $2::date + %[2]d) AS due_soon,
			round(avg(o.quality_score), 2)::float8 AS quality
			FROM offers o WHERE o.structure_id = ANY($1::uuid[]) AND o.status = 'PUBLISHED' GROUP BY o.structure_id`,
			dueExpr, model.FreshnessDueSoonDays), validUUIDs(keys), today)
		if err != nil {
			return err
		}
		byKey := map[string]OfferStats{}
		for _, r := range rows {
			byKey[r.Key] = OfferStats{Counts: model.FreshnessCounts{Total: r.Total, Stale: r.Stale, DueSoon: r.DueSoon,
				Fresh: r.Total - r.Stale - r.DueSoon}, QualityScore: r.Quality}
		}
		for i, k := range keys {
			out[i] = byKey[k]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: offer stats: %w", err)
	}
	return out, nil
}

// ParentPage asks for the first page of a nested connection (e.g. a structure's offers).
type ParentPage struct {
	Parent string
	Status string // offers: the status asked; staff: "active" or ""
	Limit  int
}

// OffersFirstPages answers the first page of several structures' offers visible to p in
// one statement (a window per structure), in key order.
func (s *Store) OffersFirstPages(ctx context.Context, p *model.Principal, keys []ParentPage) ([]model.Connection[model.Offer], error) {
	out := make([]model.Connection[model.Offer], len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		groups := map[[2]any][]int{}
		for i, k := range keys {
			g := [2]any{k.Status, k.Limit}
			groups[g] = append(groups[g], i)
		}
		for g, idx := range groups {
			parents := make([]string, len(idx))
			for j, i := range idx {
				parents[j] = keys[i].Parent
			}
			sc := &partnerScope{}
			parentsArg, statusArg := sc.arg(validUUIDs(parents)), sc.arg(g[0])
			cond := "TRUE"
			if g[0] != string(model.OfferStatusPublished) {
				cond = sc.offerWritable(p, true)
			}
			var rows []struct {
				offerRow
				N     int `db:"n"`
				Total int `db:"total"`
			}
			err := tx.SelectContext(ctx, &rows, `SELECT `+columnList("x.", "", offerColumnList)+`, x.distance_m, x.n, x.total FROM (SELECT `+offerColumns+`, NULL::float8 AS distance_m,
				row_number() OVER (PARTITION BY o.structure_id ORDER BY o.nom, o.id) AS n,
				count(*) OVER (PARTITION BY o.structure_id) AS total
				FROM offers o JOIN structures s ON s.id = o.structure_id
				WHERE o.structure_id = ANY(`+parentsArg+`::uuid[]) AND o.status = `+statusArg+` AND `+cond+`) x
				WHERE x.n <= `+sc.arg(g[1].(int)+1)+` ORDER BY x.nom, x.id`, sc.args...)
			if err != nil {
				return err
			}
			byParent := map[string]*model.Connection[model.Offer]{}
			for _, i := range idx {
				byParent[keys[i].Parent] = &out[i]
			}
			for _, r := range rows {
				c := byParent[r.StructureKey]
				c.TotalCount = r.Total
				if r.N > g[1].(int) {
					c.PageInfo.HasNextPage = true
					continue
				}
				c.Edges = append(c.Edges, model.Edge[model.Offer]{Position: model.Cursor{Key: r.Name, ID: r.Key}, Node: r.model()})
			}
			for _, i := range idx {
				c := byParent[keys[i].Parent]
				*c = withCursors(*c)
				out[i] = *c
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: offers first pages: %w", err)
	}
	return out, nil
}

// withCursors sets the cursors of a page built by hand.
func withCursors[T any](c model.Connection[T]) model.Connection[T] {
	if c.Edges == nil {
		c.Edges = []model.Edge[T]{}
	}
	c.SetEnds()
	return c
}
