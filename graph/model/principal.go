package model

import "context"

// Role is what a caller may do in AGIR. The names are the ones carried by tokens
// (claim "role") and shown in the API.
type Role string

const (
	RoleCoordinator         Role = "coordinator"
	RoleSocialWorker        Role = "social_worker"
	RoleInsertionCounsellor Role = "insertion_counsellor"
	RolePartnerEditor       Role = "partner_editor"
	RoleAnalyst             Role = "analyst"
	RoleStateRepresentative Role = "state_representative"
	RoleAdmin               Role = "admin"
)

// AllRoles lists every role, in the order of DESIGN §1.
var AllRoles = []Role{
	RoleCoordinator, RoleSocialWorker, RoleInsertionCounsellor, RolePartnerEditor,
	RoleAnalyst, RoleStateRepresentative, RoleAdmin,
}

// Valid reports whether r is one of the roles of AllRoles.
func (r Role) Valid() bool {
	for _, x := range AllRoles {
		if r == x {
			return true
		}
	}
	return false
}

// Principal is the authenticated caller of a request: who it is (Subject, Email), what
// it may do (Role) and where (StructureID, Departments). The zero value is no caller.
type Principal struct {
	Subject     string   // token subject ("sub")
	Email       string   // token e-mail, when present
	Name        string   // display name, when present
	Role        Role     // one of AllRoles
	StructureID string   // structure the caller works for ("" for none)
	Departments []string // departments (INSEE codes, "69", "2A") in the caller's territory
	// Issuer is the "iss" of an OIDC token, whose subject identifies the caller with its
	// issuer; "" for the development tokens, matched by subject or e-mail.
	Issuer string
	// EmailVerified is the OIDC "email_verified" claim: only a verified e-mail may link a
	// staff record to the token's subject at its first login.
	EmailVerified bool
}

type principalKey struct{}

// WithPrincipal returns a copy of ctx that carries p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller carried by ctx, or nil when the request is anonymous.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
