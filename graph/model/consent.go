package model

// Error codes of data protection (schema: extend enum ErrorCode).
const (
	// CodeConsentRequired: an orientation to a partner without the consent to share.
	CodeConsentRequired ErrorCode = "CONSENT_REQUIRED"
	// CodeAnonymised: an act about a person whose data were anonymised.
	CodeAnonymised ErrorCode = "ANONYMISED"
)

// Consent is a consent of a beneficiary (DESIGN §6). The engagement contract's consent
// is the one recorded with the contract (engagement_contracts), shown here with the kind
// ENGAGEMENT_CONTRACT.
type Consent struct {
	BeneficiaryKey string      `db:"beneficiary_id"`
	Kind           ConsentKind `db:"kind"`
	Scope          string      `db:"scope"`
	GivenOn        Date        `db:"given_on"`
	WithdrawnOn    *Date       `db:"withdrawn_on"`
}

// Active reports whether the consent is in force (given, not withdrawn).
func (c Consent) Active() bool { return c.WithdrawnOn == nil }

// EngagementContractConsentScope is the scope shown for the engagement contract's consent.
const EngagementContractConsentScope = "Contrat d'engagement personnalisé : accompagnement global et échanges au sein du binôme référent"

// AnonymiseAfterDays is the default delay after which a CLOSED journey is anonymised
// (AGIR_ANONYMISE_AFTER_DAYS): two years, the retention the programme's evaluation needs.
const AnonymiseAfterDays = 730

// AnonymiseClosedBefore is the day before which a CLOSED journey is anonymised on today,
// after days days (0 or less: the default): a journey closed on that day or later is kept.
func AnonymiseClosedBefore(today Date, days int) Date {
	if days <= 0 {
		days = AnonymiseAfterDays
	}
	return today.AddDate(0, 0, -days)
}
