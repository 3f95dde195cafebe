package graph

import "context"

type requestIDKey struct{}

// WithRequestID returns a copy of ctx carrying the request id shown to clients in masked
// errors and written on every log line of the request.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
