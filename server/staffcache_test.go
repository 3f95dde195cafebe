package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The staff cache reads a login's record once per TTL, so a deactivation takes effect
// within it; errors are not kept; a TTL of 0 reads every time.
func TestStaffCache(t *testing.T) {
	ctx := context.Background()
	active := true
	reads := 0
	var fail error
	load := func(context.Context, staffLogin) (staffLookup, error) {
		reads++
		if fail != nil {
			return staffLookup{}, fail
		}
		return staffLookup{staff: model.StaffMember{Key: "k", Active: active}, ok: true}, nil
	}
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	c := newStaffCache(5*time.Second, load)
	c.now = func() time.Time { return now }

	t.Run("OK", func(t *testing.T) {
		for range 3 {
			v, err := c.get(ctx, staffLogin{subject: "sub", email: "a@b.fr"})
			if err != nil || !v.staff.Active {
				t.Fatalf("get: %+v %v", v, err)
			}
		}
		if reads != 1 {
			t.Fatalf("%d reads for 3 requests within the TTL, want 1", reads)
		}
	})
	t.Run("DeactivationWithinTTL", func(t *testing.T) {
		active = false
		now = now.Add(5 * time.Second)
		v, err := c.get(ctx, staffLogin{subject: "sub", email: "a@b.fr"})
		if err != nil || v.staff.Active {
			t.Fatalf("after the TTL: %+v %v, want the deactivated record", v, err)
		}
		if _, err := principalOf(&model.Principal{}, v); err == nil {
			t.Fatal("a deactivated account resolved to a principal")
		}
	})
	t.Run("ErrNotKept", func(t *testing.T) {
		fail = errors.New("down")
		if _, err := c.get(ctx, staffLogin{subject: "other"}); err == nil {
			t.Fatal("no error")
		}
		fail = nil
		before := reads
		if _, err := c.get(ctx, staffLogin{subject: "other"}); err != nil || reads != before+1 {
			t.Fatalf("after an error: %v, %d reads, want a new read", err, reads-before)
		}
	})
	t.Run("OffAtZero", func(t *testing.T) {
		off := newStaffCache(0, load)
		before := reads
		_, _ = off.get(ctx, staffLogin{subject: "sub"})
		_, _ = off.get(ctx, staffLogin{subject: "sub"})
		if reads != before+2 {
			t.Fatalf("%d reads, want 2", reads-before)
		}
	})
}
