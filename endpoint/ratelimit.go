package endpoint

import (
	"math"
	"sync"
	"time"
)

// RateLimiter is a leaky bucket per caller, filled by the cost of each operation and
// leaking at LeakPerSecond: a caller may spend Capacity points at once, then
// LeakPerSecond points per second. It lives in the memory of one server instance: behind
// a load balancer each instance keeps its own buckets (the budget is per instance).
type RateLimiter struct {
	Capacity      int     // points a bucket holds
	LeakPerSecond float64 // points leaking out per second
	Now           func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	takes   int
}

type bucket struct {
	level float64
	at    time.Time
}

// NewRateLimiter returns a limiter of capacity points leaking at perSecond.
func NewRateLimiter(capacity int, perSecond float64) *RateLimiter {
	return &RateLimiter{Capacity: capacity, LeakPerSecond: perSecond, Now: time.Now, buckets: map[string]*bucket{}}
}

// Take adds cost to who's bucket when it fits. It returns whether it did, the points left
// after it, and, when refused, how long until cost fits.
func (l *RateLimiter) Take(who string, cost int) (ok bool, remaining int, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	l.takes++
	if l.takes%1024 == 0 {
		l.sweep(now)
	}
	b := l.buckets[who]
	if b == nil {
		b = &bucket{at: now}
		l.buckets[who] = b
	}
	b.level = math.Max(0, b.level-now.Sub(b.at).Seconds()*l.LeakPerSecond)
	b.at = now
	if b.level+float64(cost) > float64(l.Capacity) {
		wait := (b.level + float64(cost) - float64(l.Capacity)) / l.LeakPerSecond
		return false, l.Capacity - int(math.Ceil(b.level)), time.Duration(wait * float64(time.Second))
	}
	b.level += float64(cost)
	return true, l.Capacity - int(math.Ceil(b.level)), 0
}

// sweep forgets the buckets that have leaked empty.
func (l *RateLimiter) sweep(now time.Time) {
	for who, b := range l.buckets {
		if b.level-now.Sub(b.at).Seconds()*l.LeakPerSecond <= 0 {
			delete(l.buckets, who)
		}
	}
}
