package graph

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// dataProtectionLoaders batch the data-protection fields of beneficiaries.
type dataProtectionLoaders struct {
	Consents     *dataloadgen.Loader[string, []model.Consent]
	AnonymisedAt *dataloadgen.Loader[string, *time.Time]
}

func newDataProtectionLoaders(store *db.Store) *dataProtectionLoaders {
	return &dataProtectionLoaders{
		Consents: newLoader(func(ctx context.Context, keys []string) ([][]model.Consent, error) {
			m, err := store.ConsentsByBeneficiaries(ctx, model.PrincipalFrom(ctx), keys)
			if err != nil {
				return nil, err
			}
			out := make([][]model.Consent, len(keys))
			for i, k := range keys {
				out[i] = m[k]
				if out[i] == nil {
					out[i] = []model.Consent{}
				}
			}
			return out, nil
		}),
		AnonymisedAt: newLoader(func(ctx context.Context, keys []string) ([]*time.Time, error) {
			return store.AnonymisedAtByKeys(ctx, model.PrincipalFrom(ctx), keys)
		}),
	}
}

// consentAct checks a consent input and runs the act.
func (r *mutationResolver) consentAct(ctx context.Context, id string, kind model.ConsentKind, check error,
	run func(p *model.Principal, key string) (*model.Consent, *model.Beneficiary, error)) (*model.ConsentPayload, error) {
	err := check
	var k string
	if err == nil {
		k, err = key(id, "Beneficiary", "input", "beneficiaryId")
	}
	if err == nil && !kind.IsValid() {
		err = model.Errorf(model.CodeInvalidInput, model.Path("input", "kind"), "type de consentement inconnu")
	}
	var c *model.Consent
	var b *model.Beneficiary
	if err == nil {
		c, b, err = run(model.PrincipalFrom(ctx), k)
	}
	ue, err := userErrors(err)
	if err != nil {
		return nil, err
	}
	return &model.ConsentPayload{Consent: c, Beneficiary: b, UserErrors: ue}, nil
}
