package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
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

// audienced is a real-time event that knows who may receive it.
type audienced interface {
	VisibleTo(p *model.Principal) bool
}

// subscribe delivers the events of a database channel to one subscription. Authorization
// is checked on subscribe (the root field's @allow, which the field middleware does not
// see for subscriptions) and on each event: the caller's account is checked again when
// the last check is older than the recheck period (a deactivated account ends the
// stream), then the role and the event's audience; an event the caller may not see is
// skipped, never sent. keep filters further (nil: every event). The stream ends when
// ctx ends (the client stops or disconnects).
func subscribe[T any, PT interface {
	*T
	audienced
}](ctx context.Context, r *Resolver, channel string, keep func(PT) bool) (<-chan PT, error) {
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
	who := p.Subject
	if !rt.enter(who) {
		return nil, model.Errorf(model.CodeRateLimited, nil, "trop d'abonnements ouverts : %d au plus", maxSubscriptionsPerCaller)
	}
	events, cancel := rt.broker.Subscribe(channel)
	checked := time.Now()
	out := make(chan PT, 1)
	go func() {
		defer close(out)
		defer cancel()
		defer rt.leave(who)
		for {
			select {
			case <-ctx.Done():
				return
			case raw := <-events:
				ev := PT(new(T))
				if err := json.Unmarshal(raw, ev); err != nil {
					r.Logger.WarnContext(ctx, "real time: undecodable event", "channel", channel, "err", err)
					continue
				}
				if rt.reauthorize != nil && (rt.recheck < 0 || time.Since(checked) >= rt.recheck) {
					current, err := rt.reauthorize(ctx, p)
					if err != nil || current == nil {
						r.Logger.InfoContext(ctx, "real time: subscription ended, account no longer authorised", "subject", p.Subject, "err", err)
						return
					}
					p, checked = current, time.Now()
				}
				if !r.rules.CanRead(p.Role, "Subscription", fc.Field.Name) || !ev.VisibleTo(p) || keep != nil && !keep(ev) {
					continue
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// departmentCode matches an INSEE department code (metropolitan, Corsica, overseas).
var departmentCode = regexp.MustCompile(`^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$`)

func (r *subscriptionResolver) offerMapChanged(ctx context.Context, department string) (<-chan *model.OfferMapEvent, error) {
	if !departmentCode.MatchString(department) {
		return nil, model.Errorf(model.CodeInvalidInput, model.Path("department"), "code de département inconnu : %q", department)
	}
	return subscribe(ctx, r.Resolver, db.ChannelOfferMap, func(e *model.OfferMapEvent) bool { return e.Department == department })
}
