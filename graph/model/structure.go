package model

import "time"

// Structure is a structure of the AGIR network: one of the three operators or a local
// partner (data·inclusion "structure"), with its place in AGIR.
type Structure struct {
	Key string // database key (uuid)
	StructureFields
	Source    string // data·inclusion source ("agir" for structures created here)
	DIID      string // data·inclusion id, "source--local-id"
	UpdatedOn Date   // data·inclusion date_maj
	Version   int
	Origin    OfferOrigin // the channel it came through (issue 20)
	ClaimedAt *time.Time  // when the partner running it claimed it; nil when not claimed
}

// DataInclusionID returns the data·inclusion id of s.
func (s Structure) DataInclusionID() string { return s.DIID }

// ID returns the global id of s.
func (s Structure) ID() string { return GlobalID("Structure", s.Key) }

func (Structure) IsNode() {}

// StaffMember is a member of a structure's staff.
type StaffMember struct {
	Key          string    `db:"id"`
	StructureKey string    `db:"structure_id"`
	Name         string    `db:"name"`
	Email        string    `db:"email"`
	Subject      *string   `db:"subject"` // OIDC subject, when the member has signed in
	StaffRole    StaffRole `db:"staff_role"`
	Active       bool      `db:"active"`
}

// ID returns the global id of m.
func (m StaffMember) ID() string { return GlobalID("StaffMember", m.Key) }

func (StaffMember) IsNode() {}

// Viewer is the authenticated caller as the API shows it.
type Viewer struct {
	Subject      string
	Email        *string
	Name         *string
	Role         Role
	StructureKey string
	Departments  []string
}

// AccessRole is the API role a staff member acts with. A disability referent works in the
// social accompaniment and reads as a social worker.
func (r StaffRole) AccessRole() Role {
	switch r {
	case StaffRoleSocialWorker, StaffRoleDisabilityReferent:
		return RoleSocialWorker
	case StaffRoleInsertionCounsellor:
		return RoleInsertionCounsellor
	case StaffRoleCoordinator:
		return RoleCoordinator
	case StaffRolePartnerEditor:
		return RolePartnerEditor
	case StaffRoleAnalyst:
		return RoleAnalyst
	case StaffRoleStateRepresentative:
		return RoleStateRepresentative
	case StaffRoleAdmin:
		return RoleAdmin
	}
	return ""
}
