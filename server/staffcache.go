package main

import (
	"context"
	"sync"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// staffCache keeps, for a few seconds (AGIR_STAFF_CACHE_TTL), the staff record a token's
// subject and e-mail matched, so that a client's burst of requests reads it once instead
// of once per request (issue 9). The staff record stays authoritative: a role, structure
// or territory change, or a deactivation, takes effect within the TTL for HTTP requests.
// Subscriptions' rechecks and WebSocket handshakes never use it. Lookup errors are not
// kept; an unknown or deactivated account is (a refused token is refused for the TTL).
type staffCache struct {
	ttl  time.Duration
	now  func() time.Time
	load func(ctx context.Context, l staffLogin) (staffLookup, error)

	mu sync.Mutex
	m  map[staffLogin]staffCacheEntry
}

// staffLogin is what a verified token presents to find its staff record; it keys the
// cache (the same subject with another issuer, e-mail or verification is another entry).
type staffLogin struct {
	issuer, subject, email string
	emailVerified          bool
}

func loginOf(p *model.Principal) staffLogin {
	return staffLogin{issuer: p.Issuer, subject: p.Subject, email: p.Email, emailVerified: p.EmailVerified}
}

type staffCacheEntry struct {
	v       staffLookup
	expires time.Time
}

// staffLookup is what StaffMemberByLogin (development tokens) or StaffMemberByOIDCLogin
// answered.
type staffLookup struct {
	staff     model.StaffMember
	structure model.Structure
	ok        bool
	refusal   string // why an OIDC identity was refused for the record its e-mail found
}

// staffCacheMax bounds the entries kept: past it, the expired ones are dropped, and all
// of them if none had expired.
const staffCacheMax = 10000

func newStaffCache(ttl time.Duration, load func(ctx context.Context, l staffLogin) (staffLookup, error)) *staffCache {
	return &staffCache{ttl: ttl, now: time.Now, load: load, m: map[staffLogin]staffCacheEntry{}}
}

// get returns the staff record of login k, read at most ttl ago.
func (c *staffCache) get(ctx context.Context, k staffLogin) (staffLookup, error) {
	if c == nil || c.ttl <= 0 {
		return c.load(ctx, k)
	}
	now := c.now()
	c.mu.Lock()
	e, hit := c.m[k]
	c.mu.Unlock()
	if hit && now.Before(e.expires) {
		return e.v, nil
	}
	v, err := c.load(ctx, k)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if len(c.m) >= staffCacheMax {
		for key, old := range c.m {
			if !now.Before(old.expires) {
				delete(c.m, key)
			}
		}
		if len(c.m) >= staffCacheMax {
			clear(c.m)
		}
	}
	c.m[k] = staffCacheEntry{v: v, expires: now.Add(c.ttl)}
	c.mu.Unlock()
	return v, nil
}
