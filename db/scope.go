package db

import (
	"fmt"

	"github.com/lib/pq"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// beneficiaryScope returns the SQL condition restricting beneficiaries (table alias
// alias) to the caller's scope (DESIGN §6), appending its arguments to args:
// coordinators and state representatives see their territory's departments, a social
// worker the beneficiaries its structure follows as social operator, an insertion
// counsellor those its structure follows as employment operator; other roles nothing.
// Every read and write of beneficiary data uses it.
//
// MERGE NOTE: the social branch defines the same function, with the same signature and
// body, in db/social.go; keep one of them when both branches are merged.
func beneficiaryScope(p *model.Principal, alias string, args *[]any) string {
	if p == nil {
		return "FALSE"
	}
	arg := func(v any) string { *args = append(*args, v); return fmt.Sprintf("$%d", len(*args)) }
	switch p.Role {
	case model.RoleCoordinator, model.RoleStateRepresentative:
		return fmt.Sprintf("%s.department = ANY(%s::text[])", alias, arg(pq.Array(nonNil(p.Departments))))
	case model.RoleSocialWorker:
		if p.StructureID == "" {
			return "FALSE"
		}
		return fmt.Sprintf("%s.social_operator_id = %s::uuid", alias, arg(p.StructureID))
	case model.RoleInsertionCounsellor:
		if p.StructureID == "" {
			return "FALSE"
		}
		return fmt.Sprintf("%s.employment_operator_id = %s::uuid", alias, arg(p.StructureID))
	}
	return "FALSE"
}
