package model

import "context"

// RequestMeta describes the request an act belongs to, for logs and the audit log.
type RequestMeta struct {
	ID         string // request id, shown to clients in masked errors
	Operation  string // GraphQL operation name, when known
	ClientAddr string // client address (IP, from the connection or a trusted proxy)
}

type requestMetaKey struct{}

// WithRequestMeta returns a copy of ctx carrying m.
func WithRequestMeta(ctx context.Context, m RequestMeta) context.Context {
	return context.WithValue(ctx, requestMetaKey{}, m)
}

// RequestMetaFrom returns the request metadata carried by ctx (zero value when none).
func RequestMetaFrom(ctx context.Context) RequestMeta {
	m, _ := ctx.Value(requestMetaKey{}).(RequestMeta)
	return m
}
