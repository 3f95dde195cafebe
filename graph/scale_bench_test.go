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
	for _, c := range []struct {
		name, query string
		role        string
	}{
		{"List50", `{ beneficiaries(first: 50) { nodes { id firstName lastName phase referents { socialWorker { name } insertionCounsellor { name } } socialOperator { name } } } }`, "coordinator"},
		{"List50NoPersonalData", `{ beneficiaries(first: 50) { nodes { id phase referents { socialWorker { name } insertionCounsellor { name } } socialOperator { name } } } }`, "coordinator"},
		{"Dashboard50", `{ beneficiaries(first: 50, filter: {phases: [CONTRACTED, WELCOMED]}, orderBy: {field: JOURNEY_ENDS_ON, direction: ASC}) {
			totalCount nodes { id firstName lastName phase journeyEndsOn socialOperator { name } employmentOperator { name }
			referents { socialWorker { name } insertionCounsellor { name } } lastInterview { kind status plannedAt }
			orientations { status answerDueOn structure { name } } alerts { kind dueOn } } } }`, "coordinator"},
		{"OffersNear", `{ offers(first: 20, filter: {near: {latitude: 45.76, longitude: 4.84, radiusKm: 20}}) { totalCount nodes { id name structure { name } } } }`, "social_worker"},
	} {
		p := coord
		if c.role == "social_worker" {
			p = worker
		}
		b.Run(c.name, func(b *testing.B) {
			env.T = b
			for i := 0; i < b.N; i++ {
				env.MustDo(p, c.query, nil, nil)
			}
		})
	}
}
