package endpoint

import (
	"context"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// WithRequestID returns a copy of ctx carrying the request id shown to clients in masked
// errors and written on every log line and audit entry of the request.
func WithRequestID(ctx context.Context, id string) context.Context {
	m := model.RequestMetaFrom(ctx)
	m.ID = id
	return model.WithRequestMeta(ctx, m)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string { return model.RequestMetaFrom(ctx).ID }

// withOperationName records the operation's name in the request metadata (for the audit
// log) once the document is parsed.
func withOperationName(ctx context.Context, name string) context.Context {
	m := model.RequestMetaFrom(ctx)
	m.Operation = name
	return model.WithRequestMeta(ctx, m)
}
