package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// Input conversions of the professional module: global ids to keys, GraphQL inputs to
// the Store's records. The rules themselves are in graph/model, applied by the Store.

func professionalDiagnosticOf(in model.RecordProfessionalDiagnosticInput) db.ProfessionalDiagnosticInput {
	d := db.ProfessionalDiagnosticInput{EducationLevel: in.EducationLevel, YearsOfSchooling: in.YearsOfSchooling,
		Skills: in.Skills, TargetJobs: in.TargetJobs}
	if in.AssessedOn != nil {
		d.AssessedOn = *in.AssessedOn
	}
	for _, x := range in.Diplomas {
		dip := model.Diploma{Title: x.Title, Country: x.Country, Year: x.Year, Recognition: model.DiplomaRecognitionNotRequested}
		if x.Recognition != nil {
			dip.Recognition = *x.Recognition
		}
		d.Diplomas = append(d.Diplomas, dip)
	}
	for _, x := range in.Experiences {
		d.Experiences = append(d.Experiences, model.WorkExperience{Job: x.Job, Sector: x.Sector, Years: x.Years, Country: x.Country})
	}
	for _, x := range in.Barriers {
		d.Barriers = append(d.Barriers, model.Barrier{Kind: x.Kind, Severity: x.Severity, Note: x.Note})
	}
	return d
}

func frenchLevelOf(in model.RecordFrenchLevelInput) (model.FrenchLevel, error) {
	level, e := model.ParseCefrLevel(in.Level)
	if e != nil {
		return model.FrenchLevel{}, e
	}
	l := model.FrenchLevel{Level: level, AssessedOn: in.AssessedOn, Source: in.Source}
	if in.TrainingHoursPrescribed != nil {
		l.TrainingHoursPrescribed = *in.TrainingHoursPrescribed
	}
	if in.TrainingHoursDone != nil {
		l.TrainingHoursDone = *in.TrainingHoursDone
	}
	return l, nil
}

func orientationOf(in model.OrientBeneficiaryInput) (db.OrientationInput, error) {
	o := db.OrientationInput{Kind: in.Kind, Purpose: in.Purpose}
	if in.OrientedOn != nil {
		o.OrientedOn = *in.OrientedOn
	}
	var err error
	if in.OfferID != nil {
		if o.OfferKey, err = model.KeyOf(*in.OfferID, "Offer", "input", "offerId"); err != nil {
			return o, err
		}
	}
	if in.StructureID != nil {
		if o.StructureKey, err = model.KeyOf(*in.StructureID, "Structure", "input", "structureId"); err != nil {
			return o, err
		}
	}
	return o, nil
}

func outcomeOf(in model.RecordOutcomeInput) model.Outcome {
	return model.Outcome{Kind: in.Kind, ContractType: in.ContractType, WeeklyHours: in.WeeklyHours, JobTitle: in.JobTitle,
		EmployerSector: in.EmployerSector, TrainingTitle: in.TrainingTitle, CertificationLevel: in.CertificationLevel,
		StartsOn: in.StartsOn, EndsOn: in.EndsOn}
}

func orientationFilterOf(f *model.OrientationFilter) (db.OrientationFilter, error) {
	var out db.OrientationFilter
	if f == nil {
		return out, nil
	}
	out = db.OrientationFilter{Statuses: f.Statuses, Kinds: f.Kinds, Overdue: f.Overdue, DeadlineBefore: f.DeadlineBefore}
	var err error
	if f.PartnerStructureID != nil {
		if out.StructureKey, err = model.KeyOf(*f.PartnerStructureID, "Structure", "filter", "partnerStructureId"); err != nil {
			return out, err
		}
	}
	if f.BeneficiaryID != nil {
		if out.BeneficiaryKey, err = model.KeyOf(*f.BeneficiaryID, "Beneficiary", "filter", "beneficiaryId"); err != nil {
			return out, err
		}
	}
	return out, nil
}

func outcomeFilterOf(f *model.OutcomeFilter) (db.OutcomeFilter, error) {
	var out db.OutcomeFilter
	if f == nil {
		return out, nil
	}
	out = db.OutcomeFilter{Kinds: f.Kinds, ContractTypes: f.ContractTypes, CountsAsEmploymentOrTraining: f.CountsAsEmploymentOrTraining,
		StartsFrom: f.StartsFrom, StartsTo: f.StartsTo}
	if f.BeneficiaryID != nil {
		k, err := model.KeyOf(*f.BeneficiaryID, "Beneficiary", "filter", "beneficiaryId")
		if err != nil {
			return out, err
		}
		out.BeneficiaryKey = k
	}
	return out, nil
}

// structureOrNil loads an optional structure through the request's loader.
func structureOrNil(ctx context.Context, key *string) (*model.Structure, error) {
	if key == nil || *key == "" {
		return nil, nil
	}
	st, err := loadersFrom(ctx).Structure.Load(ctx, *key)
	return found(st, st.Key), err
}

// professionalNodeFetchers are the node(id:) fetchers of the module; the Store applies
// the caller's scope (a partner reaches only the orientations of its inbox).
func (r *Resolver) professionalNodeFetchers(m map[string]func(context.Context, string) (model.Node, error)) {
	for _, typ := range []string{"ProfessionalDiagnostic", "FrenchLevel", "Orientation", "SupportAction", "Outcome"} {
		m[typ] = func(ctx context.Context, key string) (model.Node, error) {
			return r.Store.ProfessionalNode(ctx, model.PrincipalFrom(ctx), typ, key)
		}
	}
}

// barrierNote answers Barrier.note under model.CanReadBarrierNote: the note of a HEALTH
// barrier is null, with FORBIDDEN naming the field, for a role that may not read health
// data (the directives gave the NOTES rule already).
func barrierNote(ctx context.Context, b *model.Barrier) (*string, error) {
	p := model.PrincipalFrom(ctx)
	if p == nil || !model.CanReadBarrierNote(p.Role, b.Kind) {
		alias := graphql.GetFieldContext(ctx).Field.Alias
		role := model.Role("")
		if p != nil {
			role = p.Role
		}
		return nil, &model.Error{Code: model.CodeForbidden, Field: []string{alias},
			Message: fmt.Sprintf("accès refusé au champ « note » d'un frein de santé pour le rôle %s : donnée de santé", role)}
	}
	return b.Note, nil
}
