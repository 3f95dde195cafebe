// Package graph is the GraphQL layer: the generated executor, thin resolvers, loaders,
// the authorization middleware and the error presenter.
package graph

//go:generate go run ../tools/gqlgen
//go:generate go run ../tools/printschema ../schema.graphql
//go:generate go run ../tools/indicatortable ../docs/indicators-table.md

import (
	"log/slog"

	"github.com/agir-reseau/agir-backend/db"
)

// Resolver is the root resolver: what every resolver needs, passed down, no globals.
type Resolver struct {
	Store    *db.Store
	Logger   *slog.Logger
	rules    *Rules
	realtime *realtime // subscriptions; nil when they are off
}
