package model

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CodeReadOnlySource refuses a change to a field that an offer's outside source owns.
const CodeReadOnlySource ErrorCode = "READ_ONLY_SOURCE"

// The channel values as stored (offers.origin, structures.origin).
var originValues = map[OfferOrigin]string{OfferOriginAgir: "agir", OfferOriginDataInclusion: "data-inclusion",
	OfferOriginRefugiesInfo: "refugies-info", OfferOriginFile: "file"}

// Value is the stored form of o ("agir", "data-inclusion", "refugies-info", "file").
func (o OfferOrigin) Value() string { return originValues[o] }

// OriginOf reads a stored origin; an unknown value is AGIR (the column's check allows none).
func OriginOf(v string) OfferOrigin {
	for o, s := range originValues {
		if s == v {
			return o
		}
	}
	return OfferOriginAgir
}

// Synced reports whether records of this origin are kept up to date by a synchronisation
// with their source (DESIGN §5): their source's fields are read-only here.
func (o OfferOrigin) Synced() bool {
	return o == OfferOriginDataInclusion || o == OfferOriginRefugiesInfo
}

// Label is the French name of the origin, for messages.
func (o OfferOrigin) Label() string {
	switch o {
	case OfferOriginDataInclusion:
		return "data·inclusion"
	case OfferOriginRefugiesInfo:
		return "Réfugiés.info"
	case OfferOriginFile:
		return "un fichier importé"
	}
	return "AGIR"
}

// offerExtensionFields are the JSON names (OfferFields tags) of the AGIR extension: what
// refugees need and data·inclusion v1 lacks. They are AGIR's own, whatever the source.
var offerExtensionFields = []string{"spokenLanguages", "protectionStatuses", "frenchLevelRequired", "documentsRequired",
	"capacity", "sessions"}

