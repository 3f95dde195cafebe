package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// realtime is what subscriptions need: the broker of database notifications and the
// periodic check of the caller's account.
type realtime struct {
	broker      *db.Broker
	reauthorize func(ctx context.Context, p *model.Principal) (*model.Principal, error)
	recheck     time.Duration

	mu   sync.Mutex
	open map[string]int // open subscriptions per caller (subject)
}

// maxSubscriptionsPerCaller bounds the subscriptions one caller keeps open on one
// instance (a dashboard needs a handful).
const maxSubscriptionsPerCaller = 20

// enter counts a new subscription of who, refusing it past the bound; leave uncounts it.
func (rt *realtime) enter(who string) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.open == nil {
		rt.open = map[string]int{}
	}
	if rt.open[who] >= maxSubscriptionsPerCaller {
		return false
	}
	rt.open[who]++
	return true
}

func (rt *realtime) leave(who string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.open[who]--; rt.open[who] <= 0 {
		delete(rt.open, who)
	}
}

// audienced is a real-time event that knows who may receive it and takes its outbox id.
type audienced interface {
	VisibleTo(p *model.Principal) bool
	SetEventID(id int64)
}

// replayPage is the number of events read at once from the outbox when a subscription
// resumes (after:, or after it fell behind).
const replayPage = 200

// subscribe delivers the events of a database channel to one subscription: first those
// of the outbox after `after` (when given: EVENTS_EXPIRED at once when they are no longer
// kept), then the live ones, each once and in id order. Authorization is checked on
// subscribe (the root field's @allow, which the field middleware does not see for
// subscriptions) and on each event: the caller's account is checked again when the last
// check is older than the recheck period (a deactivated account ends the stream), then
// the role and the event's audience; an event the caller may not see is skipped, never
// sent. department narrows the outbox reads ("" for all); keep filters further (nil:
// every event). A subscriber that falls behind the live events reads what it missed
// from the outbox. The stream ends when ctx ends (the client stops or disconnects).
func subscribe[T any, PT interface {
	*T
	audienced
}](ctx context.Context, r *Resolver, channel, department string, after *string, keep func(PT) bool) (<-chan PT, error) {
	p := model.PrincipalFrom(ctx)
	if p == nil {
		return nil, model.Errorf(model.CodeUnauthenticated, nil, "authentification requise")
	}
	fc := graphql.GetFieldContext(ctx)
	if !r.rules.CanRead(p.Role, "Subscription", fc.Field.Name) {
		return nil, model.ErrForbidden()
	}
	rt := r.realtime
	if rt == nil {
		return nil, fmt.Errorf("real time: no broker")
	}
	from := int64(-1)
	if after != nil {
		n, err := strconv.ParseInt(*after, 10, 64)
		if err != nil || n < 0 {
			return nil, model.Errorf(model.CodeInvalidInput, model.Path("after"), "identifiant d'événement invalide : %q", *after)
		}
		from = n
	}
	who := p.Subject
	if !rt.enter(who) {
		return nil, model.Errorf(model.CodeRateLimited, nil, "trop d'abonnements ouverts : %d au plus", maxSubscriptionsPerCaller)
	}
	sub := rt.broker.Subscribe(channel)
	last := sub.From
	var backlog []db.Event
	if from >= 0 {
		// The first page now, so that EVENTS_EXPIRED answers the subscribe itself.
		var err error
		if backlog, err = r.Store.EventsAfter(ctx, channel, department, from, replayPage); err != nil {
			sub.Close()
			rt.leave(who)
			return nil, err
		}
		last = from
	}
	checked := time.Now()
	out := make(chan PT, 1)
	// handle sends e when the caller may see it; false ends the stream.
	handle := func(e db.Event) bool {
		if e.ID <= last {
			return true // replayed already
		}
		last = e.ID
		ev := PT(new(T))
		if err := json.Unmarshal(e.Payload, ev); err != nil {
			r.Logger.WarnContext(ctx, "real time: undecodable event", "channel", channel, "id", e.ID, "err", err)
			return true
		}
		ev.SetEventID(e.ID)
		if rt.reauthorize != nil && (rt.recheck < 0 || time.Since(checked) >= rt.recheck) {
			current, err := rt.reauthorize(ctx, p)
			if err != nil || current == nil {
				r.Logger.InfoContext(ctx, "real time: subscription ended, account no longer authorised", "subject", p.Subject, "err", err)
				return false
			}
			p, checked = current, time.Now()
		}
		if !r.rules.CanRead(p.Role, "Subscription", fc.Field.Name) || !ev.VisibleTo(p) || keep != nil && !keep(ev) {
			return true
		}
		select {
		case out <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	// replay sends the events of the outbox after last, page by page, retrying while
	// the database does not answer; false ends the stream.
	replay := func(page []db.Event, fetched bool) bool {
		for wait := 100 * time.Millisecond; ; {
			if fetched {
				for _, e := range page {
					if !handle(e) {
						return false
					}
				}
				if len(page) < replayPage {
					return true
				}
			}
			var err error
			if page, err = r.Store.EventsAfter(ctx, channel, department, last, replayPage); err == nil {
				fetched = true
				continue
			}
			if model.ErrorCodeOf(err) == model.CodeEventsExpired || ctx.Err() != nil {
				r.Logger.WarnContext(ctx, "real time: subscription ended, events not replayable", "channel", channel, "after", last, "err", err)
				return false
			}
			r.Logger.WarnContext(ctx, "real time: reading the outbox failed, retrying", "channel", channel, "err", err)
			fetched = false
			select {
			case <-ctx.Done():
				return false
			case <-time.After(wait):
			}
			wait = min(2*wait, 2*time.Second)
		}
	}
	go func() {
		defer close(out)
		defer func() { sub.Close() }()
		defer rt.leave(who)
		if from >= 0 && !replay(backlog, true) {
			return
		}
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-sub.C:
				if ok {
					if !handle(e) {
						return
					}
					continue
				}
				if !sub.Lagged() {
					return // the broker closed (shutdown)
				}
				// Fell behind the live events: subscribe again, then read what was
				// missed from the outbox (the new subscription's events follow it).
				sub = rt.broker.Subscribe(channel)
				if !replay(nil, false) {
					return
				}
			}
		}
	}()
	return out, nil
}

// departmentCode matches an INSEE department code (metropolitan, Corsica, overseas).
var departmentCode = regexp.MustCompile(`^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$`)

func (r *subscriptionResolver) offerMapChanged(ctx context.Context, department string, after *string) (<-chan *model.OfferMapEvent, error) {
	if !departmentCode.MatchString(department) {
		return nil, model.Errorf(model.CodeInvalidInput, model.Path("department"), "code de département inconnu : %q", department)
	}
	return subscribe(ctx, r.Resolver, db.ChannelOfferMap, department, after, func(e *model.OfferMapEvent) bool { return e.Department == department })
}
