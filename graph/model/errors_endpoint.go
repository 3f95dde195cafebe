package model

// Codes of the GraphQL endpoint's own refusals (limits, protocol, rate, deadline): the
// `extend enum ErrorCode` of the schema's real-time section lists them for clients.
const (
	CodeCostLimitExceeded      ErrorCode = "COST_LIMIT_EXCEEDED"
	CodeDepthLimitExceeded     ErrorCode = "DEPTH_LIMIT_EXCEEDED"
	CodeAliasLimitExceeded     ErrorCode = "ALIAS_LIMIT_EXCEEDED"
	CodeRootFieldLimitExceeded ErrorCode = "ROOT_FIELD_LIMIT_EXCEEDED"
	CodeTokenLimitExceeded     ErrorCode = "TOKEN_LIMIT_EXCEEDED"
	CodeFieldLimitExceeded     ErrorCode = "FIELD_LIMIT_EXCEEDED"
	CodeRequestTooLarge        ErrorCode = "REQUEST_TOO_LARGE"
	CodeBatchNotSupported      ErrorCode = "BATCH_NOT_SUPPORTED"
	CodeRateLimited            ErrorCode = "RATE_LIMITED"
	CodeTimeout                ErrorCode = "TIMEOUT"
	CodePersistedQueryNotFound ErrorCode = "PERSISTED_QUERY_NOT_FOUND"
	CodePersistedQueryRequired ErrorCode = "PERSISTED_QUERY_REQUIRED"
	CodeMethodNotAllowed       ErrorCode = "METHOD_NOT_ALLOWED"
	CodeBadRequest             ErrorCode = "BAD_REQUEST"
	CodeEventsExpired          ErrorCode = "EVENTS_EXPIRED"
	CodeUnavailable            ErrorCode = "UNAVAILABLE"
	CodeOutcomeUnknown         ErrorCode = "OUTCOME_UNKNOWN"

	CodeIncrementalDeliveryNotSupported ErrorCode = "INCREMENTAL_DELIVERY_NOT_SUPPORTED"
	CodeIdempotencyKeyReused            ErrorCode = "IDEMPOTENCY_KEY_REUSED"
)

// Retryable reports whether a request refused with c may succeed unchanged later: the
// database was unreachable (UNAVAILABLE), or the outcome of an act is unknown
// (OUTCOME_UNKNOWN: retry with the same idempotency key). They are answered as request
// errors with HTTP 503 and Retry-After, never as a payload's userErrors.
func (c ErrorCode) Retryable() bool { return c == CodeUnavailable || c == CodeOutcomeUnknown }
