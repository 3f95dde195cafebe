package model

// CanReadGroup reports whether a role may read the personal data of group g.
// It is the confidentiality matrix of DESIGN §1 and §6: workers of the binôme read what
// the accompaniment needs, the insertion counsellor not health data; partners, analysts
// and admins read no personal data (analysts get pseudonymised records instead); the
// state representative reads identity and legal status (to approve exceptional
// admissions and reintegrations) but no contact details, health data or free text.
func CanReadGroup(r Role, g FieldGroup) bool {
	switch r {
	case RoleCoordinator, RoleSocialWorker:
		return g.IsValid()
	case RoleInsertionCounsellor:
		return g == FieldGroupIdentity || g == FieldGroupContact || g == FieldGroupLegal || g == FieldGroupNotes
	case RoleStateRepresentative:
		return g == FieldGroupIdentity || g == FieldGroupLegal
	}
	return false
}

// CanReadBarrierNote reports whether role r may read the note of a barrier of the given
// kind: a note is free text (NOTES), and the note of a HEALTH barrier is also health
// data (HEALTH), which insertion counsellors may not read (DESIGN §1: « health and
// other social notes marked confidential »).
func CanReadBarrierNote(r Role, kind BarrierKind) bool {
	if !CanReadGroup(r, FieldGroupNotes) {
		return false
	}
	return kind != BarrierKindHealth || CanReadGroup(r, FieldGroupHealth)
}
