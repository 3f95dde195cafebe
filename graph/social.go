package graph

import (
	"context"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// Input shape checks of the social module's mutations (the rules of the programme are
// in graph/model and applied by the Store, in the act's transaction).

// text checks a required free-text field: not blank, at most max characters.
func text(value string, max int, path ...string) error {
	v := strings.TrimSpace(value)
	if v == "" {
		return model.Errorf(model.CodeInvalidInput, path, "ce champ est requis")
	}
	if utf8.RuneCountInString(v) > max {
		return model.Errorf(model.CodeInvalidInput, path, "ce champ dépasse %d caractères", max)
	}
	return nil
}

// optText checks an optional free-text field.
func optText(value *string, max int, path ...string) error {
	if value == nil {
		return nil
	}
	return text(*value, max, path...)
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// key decodes a required global id of type typ; a malformed id or another type is
// NOT_FOUND on that field.
func key(id, typ string, path ...string) (string, error) {
	return model.KeyOf(id, typ, path...)
}

// optKey decodes an optional global id ("" when absent).
func optKey(id *string, typ string, path ...string) (string, error) {
	if id == nil {
		return "", nil
	}
	return model.KeyOf(*id, typ, path...)
}

func checkReferral(in model.ReferBeneficiaryInput, prefix ...string) error {
	p := func(f string) []string { return append(append([]string{}, prefix...), f) }
	errs := []error{
		text(in.FirstName, 100, p("firstName")...), text(in.LastName, 100, p("lastName")...),
		text(in.Nationality, 100, p("nationality")...), text(in.OfiiReference, 50, p("ofiiReference")...),
		optText(in.Phone, 30, p("phone")...), optText(in.Address, 300, p("address")...),
	}
	if !departmentCode.MatchString(in.Department) {
		errs = append(errs, model.Errorf(model.CodeInvalidInput, p("department"), "code de département INSEE invalide (ex. « 69 », « 2A »)"))
	}
	if in.Email != nil {
		if _, err := mail.ParseAddress(*in.Email); err != nil || !strings.Contains(*in.Email, "@") {
			errs = append(errs, model.Errorf(model.CodeInvalidInput, p("email"), "adresse électronique invalide"))
		}
	}
	if len(in.Languages) > 20 {
		errs = append(errs, model.Errorf(model.CodeOutOfRange, p("languages"), "au plus 20 langues"))
	}
	for _, l := range in.Languages {
		errs = append(errs, text(l, 50, p("languages")...))
	}
	if in.BirthDate.Before(model.NewDate(1900, 1, 1)) {
		errs = append(errs, model.Errorf(model.CodeOutOfRange, p("birthDate"), "date de naissance invalide"))
	}
	return firstErr(errs...)
}

func referralInput(in model.ReferBeneficiaryInput, prefix ...string) (db.ReferralInput, error) {
	if err := checkReferral(in, prefix...); err != nil {
		return db.ReferralInput{}, err
	}
	social, err := optKey(in.SocialOperatorID, "Structure", append(append([]string{}, prefix...), "socialOperatorId")...)
	if err != nil {
		return db.ReferralInput{}, err
	}
	employment, err := optKey(in.EmploymentOperatorID, "Structure", append(append([]string{}, prefix...), "employmentOperatorId")...)
	if err != nil {
		return db.ReferralInput{}, err
	}
	return db.ReferralInput{ReferBeneficiaryInput: in, SocialOperatorKey: social, EmploymentOperatorKey: employment}, nil
}

// beneficiaryPayload answers an act on a beneficiary.
func beneficiaryPayload(b *model.Beneficiary, err error) (*model.BeneficiaryPayload, error) {
	ue, err := userErrors(err)
	if err != nil {
		return nil, err
	}
	if len(ue) > 0 {
		b = nil
	}
	return &model.BeneficiaryPayload{Beneficiary: b, UserErrors: ue}, nil
}

// act decodes the beneficiary id of a mutation and runs the Store act.
func (r *mutationResolver) act(ctx context.Context, id string, check error, run func(p *model.Principal, key string) (*model.Beneficiary, error)) (*model.BeneficiaryPayload, error) {
	if check != nil {
		return beneficiaryPayload(nil, check)
	}
	k, err := key(id, "Beneficiary", "input", "beneficiaryId")
	if err != nil {
		return beneficiaryPayload(nil, err)
	}
	return beneficiaryPayload(run(model.PrincipalFrom(ctx), k))
}

// today is the current day in Europe/Paris, from the Store's clock.
func (r *Resolver) today() model.Date { return model.DateOf(r.Store.Now()) }

// first returns the first element of list, or nil.
func first[T any](list []T) *T {
	if len(list) == 0 {
		return nil
	}
	return &list[0]
}

func checkContact(in model.UpdateBeneficiaryContactInput) error {
	var errs []error
	if in.Email != nil && *in.Email != "" {
		if _, err := mail.ParseAddress(*in.Email); err != nil {
			errs = append(errs, model.Errorf(model.CodeInvalidInput, model.Path("input", "email"), "adresse électronique invalide"))
		}
	}
	if in.Phone != nil && utf8.RuneCountInString(*in.Phone) > 30 {
		errs = append(errs, model.Errorf(model.CodeInvalidInput, model.Path("input", "phone"), "ce champ dépasse 30 caractères"))
	}
	if in.Address != nil && utf8.RuneCountInString(*in.Address) > 300 {
		errs = append(errs, model.Errorf(model.CodeInvalidInput, model.Path("input", "address"), "ce champ dépasse 300 caractères"))
	}
	for _, l := range in.Languages {
		errs = append(errs, text(l, 50, "input", "languages"))
	}
	return firstErr(errs...)
}
