package model

import (
	"fmt"
	"slices"
	"time"
)

// The indicators of the programme (seed « Suivi-évaluation »: "Indicateurs de suivi :
// nombre de personnes accompagnées, taux d'accès à l'emploi ou à la formation, taux
// d'accès au logement pérenne, taux de maintien dans le parcours"; « Contenu »: target of
// 60 % in employment or training at the end of the journey). Each indicator is one named
// definition here: what its numerator and denominator count, which journeys count, its
// maturity rule. The Store computes them with SQL aggregates written from these
// definitions (db/indicators.go); the rules below are the ones both sides share.

// EmploymentOrTrainingTarget is the programme's target: 60 % of the BPI reach employment
// or training at the end of their journey (seed « Contenu »).
const EmploymentOrTrainingTarget = 0.6

// SuppressionThreshold: analysts see no cell counting fewer beneficiaries than this
// (DESIGN §1 and §6, « secret statistique »).
const SuppressionThreshold = 5

// MaxSeriesSteps bounds an indicator series.
const MaxSeriesSteps = 60

func text(s string) *string { return &s }

func target(v float64) *float64 { return &v }

// journeyBreakdowns are the breakdowns of the indicators counting journeys.
var journeyBreakdowns = []Breakdown{BreakdownDepartment, BreakdownStructure, BreakdownReferent, BreakdownCohortMonth,
	BreakdownCohortQuarter, BreakdownCohortYear, BreakdownProtectionType, BreakdownSex, BreakdownAgeBand, BreakdownHousehold}

// endedBreakdowns are the breakdowns of the indicators over the journeys ended in the
// period: those of the journeys, and the reason of the end (exclusions and moves away
// shown apart).
var endedBreakdowns = with(journeyBreakdowns, BreakdownReason)

// withoutCohorts leaves out the cohort breakdowns: for the referrals they repeat the
// series (the cohort of a referral is its month), one more sum to difference.
func withoutCohorts(bs []Breakdown) []Breakdown {
	var out []Breakdown
	for _, b := range bs {
		if b != BreakdownCohortMonth && b != BreakdownCohortQuarter && b != BreakdownCohortYear {
			out = append(out, b)
		}
	}
	return out
}

func with(bs []Breakdown, more ...Breakdown) []Breakdown {
	return append(append([]Breakdown{}, bs...), more...)
}

// Maturity rules, shared by several definitions.
const (
	ended        = "les parcours terminés (sortie ou exclusion) dans la période, selon leur dernière fin de parcours non suivie d'une réintégration"
	exited       = "les parcours sortis (sortie ordinaire, hors exclusion) dans la période"
	maturityExit = "seules les sorties dont l'échéance du suivi est passée à la date de calcul comptent"
)

