package graph_test

import (
	"testing"
)

// Benchmarks of the hot paths on a seeded department (go test -bench Scale ./graph/):
// the whole GraphQL operation in process, database included, as a coordinator and a
// social worker of department 69.
func BenchmarkScale(b *testing.B) {
	env, _, _ := seededEnvB(b)
	coord := principalB(b, env, "coordinator@demo.agir.local")
	worker := principalB(b, env, "social_worker@demo.agir.local")
	var first struct {
		Beneficiaries struct{ Nodes []struct{ ID string } }
	}
	env.MustDo(coord, `{ beneficiaries(first: 1) { nodes { id } } }`, nil, &first)
	record := map[string]any{"id": first.Beneficiaries.Nodes[0].ID}
	for _, c := range []struct {
		name, query string
		role        string
		vars        map[string]any
	}{
		{"List50", `{ beneficiaries(first: 50) { nodes { id firstName lastName phase referents { socialWorker { name } insertionCounsellor { name } } socialOperator { name } } } }`, "coordinator", nil},
		{"List50NoPersonalData", `{ beneficiaries(first: 50) { nodes { id phase referents { socialWorker { name } insertionCounsellor { name } } socialOperator { name } } } }`, "coordinator", nil},
		{"Dashboard50", `{ beneficiaries(first: 50, filter: {phases: [CONTRACTED, WELCOMED]}, orderBy: {field: JOURNEY_ENDS_ON, direction: ASC}) {
			totalCount nodes { id firstName lastName phase journeyEndsOn socialOperator { name } employmentOperator { name }
			referents { socialWorker { name } insertionCounsellor { name } } lastInterview { kind status plannedAt }
			orientations { status answerDueOn structure { name } } alerts { kind dueOn } } } }`, "coordinator", nil},
		{"OffersNear", `{ offers(first: 20, filter: {near: {latitude: 45.76, longitude: 4.84, radiusKm: 20}}) { totalCount nodes { id name structure { name } } } }`, "social_worker", nil},
		// The record view: one beneficiary with its relations (they are read before its
		// fields resolve, which resolve one after the other).
		{"Record", `query($id: ID!) { beneficiary(id: $id) { id firstName lastName phase socialOperator { name } employmentOperator { name }
			referents { socialWorker { name } insertionCounsellor { name } } household { firstName } convocations { appointmentAt }
			interviews { kind status plannedAt } lastInterview { kind } diagnostic { housing { situation } } plan { objectives { title } }
			orientations { status structure { name } } supportActions { kind } outcomes { kind } frenchLevel { level } alerts { kind } } }`,
			"coordinator", record},
		// The same through node(id:), as a client refetching by global id does.
		{"Node", `query($id: ID!) { node(id: $id) { ... on Beneficiary { id firstName lastName phase socialOperator { name }
			employmentOperator { name } referents { socialWorker { name } insertionCounsellor { name } } household { firstName }
			convocations { appointmentAt } interviews { kind status plannedAt } lastInterview { kind }
			diagnostic { housing { situation } } plan { objectives { title } } orientations { status structure { name } }
			supportActions { kind } outcomes { kind } frenchLevel { level } alerts { kind } } } }`, "coordinator", record},
	} {
		p := coord
		if c.role == "social_worker" {
			p = worker
		}
		b.Run(c.name, func(b *testing.B) {
			env.T = b
			for i := 0; i < b.N; i++ {
				env.MustDo(p, c.query, c.vars, nil)
			}
		})
	}
}
