package endpoint

import (
	"testing"
	"time"
)

func TestRateLimiter_LeakyBucket(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewRateLimiter(100, 10)
	l.Now = func() time.Time { return now }
	for _, tc := range []struct {
		name      string
		advance   time.Duration
		who       string
		cost      int
		ok        bool
		remaining int
		retry     time.Duration
	}{
		{"a first operation fits", 0, "a", 60, true, 40, 0},
		{"the bucket is full for this cost", 0, "a", 50, false, 40, time.Second},
		{"another caller has its own bucket", 0, "b", 100, true, 0, 0},
		{"one second leaks 10 points", time.Second, "a", 50, true, 0, 0},
		{"nothing left", 0, "a", 1, false, 0, 100 * time.Millisecond},
		{"ten seconds empty it", 10 * time.Second, "a", 100, true, 0, 0},
	} {
		now = now.Add(tc.advance)
		ok, remaining, retry := l.Take(tc.who, tc.cost)
		if ok != tc.ok || remaining != tc.remaining || retry.Round(time.Millisecond) != tc.retry {
			t.Errorf("%s: ok %v remaining %d retry %s, want %v %d %s", tc.name, ok, remaining, retry, tc.ok, tc.remaining, tc.retry)
		}
	}
}

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		accept string
		want   string
		ok     bool
	}{
		{"", mediaJSON, true},
		{"*/*", mediaJSON, true},
		{"application/json", mediaJSON, true},
		{"application/graphql-response+json", mediaGraphQLResponse, true},
		{"application/graphql-response+json, application/json", mediaGraphQLResponse, true},
		{"application/json, application/graphql-response+json;q=0.9", mediaJSON, true},
		{"application/graphql-response+json;q=0, application/json", mediaJSON, true},
		{"text/html", "", false},
	} {
		got, ok := negotiate(tc.accept)
		if got != tc.want || ok != tc.ok {
			t.Errorf("negotiate(%q) = %q %v, want %q %v", tc.accept, got, ok, tc.want, tc.ok)
		}
	}
}
