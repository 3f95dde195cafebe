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
	load func(ctx context.Context, subject, email string) (staffLookup, error)

	mu sync.Mutex
	m  map[staffCacheKey]staffCacheEntry
}

type staffCacheKey struct{ subject, email string }

type staffCacheEntry struct {
	v       staffLookup
	expires time.Time
}

// staffLookup is what StaffMemberByLogin answered.
type staffLookup struct {
	staff     model.StaffMember
	structure model.Structure
	ok        bool
}

// staffCacheMax bounds the entries kept: past it, the expired ones are dropped, and all
// of them if none had expired.
const staffCacheMax = 10000

func newStaffCache(ttl time.Duration, load func(ctx context.Context, subject, email string) (staffLookup, error)) *staffCache {
	return &staffCache{ttl: ttl, now: time.Now, load: load, m: map[staffCacheKey]staffCacheEntry{}}
}

// get returns the staff record of subject and email, read at most ttl ago.
func (c *staffCache) get(ctx context.Context, subject, email string) (staffLookup, error) {
	if c == nil || c.ttl <= 0 {
		return c.load(ctx, subject, email)
	}
	k := staffCacheKey{subject, email}
	now := c.now()
	c.mu.Lock()
	e, hit := c.m[k]
	c.mu.Unlock()
	if hit && now.Before(e.expires) {
		return e.v, nil
	}
	v, err := c.load(ctx, subject, email)
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