// IndicatorDefinitions are the definitions, in display order.
var IndicatorDefinitions = []IndicatorDefinition{
	// Flow.
	{Name: IndicatorNameReferrals, Group: IndicatorGroupFlow, Unit: IndicatorUnitCount, Personal: true,
		Label:       "Orientations OFII",
		Description: "Bénéficiaires orientés par l'OFII dont la date d'orientation tombe dans la période. Pas de ventilation par cohorte : la cohorte d'une orientation est son mois, que donne la série mensuelle.",
		Numerator:   "bénéficiaires orientés dans la période", Breakdowns: withoutCohorts(journeyBreakdowns)},
	{Name: IndicatorNameEntries, Group: IndicatorGroupFlow, Unit: IndicatorUnitCount, Personal: true,
		Label:       "Entrées dans le parcours",
		Description: "Bénéficiaires dont l'entretien d'accueil (entrée dans le parcours) a été réalisé dans la période.",
		Numerator:   "entretiens d'accueil réalisés dans la période", Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameActiveJourneys, Group: IndicatorGroupFlow, Unit: IndicatorUnitCount, Personal: true,
		Label:       "Parcours actifs",
		Description: "Parcours en cours au moins un jour de la période : orientés au plus tard le dernier jour, et non terminés avant le premier (une réintégration rouvre le parcours).",
		Numerator:   "parcours actifs dans la période", Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameExits, Group: IndicatorGroupFlow, Unit: IndicatorUnitCount, Personal: true,
		Label:       "Sorties",
		Description: "Sorties ordinaires enregistrées dans la période (chaque sortie compte, y compris celles suivies d'une réintégration) ; ventilables par motif.",
		Numerator:   "sorties dans la période", Breakdowns: with(journeyBreakdowns, BreakdownReason)},
	{Name: IndicatorNameExclusions, Group: IndicatorGroupFlow, Unit: IndicatorUnitCount, Personal: true,
		Label:       "Exclusions",
		Description: "Exclusions décidées dans la période ; ventilables par motif (deux refus de logement, violence ou menace, non-adhésion, infraction).",
		Numerator:   "exclusions dans la période", Breakdowns: with(journeyBreakdowns, BreakdownReason)},
	{Name: IndicatorNameReintegrations, Group: IndicatorGroupFlow, Unit: IndicatorUnitCount, Personal: true,
		Label:       "Réintégrations",
		Description: "Réintégrations (exceptionnelles, approuvées par le représentant de l'État) dont la date tombe dans la période.",
		Numerator:   "réintégrations dans la période", Breakdowns: journeyBreakdowns},
	// Outcomes.
	{Name: IndicatorNameEmploymentOrTrainingAtExit, Group: IndicatorGroupOutcomes, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Accès à l'emploi ou à la formation à l'issue du parcours",
		Description: "Part des parcours terminés dans la période avec un emploi (tout contrat) ou une formation qualifiante ou préqualifiante en cours le jour de la fin, lu dans les sorties positives enregistrées (même définition que Outcome.countsAsEmploymentOrTraining) ; la situation déclarée à la sortie est contrôlée au regard de ces sorties positives et ne peut pas les contredire. Un cours de français à visée professionnelle ou une inscription à France Travail ne compte pas. Cible : 60 %. Le dénominateur compte tous les parcours terminés, exclusions et déménagements hors du département compris ; la ventilation par motif de fin les montre à part.",
		Numerator:   "parcours terminés en emploi ou en formation le jour de la fin", Denominator: text(ended + ", exclusions et déménagements compris (ventilables par motif)"),
		Target: target(EmploymentOrTrainingTarget), Breakdowns: endedBreakdowns},
	{Name: IndicatorNameDurableEmploymentAtExit, Group: IndicatorGroupOutcomes, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Emploi durable à l'issue du parcours",
		Description: "Part des parcours terminés dans la période avec un emploi durable (CDI ou CDD de 6 mois ou plus) en cours le jour de la fin.",
		Numerator:   "parcours terminés en emploi durable le jour de la fin", Denominator: text(ended), Breakdowns: endedBreakdowns},
	{Name: IndicatorNameQualifyingTraining, Group: IndicatorGroupOutcomes, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Accès à une formation qualifiante",
		Description: "Part des parcours terminés dans la période qui ont commencé une formation qualifiante au plus tard le jour de la fin.",
		Numerator:   "parcours terminés ayant commencé une formation qualifiante", Denominator: text(ended), Breakdowns: endedBreakdowns},
	{Name: IndicatorNameHousingAtExit, Group: IndicatorGroupOutcomes, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Accès au logement pérenne",
		Description: "Part des parcours terminés dans la période dont la situation de logement à la fin est un logement pérenne (une situation inconnue compte au dénominateur).",
		Numerator:   "parcours terminés en logement pérenne", Denominator: text(ended), Breakdowns: endedBreakdowns},
	{Name: IndicatorNameRightsOpened, Group: IndicatorGroupOutcomes, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Ouverture de droits",
		Description: "Part des parcours terminés dans la période avec au moins une démarche d'accès aux droits aboutie.",
		Numerator:   "parcours terminés avec au moins un droit ouvert", Denominator: text(ended), Breakdowns: endedBreakdowns},
	{Name: IndicatorNameRetention, Group: IndicatorGroupRetention, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Taux de maintien dans le parcours",
		Description: "Part des parcours entrés (entretien d'accueil réalisé) et actifs dans la période qui n'ont pas été interrompus dans la période par un abandon ou une exclusion.",
		Numerator:   "parcours non interrompus par un abandon ou une exclusion dans la période",
		Denominator: text("parcours entrés et actifs au moins un jour de la période"), Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameRetention6Months, Group: IndicatorGroupRetention, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Maintien à 6 mois (cohorte d'entrée)",
		Description: "Des personnes entrées dans la période (entretien d'accueil réalisé), part encore accompagnées 6 mois après leur entrée, ou sorties avant avec une sortie positive (objectifs atteints, ou en emploi ou en formation le jour de la sortie). Les déménagements hors du département avant l'échéance sont hors du dénominateur ; une exclusion ou un abandon compte comme non maintenu. Une réintégration rouvre le parcours. Demander un mois donne la cohorte de ce mois.",
		Numerator:   "entrées encore accompagnées ou sorties positivement à 6 mois",
		Denominator: text("entrées de la période dont l'échéance de 6 mois est passée, hors déménagements avant l'échéance"),
		Maturity:    text("seules comptent les entrées dont les 6 mois sont écoulés à la date de calcul"), Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameRetention12Months, Group: IndicatorGroupRetention, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Maintien à 12 mois (cohorte d'entrée)",
		Description: "Comme le maintien à 6 mois, 12 mois après l'entrée.",
		Numerator:   "entrées encore accompagnées ou sorties positivement à 12 mois",
		Denominator: text("entrées de la période dont l'échéance de 12 mois est passée, hors déménagements avant l'échéance"),
		Maturity:    text("seules comptent les entrées dont les 12 mois sont écoulés à la date de calcul"), Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameFrenchLevelsGainedMedian, Group: IndicatorGroupOutcomes, Unit: IndicatorUnitLevels, Personal: true,
		Label:       "Progression en français (niveaux gagnés)",
		Description: "Médiane du nombre de niveaux du CECRL gagnés (sous A1, A1, A2, B1, B2, C1, C2) entre la première évaluation du niveau de français et la dernière faite au plus tard le jour de la fin, pour les parcours terminés dans la période qui ont au moins deux évaluations.",
		Numerator:   "niveaux gagnés entre la première et la dernière évaluation",
		Denominator: text(ended + ", avec au moins deux évaluations du niveau de français au plus tard le jour de la fin"), Breakdowns: endedBreakdowns},
	{Name: IndicatorNameFrenchA2AtExit, Group: IndicatorGroupOutcomes, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Niveau A2 atteint en fin de parcours",
		Description: "Part des parcours terminés dans la période dont la dernière évaluation du niveau de français faite au plus tard le jour de la fin est A2 ou plus.",
		Numerator:   "parcours terminés au niveau A2 ou plus",
		Denominator: text(ended + ", avec au moins une évaluation du niveau de français au plus tard le jour de la fin"), Breakdowns: endedBreakdowns},
	{Name: IndicatorNameFrenchB1AtExit, Group: IndicatorGroupOutcomes, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Niveau B1 atteint en fin de parcours",
		Description: "Part des parcours terminés dans la période dont la dernière évaluation du niveau de français faite au plus tard le jour de la fin est B1 ou plus.",
		Numerator:   "parcours terminés au niveau B1 ou plus",
		Denominator: text(ended + ", avec au moins une évaluation du niveau de français au plus tard le jour de la fin"), Breakdowns: endedBreakdowns},
	{Name: IndicatorNameConvocationNoShow, Group: IndicatorGroupDelays, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Absences aux convocations",
		Description: "Part des convocations dont le rendez-vous tombe dans la période et dont l'entretien est enregistré comme non honoré (absence), parmi celles dont l'entretien est enregistré comme réalisé ou non honoré (un entretien excusé, annulé ou non enregistré ne compte pas).",
		Numerator:   "convocations non honorées",
		Denominator: text("convocations de la période dont l'entretien est réalisé ou non honoré"), Breakdowns: journeyBreakdowns},
	// Delays.
	{Name: IndicatorNameWelcomeWithinDelay, Group: IndicatorGroupDelays, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Entretien d'accueil dans le délai",
		Description: "Part des bénéficiaires ayant signé le CIR dans la période (l'orientation, à défaut) dont l'entretien d'accueil a eu lieu au plus tard à l'échéance (un mois après la signature, ou le délai négocié par le département).",
		Numerator:   "entretiens d'accueil réalisés au plus tard à l'échéance",
		Denominator: text("bénéficiaires dont le CIR est signé dans la période et dont l'échéance est passée"),
		Maturity:    text("seuls comptent les bénéficiaires dont l'échéance de l'entretien d'accueil est passée à la date de calcul"),
		Breakdowns:  journeyBreakdowns},
	{Name: IndicatorNameWelcomeDelayMedian, Group: IndicatorGroupDelays, Unit: IndicatorUnitDays, Personal: true,
		Label:       "Délai médian d'accueil",
		Description: "Médiane, en jours, du délai entre la signature du CIR (l'orientation, à défaut) et l'entretien d'accueil, pour les entretiens réalisés dans la période.",
		Numerator:   "jours entre la signature du CIR et l'entretien d'accueil", Denominator: text("entretiens d'accueil réalisés dans la période"),
		Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameContractDelayMedian, Group: IndicatorGroupDelays, Unit: IndicatorUnitDays, Personal: true,
		Label:       "Délai médian de contractualisation",
		Description: "Médiane, en jours, du délai entre l'entretien d'accueil et la signature du contrat d'engagement, pour les contrats signés dans la période.",
		Numerator:   "jours entre l'entretien d'accueil et la signature du contrat", Denominator: text("contrats signés dans la période"),
		Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameJourneyDurationMedian, Group: IndicatorGroupDelays, Unit: IndicatorUnitDays, Personal: true,
		Label:       "Durée médiane du parcours",
		Description: "Médiane, en jours, de la durée des parcours terminés dans la période, de l'entrée (entretien d'accueil, l'orientation à défaut) à la fin.",
		Numerator:   "jours entre l'entrée et la fin du parcours", Denominator: text(ended), Breakdowns: endedBreakdowns},
	{Name: IndicatorNameJourneysOverLimit, Group: IndicatorGroupDelays, Unit: IndicatorUnitCount, Personal: true,
		Label:       "Parcours au-delà de la durée maximale",
		Description: "Parcours actifs dans la période qui ont dépassé leur durée maximale (24 mois, ou la fin de la réintégration) avant leur fin ou avant le dernier jour de la période.",
		Numerator:   "parcours au-delà de la durée maximale", Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameOrientationAnswerDelayMedian, Group: IndicatorGroupDelays, Unit: IndicatorUnitDays, Personal: true,
		Label:       "Délai médian de réponse des partenaires",
		Description: "Médiane, en jours, du délai entre l'orientation et la réponse du partenaire, pour les orientations ayant reçu une réponse dans la période. La ventilation par structure est celle du partenaire.",
		Numerator:   "jours entre l'orientation et la réponse", Denominator: text("orientations ayant reçu une réponse dans la période"),
		Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameOrientationsAnsweredInTime, Group: IndicatorGroupDelays, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Orientations traitées dans les délais",
		Description: "Part des orientations faites dans la période auxquelles le partenaire a répondu au plus tard à l'échéance. La ventilation par structure est celle du partenaire.",
		Numerator:   "orientations ayant reçu une réponse au plus tard à l'échéance",
		Denominator: text("orientations faites dans la période dont l'échéance est passée"),
		Maturity:    text("seules comptent les orientations dont l'échéance de réponse est passée à la date de calcul"),
		Breakdowns:  journeyBreakdowns},
	{Name: IndicatorNameOrientationAcceptance, Group: IndicatorGroupDelays, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Acceptation des orientations",
		Description: "Part des orientations ayant reçu une réponse dans la période que le partenaire a acceptées (toute réponse autre qu'un refus). La ventilation par structure est celle du partenaire ; le délai de réponse par partenaire est le délai médian de réponse ventilé de même.",
		Numerator:   "orientations acceptées", Denominator: text("orientations ayant reçu une réponse dans la période"),
		Breakdowns: journeyBreakdowns},
	// Evaluations and follow-ups.
	{Name: IndicatorNameEntryEvaluations, Group: IndicatorGroupEvaluations, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Évaluations d'entrée réalisées",
		Description: "Part des entrées de la période (entretien d'accueil) qui ont leur évaluation d'entrée.",
		Numerator:   "entrées avec une évaluation d'entrée", Denominator: text("entrées de la période dont l'évaluation d'entrée est échue"),
		Maturity:   text("seules comptent les entrées dont l'évaluation d'entrée est échue (30 jours après l'accueil, ou le délai du département) à la date de calcul"),
		Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameMidCourseEvaluations, Group: IndicatorGroupEvaluations, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Évaluations à mi-parcours réalisées",
		Description: "Part des entrées de la période encore en parcours à mi-parcours qui ont leur évaluation à mi-parcours.",
		Numerator:   "entrées avec une évaluation à mi-parcours",
		Denominator: text("entrées de la période encore en parcours à l'échéance de mi-parcours, échéance passée"),
		Maturity:    text("seules comptent les entrées dont l'échéance de mi-parcours (12 mois, ou le délai du département) est passée à la date de calcul"),
		Breakdowns:  journeyBreakdowns},
	{Name: IndicatorNameExitEvaluations, Group: IndicatorGroupEvaluations, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Évaluations de sortie réalisées",
		Description: "Part des sorties ordinaires de la période (dernière fin du parcours) qui ont leur évaluation de sortie.",
		Numerator:   "sorties avec une évaluation de sortie", Denominator: text(exited), Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameFollowUps3Months, Group: IndicatorGroupEvaluations, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Suivis à 3 mois réalisés",
		Description: "Part des sorties ordinaires de la période dont le suivi à 3 mois a été réalisé.",
		Numerator:   "sorties avec un suivi à 3 mois", Denominator: text(exited + ", échéance à 3 mois passée"),
		Maturity: text(maturityExit + " (3 mois après la sortie)"), Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameFollowUps6Months, Group: IndicatorGroupEvaluations, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Suivis à 6 mois réalisés",
		Description: "Part des sorties ordinaires de la période dont le suivi à 6 mois a été réalisé.",
		Numerator:   "sorties avec un suivi à 6 mois", Denominator: text(exited + ", échéance à 6 mois passée"),
		Maturity: text(maturityExit + " (6 mois après la sortie)"), Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameDurability3Months, Group: IndicatorGroupEvaluations, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Durabilité à 3 mois",
		Description: "Parmi les sorties de la période suivies à 3 mois, part encore en emploi, en formation ou en logement pérenne au suivi (FollowUpSustained).",
		Numerator:   "suivis à 3 mois en emploi, formation ou logement pérenne", Denominator: text("sorties de la période avec un suivi à 3 mois"),
		Maturity: text(maturityExit + " (3 mois après la sortie)"), Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameDurability6Months, Group: IndicatorGroupEvaluations, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Durabilité à 6 mois",
		Description: "Parmi les sorties de la période suivies à 6 mois, part encore en emploi, en formation ou en logement pérenne au suivi (FollowUpSustained).",
		Numerator:   "suivis à 6 mois en emploi, formation ou logement pérenne", Denominator: text("sorties de la période avec un suivi à 6 mois"),
		Maturity: text(maturityExit + " (6 mois après la sortie)"), Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameEmploymentDurability3Months, Group: IndicatorGroupEvaluations, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Emploi ou formation durable à 3 mois",
		Description: "Parmi les sorties de la période suivies à 3 mois, part en emploi (tout emploi) ou en formation qualifiante, préqualifiante ou autre au suivi ; un cours de français, même à visée professionnelle, ou un logement ne compte pas (SustainedEmploymentOrTraining).",
		Numerator:   "suivis à 3 mois en emploi ou en formation (hors cours de français)", Denominator: text("sorties de la période avec un suivi à 3 mois"),
		Maturity: text(maturityExit + " (3 mois après la sortie)"), Breakdowns: journeyBreakdowns},
	{Name: IndicatorNameEmploymentDurability6Months, Group: IndicatorGroupEvaluations, Unit: IndicatorUnitRate, Personal: true,
		Label:       "Emploi ou formation durable à 6 mois",
		Description: "Parmi les sorties de la période suivies à 6 mois, part en emploi (tout emploi) ou en formation qualifiante, préqualifiante ou autre au suivi ; un cours de français, même à visée professionnelle, ou un logement ne compte pas (SustainedEmploymentOrTraining).",
		Numerator:   "suivis à 6 mois en emploi ou en formation (hors cours de français)", Denominator: text("sorties de la période avec un suivi à 6 mois"),
		Maturity: text(maturityExit + " (6 mois après la sortie)"), Breakdowns: journeyBreakdowns},
	// Network.
	{Name: IndicatorNameNetworkEventsHeld, Group: IndicatorGroupNetwork, Unit: IndicatorUnitCount,
		Label:       "Temps de réseau tenus",
		Description: "Temps de réseau (réunions, groupes de travail, échanges de pratiques) commencés dans la période, au plus tard aujourd'hui. Un temps commun à deux départements compte dans chacun, une fois au total.",
		Numerator:   "temps de réseau tenus", Breakdowns: []Breakdown{BreakdownDepartment}},
	{Name: IndicatorNameEventParticipations, Group: IndicatorGroupNetwork, Unit: IndicatorUnitCount,
		Label:       "Participation aux temps de réseau",
		Description: "Présences des structures aux temps de réseau tenus dans la période (une par structure et par temps).",
		Numerator:   "présences de structures", Breakdowns: []Breakdown{BreakdownDepartment, BreakdownStructure}},
	{Name: IndicatorNameEmergingNeedsOpen, Group: IndicatorGroupNetwork, Unit: IndicatorUnitCount,
		Label:       "Besoins émergents ouverts",
		Description: "Besoins émergents signalés dans la période et encore ouverts (identifiés ou en cours), selon leur statut d'aujourd'hui.",
		Numerator:   "besoins émergents ouverts", Breakdowns: []Breakdown{BreakdownDepartment, BreakdownStructure}},
	{Name: IndicatorNameEmergingNeedsAddressed, Group: IndicatorGroupNetwork, Unit: IndicatorUnitCount,
		Label:       "Besoins émergents traités",
		Description: "Besoins émergents signalés dans la période et traités, selon leur statut d'aujourd'hui.",
		Numerator:   "besoins émergents traités", Breakdowns: []Breakdown{BreakdownDepartment, BreakdownStructure}},
	{Name: IndicatorNameOffersUpToDate, Group: IndicatorGroupNetwork, Unit: IndicatorUnitRate,
		Label:       "Offres à jour",
		Description: "Part des offres publiées vérifiées depuis moins que leur fréquence de mise à jour, aujourd'hui (la période ne s'applique pas). Ventilable par partenaire.",
		Numerator:   "offres publiées à jour", Denominator: text("offres publiées"),
		Breakdowns: []Breakdown{BreakdownDepartment, BreakdownStructure}},
}

// IndicatorDefinitionOf returns the definition of name.
func IndicatorDefinitionOf(name IndicatorName) (IndicatorDefinition, bool) {
	for _, d := range IndicatorDefinitions {
		if d.Name == name {
			return d, true
		}
	}
	return IndicatorDefinition{}, false
}

// BreaksDownBy reports whether the indicator breaks down by b.
func (d IndicatorDefinition) BreaksDownBy(b Breakdown) bool { return slices.Contains(d.Breakdowns, b) }

// Tally is an indicator's raw figures for one cell, before suppression: for a count,
// Numerator; for a rate, Numerator and Denominator; for a median, Value (nil when
// nothing was measured) and Denominator (the measures).
type Tally struct {
	Numerator   int
	Denominator int
	Value       *float64
}

// Suppressed reports whether a cell of a personal indicator is hidden from analysts
// (DESIGN §6: "every aggregate cell under 5 is suppressed"): a cell is hidden when it
// counts 1 to 4 beneficiaries in its numerator (a count, or the part of a rate) or its
// denominator, or when the complement of a rate (denominator - numerator) is 1 to 4,
// which the total would otherwise give away. A zero is shown: it identifies nobody.
func Suppressed(unit IndicatorUnit, t Tally) bool {
	small := func(n int) bool { return n > 0 && n < SuppressionThreshold }
	switch unit {
	case IndicatorUnitCount:
		return small(t.Numerator)
	case IndicatorUnitRate:
		return small(t.Numerator) || small(t.Denominator) || small(t.Denominator-t.Numerator)
	case IndicatorUnitDays, IndicatorUnitLevels:
		return small(t.Denominator)
	}
	return true
}

// Cell turns the figures of a cell into its API form: the value (a count, a rate rounded
// to 4 decimals, a median rounded to 1), or nothing when hidden by statistical secrecy
// (decided by the caller: Suppressed, or an analyst's HiddenCells pattern; the state
// representative reads individual journeys of its territory, so hiding its small cells
// would protect nothing).
func (d IndicatorDefinition) Cell(t Tally, hidden bool) IndicatorCell {
	c := IndicatorCell{Target: d.Target}
	if hidden {
		c.Suppressed = true
		return c
	}
	num, den := t.Numerator, t.Denominator
	switch d.Unit {
	case IndicatorUnitCount:
		v := float64(num)
		c.Value, c.Numerator = &v, &num
	case IndicatorUnitRate:
		c.Numerator, c.Denominator = &num, &den
		if den > 0 {
			v := roundTo(float64(num)/float64(den), 4)
			c.Value = &v
		}
	case IndicatorUnitDays, IndicatorUnitLevels:
		c.Denominator = &den
		if t.Value != nil && den > 0 {
			v := roundTo(*t.Value, 1)
			c.Value = &v
		}
	}
	return c
}

func roundTo(v float64, decimals int) float64 {
	p := 1.0
	for range decimals {
		p *= 10
	}
	if v < 0 {
		return -float64(int64(-v*p+0.5)) / p
	}
	return float64(int64(v*p+0.5)) / p
}

// DefaultIndicatorPeriod is the period of the indicators when none is given: the
// current year to date.
func DefaultIndicatorPeriod(today Date, p *PeriodInput) (from, to Date) {
	from, to = NewDate(today.Year, time.January, 1), today
	if p != nil && p.From != nil {
		from = *p.From
	}
	if p != nil && p.To != nil {
		to = *p.To
	}
	return from, to
}

// CheckIndicatorPeriod: the period is not reversed and spans at most 10 years.
func CheckIndicatorPeriod(from, to Date) *Error {
	if to.Before(from) {
		return Errorf(CodeInvalidInput, Path("input", "period", "to"), "la fin de la période précède son début")
	}
	if from.AddDate(10, 0, 0).Before(to) {
		return Errorf(CodeOutOfRange, Path("input", "period"), "la période dépasse 10 ans")
	}
	return nil
}

// SeriesStep is one step of a series.
type SeriesStep struct {
	From, To Date
	Label    string
}

// SeriesSteps cuts the period into calendar months or quarters, the first and last
// steps clipped to the period; at most MaxSeriesSteps.
func SeriesSteps(from, to Date, g SeriesGranularity) ([]SeriesStep, *Error) {
	if err := CheckIndicatorPeriod(from, to); err != nil {
		return nil, err
	}
	months := 1
	if g == SeriesGranularityQuarter {
		months = 3
	}
	start := NewDate(from.Year, from.Month-time.Month((int(from.Month)-1)%months), 1)
	var out []SeriesStep
	for s := start; !s.After(to); s = s.AddDate(0, months, 0) {
		if len(out) == MaxSeriesSteps {
			return nil, Errorf(CodeOutOfRange, Path("period"), "la série dépasse %d pas", MaxSeriesSteps)
		}
		e := s.AddDate(0, months, -1)
		step := SeriesStep{From: s, To: e, Label: fmt.Sprintf("%04d-%02d", s.Year, s.Month)}
		if g == SeriesGranularityQuarter {
			step.Label = fmt.Sprintf("%04d-T%d", s.Year, (int(s.Month)-1)/3+1)
		}
		if step.From.Before(from) {
			step.From = from
		}
		if step.To.After(to) {
			step.To = to
		}
		out = append(out, step)
	}
	return out, nil
}

// AgeBandOn is the age band of a person born on birth, on day.
func AgeBandOn(birth, day Date) AgeBand {
	age := day.Year - birth.Year
	if day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day) {
		age--
	}
	switch {
	case age < 18:
		return AgeBandUnder18
	case age <= 25:
		return AgeBandFrom18To25
	case age <= 35:
		return AgeBandFrom26To35
	case age <= 45:
		return AgeBandFrom36To45
	case age <= 55:
		return AgeBandFrom46To55
	}
	return AgeBandFrom56
}

// AgeBandBounds are the lowest age of each band, for SQL (band = last bound <= age).
var AgeBandBounds = []struct {
	Band   AgeBand
	MinAge int
}{{AgeBandUnder18, 0}, {AgeBandFrom18To25, 18}, {AgeBandFrom26To35, 26}, {AgeBandFrom36To45, 36},
	{AgeBandFrom46To55, 46}, {AgeBandFrom56, 56}}

// HouseholdOf is the composition of a household from its joining members: a spouse, and
// minor children; a parent (or anything else) without spouse or child is OTHER.
func HouseholdOf(spouse bool, minorChildren int, others int) HouseholdComposition {
	switch {
	case spouse && minorChildren > 0:
		return HouseholdCompositionCoupleWithChildren
	case spouse:
		return HouseholdCompositionCouple
	case minorChildren > 0:
		return HouseholdCompositionSingleParent
	case others > 0:
		return HouseholdCompositionOther
	}
	return HouseholdCompositionAlone
}

// FollowUpSustained reports whether a follow-up finds the person still in employment,
// training or permanent housing (seed « Suivi-évaluation »: "un suivi à 3 mois et 6 mois
// après la sortie pour vérifier le caractère durable de l'insertion"): any employment
// situation but job seeking, inactive or unknown; a qualifying or other training, or a
// French course; or permanent housing.
func FollowUpSustained(h HousingSituation, e EmploymentSituation, t TrainingSituation) bool {
	return SustainedEmployment(e) || SustainedTraining(t) || h == HousingSituationPermanentHousing
}

// SustainedEmploymentOrTraining reports whether a follow-up finds the person in
// employment or in a qualifying, pre-qualifying or other training: the durability of
// insertion, where a French course (work-oriented or not) or housing does not count
// (issue 17).
func SustainedEmploymentOrTraining(e EmploymentSituation, t TrainingSituation) bool {
	return SustainedEmployment(e) || t == TrainingSituationQualifyingTraining || t == TrainingSituationPreQualifyingTraining ||
		t == TrainingSituationOtherTraining
}

// SustainedEmployment: the employment part of FollowUpSustained.
func SustainedEmployment(e EmploymentSituation) bool {
	switch e {
	case EmploymentSituationJobSeeking, EmploymentSituationInactive, EmploymentSituationUnknown:
		return false
	}
	return e.IsValid()
}

// SustainedTraining: the training part of FollowUpSustained.
func SustainedTraining(t TrainingSituation) bool {
	switch t {
	case TrainingSituationNone, TrainingSituationUnknown:
		return false
	}
	return t.IsValid()
}

// NeedThematiques are the data·inclusion thématiques answering each kind of need: an
// offer answers a need when one of its thématiques is one of these or below one
// ("sante" covers "sante--acces-aux-soins").
var NeedThematiques = map[NeedKind][]string{
	NeedKindFrench:             {"lecture-ecriture-calcul--maitriser-le-francais"},
	NeedKindChildcare:          {"famille--garde-denfants"},
	NeedKindMobility:           {"mobilite"},
	NeedKindHealth:             {"sante"},
	NeedKindHousing:            {"logement-hebergement"},
	NeedKindDigitalSkills:      {"numerique"},
	NeedKindDiplomaRecognition: {"se-former--monter-son-dossier-de-formation", "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"},
	NeedKindAdministrative:     {"difficultes-administratives-ou-juridiques"},
	NeedKindRights:             {"difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"},
	NeedKindEmployment:         {"trouver-un-emploi", "preparer-sa-candidature", "choisir-un-metier"},
	NeedKindTraining:           {"se-former"},
}

// NeedOfBarrier is the need a pre-diagnostic barrier reveals.
func NeedOfBarrier(b BarrierKind) NeedKind { return NeedKind(b) }

// NeedOfAxis is the need a welcome-diagnostic axis with needs reveals.
func NeedOfAxis(a Axis) NeedKind { return NeedKind(a) }

// NeedMissing reports whether the local offer is missing for a need: beneficiaries have
// it and no offer answers it, or every answering offer gives its capacity and the places
// are fewer than the beneficiaries.
func NeedMissing(beneficiaries, offers, places, withoutCapacity int) bool {
	if beneficiaries == 0 {
		return false
	}
	return offers == 0 || (withoutCapacity == 0 && places < beneficiaries)
}

// NeedCapacityUnknown reports whether the gap of a need cannot be judged: some answering
// offers give no capacity and the known places are fewer than the beneficiaries (the
// offer is then "capacity unknown", not "missing").
func NeedCapacityUnknown(beneficiaries, offers, places, withoutCapacity int) bool {
	return beneficiaries > 0 && offers > 0 && withoutCapacity > 0 && places < beneficiaries
}

// BreakdownLabels are the French labels of the enumerated keys of the breakdowns.
var BreakdownLabels = map[string]string{
	"REFUGEE": "Réfugié", "SUBSIDIARY_PROTECTION": "Protection subsidiaire", "OTHER": "Autre",
	"FEMALE": "Femme", "MALE": "Homme", "UNSPECIFIED": "Non précisé",
	"UNDER_18": "Moins de 18 ans", "FROM_18_TO_25": "18-25 ans", "FROM_26_TO_35": "26-35 ans", "FROM_36_TO_45": "36-45 ans",
	"FROM_46_TO_55": "46-55 ans", "FROM_56": "56 ans et plus",
	"ALONE": "Personne seule", "COUPLE": "Couple sans enfant", "COUPLE_WITH_CHILDREN": "Couple avec enfants",
	"SINGLE_PARENT": "Famille monoparentale",
	"GOALS_REACHED": "Objectifs atteints", "JOURNEY_LIMIT": "Durée maximale atteinte", "MOVED_AWAY": "Déménagement",
	"WITHDRAWAL": "Abandon", "TWO_HOUSING_REFUSALS": "Deux refus de logement", "VIOLENCE_OR_THREAT": "Violence ou menace",
	"NON_ADHERENCE": "Non-adhésion", "OFFENCE_PROSECUTED": "Infraction entraînant des poursuites",
	"UNKNOWN": "Non renseigné",
}
