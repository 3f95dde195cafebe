package endpoint_test

import (
	"context"
	"testing"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

func TestMain(m *testing.M) {
	dbtest.Main(m, func(ctx context.Context, url string) error {
		_, err := db.Migrate(ctx, url)
		return err
	})
}

func demoEnv(t *testing.T) *graphtest.Env { t.Helper(); return graphtest.NewDemo(t) }

func demoPrincipal(t *testing.T, env *graphtest.Env, role model.Role) *model.Principal {
	t.Helper()
	return env.DemoPrincipal(role)
}
