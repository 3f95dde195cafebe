package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// seen records what the middleware handed to the next handler.
type seen struct {
	principal *model.Principal
	failure   error
	calls     int
}

func (s *seen) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.calls++
		s.principal = model.PrincipalFrom(r.Context())
		s.failure = FailureFrom(r.Context())
		w.WriteHeader(http.StatusOK)
	})
}

func serve(h http.Handler, authorization string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMiddleware(t *testing.T) {
	s := newDevSigner()
	good, err := s.Sign(DevPrincipal(model.RoleCoordinator))
	if err != nil {
		t.Fatal(err)
	}
	expired, err := DevSigner{Secret: testSecret, Issuer: "agir-test", TTL: time.Minute, Now: clock(testNow.Add(-time.Hour))}.Sign(DevPrincipal(model.RoleAnalyst))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name          string
		authorization string
		wantFailure   error
		wantSubject   string
	}{
		{"OK", "Bearer " + good, nil, "dev-coordinator"},
		{"OKSchemeCaseInsensitive", "bEARER   " + good, nil, "dev-coordinator"},
		{"ErrNoHeader", "", ErrNoToken, ""},
		{"ErrBadToken", "Bearer " + good[:len(good)-4] + "AAAA", ErrInvalidToken, ""},
		{"ErrGarbage", "Bearer garbage", ErrInvalidToken, ""},
		{"ErrExpired", "Bearer " + expired, ErrExpiredToken, ""},
		{"ErrBasicScheme", "Basic dXNlcjpwYXNz", ErrInvalidToken, ""},
		{"ErrEmptyBearer", "Bearer ", ErrInvalidToken, ""},
		{"ErrSchemeOnly", "Bearer", ErrInvalidToken, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got seen
			w := serve(Middleware(s, got.handler()), tt.authorization)
			if w.Code != http.StatusOK || got.calls != 1 {
				t.Fatalf("status %d, next called %d times: the middleware must always pass the request on", w.Code, got.calls)
			}
			if got.failure != tt.wantFailure {
				t.Fatalf("FailureFrom = %v, want %v", got.failure, tt.wantFailure)
			}
			switch {
			case tt.wantSubject == "" && got.principal != nil:
				t.Fatalf("principal %+v on a failed authentication", *got.principal)
			case tt.wantSubject != "" && (got.principal == nil || got.principal.Subject != tt.wantSubject || got.principal.Role != model.RoleCoordinator):
				t.Fatalf("principal %+v, want subject %q", got.principal, tt.wantSubject)
			}
		})
	}
}

func TestMiddlewareWith(t *testing.T) {
	s := newDevSigner()
	good, err := s.Sign(DevPrincipal(model.RoleSocialWorker))
	if err != nil {
		t.Fatal(err)
	}
	errDB := errors.New("db: find staff: connection refused")

	t.Run("OKResolveReplacesPrincipal", func(t *testing.T) {
		var got seen
		o := MiddlewareOptions{Resolve: func(_ context.Context, p *model.Principal) (*model.Principal, error) {
			q := *p
			q.StructureID = "st-operator-social"
			return &q, nil
		}}
		serve(MiddlewareWith(s, o, got.handler()), "Bearer "+good)
		if got.failure != nil || got.principal == nil || got.principal.StructureID != "st-operator-social" {
			t.Fatalf("principal %+v, failure %v", got.principal, got.failure)
		}
	})
	for _, tc := range []struct {
		name    string
		resolve func(context.Context, *model.Principal) (*model.Principal, error)
		want    error
	}{
		{"ErrResolveUnknownStaff", func(context.Context, *model.Principal) (*model.Principal, error) {
			return nil, errors.Join(ErrInvalidToken, errors.New("no staff member for this subject"))
		}, ErrInvalidToken},
		{"ErrResolveNil", func(context.Context, *model.Principal) (*model.Principal, error) { return nil, nil }, ErrInvalidToken},
		{"ErrResolveDropsRole", func(_ context.Context, p *model.Principal) (*model.Principal, error) {
			q := *p
			q.Role = ""
			return &q, nil
		}, ErrInvalidToken},
		{"ErrResolveInternal", func(context.Context, *model.Principal) (*model.Principal, error) { return nil, errDB }, errDB},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got seen
			var logged error
			o := MiddlewareOptions{Resolve: tc.resolve, OnFailure: func(_ *http.Request, err error) { logged = err }}
			serve(MiddlewareWith(s, o, got.handler()), "Bearer "+good)
			if got.failure != tc.want || got.principal != nil || logged == nil {
				t.Fatalf("failure %v, principal %+v, logged %v; want failure %v", got.failure, got.principal, logged, tc.want)
			}
		})
	}
	t.Run("OnFailureGetsDetail", func(t *testing.T) {
		var got seen
		var logged error
		o := MiddlewareOptions{OnFailure: func(_ *http.Request, err error) { logged = err }}
		serve(MiddlewareWith(s, o, got.handler()), "Bearer "+good+"x")
		if got.failure != ErrInvalidToken || !errors.Is(logged, ErrInvalidToken) || logged == ErrInvalidToken {
			t.Fatalf("failure %v, logged %v", got.failure, logged)
		}
	})
}

func TestFailureFrom_WithoutMiddleware(t *testing.T) {
	if err := FailureFrom(context.Background()); err != ErrNoToken {
		t.Fatalf("FailureFrom(no middleware) = %v, want ErrNoToken", err)
	}
	p := DevPrincipal(model.RoleAdmin)
	if err := FailureFrom(model.WithPrincipal(context.Background(), &p)); err != nil {
		t.Fatalf("FailureFrom(principal) = %v, want nil", err)
	}
}
