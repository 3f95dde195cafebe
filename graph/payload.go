package graph

import "github.com/agir-reseau/agir-backend/graph/model"

// userErrors splits the outcome of a mutation: a user error (a *model.Error whose code is
// not INTERNAL) becomes the payload's userErrors, and the mutation answers normally;
// anything else is returned as an error, masked by the error presenter, or presented with
// its code when retryable (UNAVAILABLE, OUTCOME_UNKNOWN: HTTP 503).
//
//	obj, err := r.Store.ReferBeneficiary(ctx, p, in)
//	ue, err := userErrors(err)
//	if err != nil { return nil, err }
//	return &model.ReferBeneficiaryPayload{Beneficiary: obj, UserErrors: ue}, nil
func userErrors(err error) ([]model.UserError, error) {
	if err == nil {
		return []model.UserError{}, nil
	}
	if e := model.AsUserError(err); e != nil && !e.Code.Retryable() {
		return []model.UserError{{Code: e.Code, Field: e.Field, Message: e.Message}}, nil
	}
	return nil, err
}