// CheckSourcedOfferEdit is the rule of an edit of an offer that came from a synchronised
// source (issue 20): its source's fields are read-only here, the AGIR extension and the
// moderation are not; once its structure is claimed by the partner that runs it, the
// partner's edits win. It names the first source field the edit would change.
func CheckSourcedOfferEdit(origin OfferOrigin, claimed bool, before, after OfferFields) error {
	if !origin.Synced() || claimed {
		return nil
	}
	b, a := fieldMap(before), fieldMap(after)
	keys := make([]string, 0, len(a))
	for k := range a {
		if !slices.Contains(offerExtensionFields, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !sameJSONValue(b[k], a[k]) {
			return Errorf(CodeReadOnlySource, Path("input", "fields", k),
				"cette offre vient de %s et s'y met à jour : « %s » se corrige à la source ; ici, seuls le bloc AGIR (langues, statuts, niveau de français, pièces, capacité, sessions) et la modération se modifient, sauf si la structure est revendiquée par le partenaire qui la gère",
				origin.Label(), k)
		}
	}
	return nil
}

// MergeSourcedFields are the fields a synchronisation writes over a stored offer: the
// source's data·inclusion fields, and the AGIR extension entered here where it is filled
// (AGIR's edits of the extension win; the source fills what is empty).
func MergeSourcedFields(stored, incoming OfferFields) OfferFields {
	out := incoming
	if len(stored.SpokenLanguages) > 0 {
		out.SpokenLanguages = stored.SpokenLanguages
	}
	if len(stored.ProtectionStatuses) > 0 {
		out.ProtectionStatuses = stored.ProtectionStatuses
	}
	if stored.FrenchLevelRequired != nil {
		out.FrenchLevelRequired = stored.FrenchLevelRequired
	}
	if len(stored.DocumentsRequired) > 0 {
		out.DocumentsRequired = stored.DocumentsRequired
	}
	if stored.Capacity != nil {
		out.Capacity = stored.Capacity
	}
	if len(stored.Sessions) > 0 {
		out.Sessions = stored.Sessions
	}
	return out
}

func fieldMap(f OfferFields) map[string]json.RawMessage {
	b, err := json.Marshal(f)
	if err != nil {
		panic(fmt.Sprintf("model: marshal offer fields: %v", err)) // plain data: cannot fail
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		panic(fmt.Sprintf("model: offer fields: %v", err))
	}
	return m
}

// sameJSONValue compares two JSON values, an empty list being the same as null.
func sameJSONValue(a, b json.RawMessage) bool {
	norm := func(v json.RawMessage) string {
		s := strings.TrimSpace(string(v))
		if s == "" || s == "[]" {
			return "null"
		}
		return s
	}
	return norm(a) == norm(b)
}

// OfferSyncRow is one record of a synchronisation's report.
type OfferSyncRow struct {
	Kind       string           `json:"kind"` // "structure" or "service"
	ExternalID string           `json:"externalId"`
	Outcome    OfferSyncOutcome `json:"outcome"`
	Reason     *string          `json:"reason,omitempty"` // French: why rejected, proposed, kept or archived
	Field      []string         `json:"field,omitempty"`
	Code       *ErrorCode       `json:"code,omitempty"`
}

// OfferSyncRun is one synchronisation of a source for a department, with its report.
type OfferSyncRun struct {
	Key           string
	Origin        OfferOrigin
	Department    string
	StartedAt     time.Time
	FinishedAt    time.Time
	Succeeded     bool
	DryRun        bool
	Error         *string
	Created       int
	Updated       int
	Unchanged     int
	Archived      int
	Rejected      int
	MergeProposed int
	KeptClaimed   int
	Rows          []OfferSyncRow
}

// ID returns the global id of the run.
func (r OfferSyncRun) ID() string { return GlobalID("OfferSyncRun", r.Key) }

// Add records one row and counts it.
func (r *OfferSyncRun) Add(row OfferSyncRow) {
	r.Rows = append(r.Rows, row)
	switch row.Outcome {
	case OfferSyncOutcomeCreated:
		r.Created++
	case OfferSyncOutcomeUpdated:
		r.Updated++
	case OfferSyncOutcomeUnchanged:
		r.Unchanged++
	case OfferSyncOutcomeArchived:
		r.Archived++
	case OfferSyncOutcomeRejected:
		r.Rejected++
	case OfferSyncOutcomeMergeProposed:
		r.MergeProposed++
	case OfferSyncOutcomeKeptClaimed:
		r.KeptClaimed++
	}
}

// RowError is the report row of a rejected record: the error's code, field and message.
func RowError(kind, externalID string, err error) OfferSyncRow {
	row := OfferSyncRow{Kind: kind, ExternalID: externalID, Outcome: OfferSyncOutcomeRejected}
	e := AsUserError(err)
	if e == nil {
		e = Errorf(CodeInvalidInput, nil, "enregistrement refusé par la base : %v", err)
	}
	msg, code := e.Message, e.Code
	row.Reason, row.Code, row.Field = &msg, &code, e.Field
	return row
}

// The sync connection.
type (
	OfferSyncRunConnection = Connection[OfferSyncRun]
	OfferSyncRunEdge       = Edge[OfferSyncRun]
)

// SourceSyncStaleAfter is how long a source may go without a successful synchronisation
// before the coordination is alerted (issue 20: a week).
const SourceSyncStaleAfter = 7 * 24 * time.Hour

// SourceSyncAlert says what is wrong with a source's synchronisation at instant now, given
// its last run and its last successful one (nil when none): FAILED when the last run
// failed, STALE when no run succeeded within SourceSyncStaleAfter; nil when all is well.
func SourceSyncAlert(lastRun, lastSuccess *time.Time, lastRunSucceeded bool, now time.Time) *OfferSyncAlertKind {
	var k OfferSyncAlertKind
	switch {
	case lastRun != nil && !lastRunSucceeded:
		k = OfferSyncAlertKindFailed
	case lastSuccess == nil || now.Sub(*lastSuccess) > SourceSyncStaleAfter:
		k = OfferSyncAlertKindStale
	default:
		return nil
	}
	return &k
}

// SameAddress reports whether two addresses are the same place, for the detection of
// duplicates (SIRET and address): street and postal code compared without case, accents,
// punctuation or repeated spaces. Two missing streets are not the same address.
func SameAddress(streetA, postalA, streetB, postalB *string) bool {
	if streetA == nil || streetB == nil || postalA == nil || postalB == nil {
		return false
	}
	a, b := normalizeAddress(*streetA), normalizeAddress(*streetB)
	return a != "" && a == b && strings.TrimSpace(*postalA) == strings.TrimSpace(*postalB)
}

func normalizeAddress(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(unaccent(s)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

func unaccent(s string) string {
	return strings.NewReplacer("à", "a", "â", "a", "ä", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
		"î", "i", "ï", "i", "ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ÿ", "y", "œ", "oe", "æ", "ae",
		"À", "a", "Â", "a", "Ç", "c", "É", "e", "È", "e", "Ê", "e", "Î", "i", "Ô", "o", "Ù", "u", "Û", "u").Replace(s)
}

// OfferMergeProposal is an outside structure the synchronisation did not create because it
// looks like a structure entered here: the coordination merges or dismisses it.
type OfferMergeProposal struct {
	Key          string
	Origin       OfferOrigin
	ExternalID   string
	StructureKey string
	Reason       OfferMergeReason
	Record       string // the source's record, JSON
	Status       OfferMergeStatus
	CreatedAt    time.Time
}

// ID returns the global id of the proposal.
func (p OfferMergeProposal) ID() string { return GlobalID("OfferMergeProposal", p.Key) }

// The merge proposals connection.
type (
	OfferMergeProposalConnection = Connection[OfferMergeProposal]
	OfferMergeProposalEdge       = Edge[OfferMergeProposal]
)
