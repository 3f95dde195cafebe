package model

// LoginDecision is what an OIDC login does with the staff record its e-mail found.
type LoginDecision int

const (
	// LoginMatch: the record is already linked to the token's issuer and subject.
	LoginMatch LoginDecision = iota
	// LoginLink: the record is not linked yet and the e-mail is verified: link it to the
	// token's issuer and subject (first login), then match.
	LoginLink
	// LoginRefuseUnverified: the record is not linked and the issuer does not vouch for
	// the e-mail: anyone able to claim the address could take the account.
	LoginRefuseUnverified
	// LoginRefuseOtherSubject: the record is linked to another subject or issuer: the
	// same e-mail presented by another identity is not the same person.
	LoginRefuseOtherSubject
)

// DecideLogin applies the identity rule of OIDC logins to a staff record found by the
// token's subject or e-mail. linkedIssuer and linkedSubject are the record's link (nil:
// not linked; a subject without issuer was entered by an administrator and is accepted
// from any configured issuer, which it then gets). A record is identified by its
// subject, never by an e-mail alone: the e-mail only finds the record of a first login,
// and only when the issuer says it verified it.
func DecideLogin(linkedIssuer, linkedSubject *string, issuer, subject string, emailVerified bool) LoginDecision {
	switch {
	case linkedSubject == nil:
		if emailVerified {
			return LoginLink
		}
		return LoginRefuseUnverified
	case *linkedSubject != subject:
		return LoginRefuseOtherSubject
	case linkedIssuer == nil:
		return LoginLink
	case *linkedIssuer != issuer:
		return LoginRefuseOtherSubject
	}
	return LoginMatch
}

// Reason returns the log text of a refusal ("" for LoginMatch and LoginLink).
func (d LoginDecision) Reason() string {
	switch d {
	case LoginRefuseUnverified:
		return "the staff record is not linked to an OIDC subject yet and the token's email_verified is not true"
	case LoginRefuseOtherSubject:
		return "the staff record with this e-mail is linked to another OIDC subject"
	}
	return ""
}
