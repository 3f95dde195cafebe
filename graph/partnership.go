package graph

import (
	"context"
	"slices"
	"unicode/utf8"

	"github.com/vikstrous/dataloadgen"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// partnershipLoaders batch the nested reads of the partnership module.
type partnershipLoaders struct {
	Offer               *dataloadgen.Loader[string, model.Offer]
	OfferStats          *dataloadgen.Loader[string, db.OfferStats]
	StructureOffers     *dataloadgen.Loader[db.ParentPage, model.Connection[model.Offer]]
	StructureStaff      *dataloadgen.Loader[db.ParentPage, model.Connection[model.StaffMember]]
	NetworkEvent        *dataloadgen.Loader[string, model.NetworkEvent]
	WorkingGroup        *dataloadgen.Loader[string, model.WorkingGroup]
	GoodPractice        *dataloadgen.Loader[string, model.GoodPractice]
	EmergingNeed        *dataloadgen.Loader[string, model.EmergingNeed]
	EventParticipants   *dataloadgen.Loader[string, []model.EventParticipation]
	EventGoodPractices  *dataloadgen.Loader[string, []model.GoodPractice]
	WorkingGroupMembers *dataloadgen.Loader[string, []db.Participant]
	NeedAnsweringOffers *dataloadgen.Loader[string, []model.Offer]
}

func newPartnershipLoaders(store *db.Store) partnershipLoaders {
	scoped := func(ctx context.Context) *model.Principal { return model.PrincipalFrom(ctx) }
	return partnershipLoaders{
		Offer: newLoader(func(ctx context.Context, keys []string) ([]model.Offer, error) {
			return store.OffersByKeys(ctx, scoped(ctx), keys)
		}),
		OfferStats: newLoader(func(ctx context.Context, keys []string) ([]db.OfferStats, error) {
			return store.OfferStatsByStructure(ctx, keys, model.DateOf(store.Now()))
		}),
		StructureOffers: newKeyLoader(func(ctx context.Context, keys []db.ParentPage) ([]model.Connection[model.Offer], error) {
			return store.OffersFirstPages(ctx, scoped(ctx), keys)
		}),
		StructureStaff:      newKeyLoader(store.StaffFirstPages),
		NetworkEvent:        newLoader(store.NetworkEventsByKeys),
		WorkingGroup:        newLoader(store.WorkingGroupsByKeys),
		GoodPractice:        newLoader(store.GoodPracticesByKeys),
		EventParticipants:   newLoader(store.ParticipantsByEvent),
		EventGoodPractices:  newLoader(store.GoodPracticesByEvent),
		WorkingGroupMembers: newLoader(store.WorkingGroupMembers),
		EmergingNeed: newLoader(func(ctx context.Context, keys []string) ([]model.EmergingNeed, error) {
			return store.EmergingNeedsByKeys(ctx, scoped(ctx), keys)
		}),
		NeedAnsweringOffers: newLoader(func(ctx context.Context, keys []string) ([][]model.Offer, error) {
			return store.AnsweringOffers(ctx, scoped(ctx), keys)
		}),
	}
}

// newKeyLoader is newLoader for comparable keys other than strings.
func newKeyLoader[K comparable, T any](fetch func(context.Context, []K) ([]T, error)) *dataloadgen.Loader[K, T] {
	return dataloadgen.NewLoader(func(ctx context.Context, keys []K) ([]T, []error) {
		values, err := fetch(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		return values, nil
	}, dataloadgen.WithWait(loaderWait), dataloadgen.WithBatchCapacity(500))
}

// offerFields converts the API's offer fields to the model's, normalised.
func offerFields(in *model.OfferFieldsInput) model.OfferFields {
	sessions := make([]model.OfferSession, len(in.Sessions))
	for i, s := range in.Sessions {
		sessions[i] = model.OfferSession(s)
	}
	f := model.OfferFields{Name: in.Name, Description: in.Description, ServiceType: in.ServiceType, Themes: in.Themes,
		Publics: in.Publics, PublicsDetails: in.PublicsDetails, AccessConditions: in.AccessConditions, Cost: in.Cost,
		CostDetails: in.CostDetails, ReceptionModes: in.ReceptionModes, MobilisationModes: in.MobilisationModes,
		MobilisableBy: in.MobilisableBy, MobilisationDetails: in.MobilisationDetails, MobilisationLink: in.MobilisationLink,
		SourceLink: in.SourceLink, Phone: in.Phone, Email: in.Email, ContactName: in.ContactName, Address: in.Address,
		AddressComplement: in.AddressComplement, City: in.City, PostalCode: in.PostalCode, InseeCode: in.InseeCode,
		Latitude: in.Latitude, Longitude: in.Longitude, OpeningHours: in.OpeningHours, EligibilityZone: in.EligibilityZone,
		DurationWeeks: in.DurationWeeks, WeeklyHours: in.WeeklyHours, SpokenLanguages: in.SpokenLanguages,
		ProtectionStatuses: in.ProtectionStatuses, FrenchLevelRequired: in.FrenchLevelRequired,
		DocumentsRequired: in.DocumentsRequired, Capacity: in.Capacity, Sessions: sessions}
	f.Normalize()
	return f
}

// checkOfferInput validates an offer's fields and frequency; it returns the frequency to write.
func checkOfferInput(in *model.OfferFieldsInput, f model.OfferFields) (*int, error) {
	if err := f.Validate("input", "fields"); err != nil {
		return nil, err
	}
	if in.UpdateFrequencyMonths != nil {
		if err := model.ValidateFrequency(*in.UpdateFrequencyMonths, model.Path("input", "fields", "updateFrequencyMonths")); err != nil {
			return nil, err
		}
	}
	return in.UpdateFrequencyMonths, nil
}

// participants converts participant inputs to store keys; a malformed id is NOT_FOUND.
func participants(in []model.ParticipantInput, field string) ([]db.Participant, error) {
	out := make([]db.Participant, len(in))
	for i, x := range in {
		sk, err := model.KeyOf(x.StructureID, "Structure", "input", field)
		if err != nil {
			return nil, err
		}
		out[i].StructureKey = sk
		if x.StaffMemberID != nil {
			mk, err := model.KeyOf(*x.StaffMemberID, "StaffMember", "input", field)
			if err != nil {
				return nil, err
			}
			out[i].StaffMemberKey = &mk
		}
	}
	return out, nil
}

// checkDepartments validates INSEE department codes.
func checkDepartments(deps []string, field ...string) error {
	for _, d := range deps {
		if !model.ValidDepartment(d) {
			return model.Errorf(model.CodeInvalidInput, field, "département « %s » invalide : code Insee attendu", d)
		}
	}
	return nil
}

// checkOfferFilter validates the shape of an offer search.
func checkOfferFilter(f *model.OfferFilter) error {
	if f == nil {
		return nil
	}
	path := func(n string) []string { return model.Path("filter", n) }
	if f.Text != nil && utf8.RuneCountInString(*f.Text) > model.MaxSearchTextLen {
		// A search of 20 000 words overflowed the text-search parser's stack (INTERNAL),
		// and 90 000 cost 8 s of database time.
		return model.Errorf(model.CodeInvalidInput, path("text"), "la recherche « text » compte %d caractères : %d au plus",
			utf8.RuneCountInString(*f.Text), model.MaxSearchTextLen)
	}
	if n := f.Near; n != nil {
		if !model.InFrance(n.Latitude, n.Longitude) {
			return model.Errorf(model.CodeOutOfRange, path("near"), "le point de recherche est hors de France")
		}
		if n.RadiusKm < 0.1 || n.RadiusKm > 500 {
			return model.Errorf(model.CodeOutOfRange, path("near"), "le rayon doit être compris entre 0,1 et 500 km")
		}
	}
	for _, t := range f.Themes {
		if !slices.Contains(model.Thematiques.Values, t) {
			return model.Errorf(model.CodeUnknownValue, path("themes"), "thématique « %s » inconnue", t)
		}
	}
	if f.ThemeCategory != nil && !model.ValidThemeCategory(*f.ThemeCategory) {
		return model.Errorf(model.CodeUnknownValue, path("themeCategory"), "catégorie de thématique « %s » inconnue", *f.ThemeCategory)
	}
	if f.Public != nil && !slices.Contains(model.Publics.Values, *f.Public) {
		return model.Errorf(model.CodeUnknownValue, path("public"), "public « %s » inconnu", *f.Public)
	}
	if f.Cost != nil && !slices.Contains(model.Frais.Values, *f.Cost) {
		return model.Errorf(model.CodeUnknownValue, path("cost"), "frais « %s » inconnus", *f.Cost)
	}
	if f.ReceptionMode != nil && !slices.Contains(model.ModesAccueil.Values, *f.ReceptionMode) {
		return model.Errorf(model.CodeUnknownValue, path("receptionMode"), "mode d'accueil « %s » inconnu", *f.ReceptionMode)
	}
	if f.MinQuality != nil && (*f.MinQuality < 0 || *f.MinQuality > 1) {
		return model.Errorf(model.CodeOutOfRange, path("minQuality"), "le score minimal est compris entre 0 et 1")
	}
	return nil
}

// setOfferStatus publishes or archives an offer.
func (r *mutationResolver) setOfferStatus(ctx context.Context, input model.OfferStatusInput, status model.OfferStatus) (*model.OfferPayload, error) {
	var out *model.Offer
	key, err := model.KeyOf(input.ID, "Offer", "input", "id")
	if err == nil {
		var o model.Offer
		o, err = r.Store.SetOfferStatus(ctx, model.PrincipalFrom(ctx), key, input.Version, status)
		out = found(o, o.Key)
	}
	ue, err := userErrors(err)
	if err != nil {
		return nil, err
	}
	return &model.OfferPayload{Offer: out, UserErrors: ue}, nil
}
