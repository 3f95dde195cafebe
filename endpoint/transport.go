package endpoint

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// Media types of GraphQL over HTTP.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// httpTransport speaks GraphQL over HTTP (the GraphQL Foundation's specification):
// GET for queries (a mutation on GET is 405 with Allow: POST), POST with an
// application/json body, answers in application/graphql-response+json or
// application/json as the Accept header asks. Request errors (a malformed body, a
// document that does not parse or validate, variables that do not coerce, a limit) are
// 400 in application/graphql-response+json and 200 in application/json, as the
// specification says; errors of HTTP's own (body too large, rate limit, method, media
// type) keep their HTTP status in both. One operation per request: a JSON array (a
// batch) is refused.
type httpTransport struct {
	// timeout bounds the execution of one operation (0: none).
	timeout time.Duration
	report  func(ctx context.Context, oc *graphql.OperationContext, resp *graphql.Response)
	store   *db.Store // idempotency keys; nil: the header is ignored
	logger  *slog.Logger
}

var _ graphql.Transport = httpTransport{}

func (httpTransport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && (r.Method == http.MethodGet || r.Method == http.MethodPost)
}

// requestError is a response made of errors only: no data entry.
type requestError struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := withHTTPMethod(r.Context(), r.Method)
	media, ok := negotiate(r.Header.Get("Accept"))
	if !ok {
		w.Header().Set("Content-Type", mediaJSON+"; charset=utf-8")
		writeStatusError(w, r, http.StatusNotAcceptable, model.CodeBadRequest,
			"type de réponse non disponible : acceptez application/graphql-response+json ou application/json")
		return
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Set("Vary", "Accept, Authorization")
	w.Header().Set("Cache-Control", "no-store")         // answers hold personal data: no cache keeps them
	w.Header().Set("X-Content-Type-Options", "nosniff") // JSON is not HTML-escaped (writeResponse)
	start := graphql.Now()
	params, status, err := readParams(r)
	if err != nil {
		writeStatusError(w, r, status, model.ErrorCodeOf(err), err.(*model.Error).Message)
		return
	}
	if r.Method == http.MethodGet && !queryOnly(params) {
		w.Header().Set("Allow", "POST")
		writeStatusError(w, r, http.StatusMethodNotAllowed, model.CodeMethodNotAllowed,
			"seules les requêtes (query) peuvent être envoyées en GET : utilisez POST")
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	if t.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
		defer cancel()
	}

	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		ctx := graphql.WithOperationContext(ctx, oc)
		resp := exec.DispatchError(ctx, errs)
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		status = httpStatusOf(resp.Errors, status)
		if status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", "POST")
		}
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
		}
		if c := costReportOf(oc); c != nil && c.Remaining != nil {
			setRateHeaders(w, c)
		}
		w.WriteHeader(status)
		writeJSON(w, requestError{Errors: resp.Errors, Extensions: resp.Extensions})
		if t.report != nil {
			t.report(ctx, oc, resp)
		}
		return
	}
	if c := costReportOf(oc); c != nil && c.Remaining != nil {
		setRateHeaders(w, c)
	}
	idem, replayed, done := t.idempotency(ctx, w, r, oc, params)
	if done {
		if replayed != nil {
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(replayed)
		}
		return
	}
	if idem != nil {
		ctx = db.WithIdempotency(ctx, idem)
	}
	var responses graphql.ResponseHandler
	responses, ctx = exec.DispatchOperation(ctx, oc)
	resp := responses(ctx)
	if resp == nil { // the executor gives nothing once the deadline has passed
		resp = &graphql.Response{Errors: gqlerror.List{{
			Message:    "délai de traitement dépassé : simplifiez la requête ou réessayez",
			Extensions: map[string]any{"code": string(model.CodeTimeout), "requestId": RequestID(ctx)},
		}}}
	}
	status = http.StatusOK
	if isNull(resp.Data) {
		status = httpStatusOf(resp.Errors, http.StatusOK)
	}
	if retryable(resp.Errors) { // even with partial data: the client retries the request
		status = http.StatusServiceUnavailable
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
	}
	if idem != nil && idem.Claimed && status == http.StatusOK {
		// The act was recorded under the key: keep its answer for a retry.
		var buf bytes.Buffer
		writeResponse(&buf, resp)
		if err := t.store.KeepIdempotentResponse(context.WithoutCancel(ctx), idem.Subject, idem.Key, buf.Bytes()); err != nil {
			t.logger.WarnContext(ctx, "idempotency: response not kept", "request_id", RequestID(ctx), "err", err)
		}
		w.WriteHeader(status)
		_, _ = w.Write(buf.Bytes())
		return
	}
	w.WriteHeader(status)
	writeResponse(w, resp)
}

// idempotencyKeyFormat bounds the Idempotency-Key header: 8 to 100 characters of
// letters, digits, '-' and '_' (a UUID fits).
var idempotencyKeyFormat = regexp.MustCompile(`^[A-Za-z0-9_-]{8,100}$`)

// idempotency handles the Idempotency-Key header of a mutation: the key to claim with
// the act (idem), or the response kept for it (replayed, done), or a refusal already
// written (done). Without the header, or for a query, nothing.
func (t httpTransport) idempotency(ctx context.Context, w http.ResponseWriter, r *http.Request, oc *graphql.OperationContext,
	params *graphql.RawParams) (idem *db.Idempotency, replayed []byte, done bool) {
	key := r.Header.Get("Idempotency-Key")
	p := model.PrincipalFrom(ctx)
	if key == "" || t.store == nil || p == nil || oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
		return nil, nil, false
	}
	if !idempotencyKeyFormat.MatchString(key) {
		writeStatusError(w, r, http.StatusBadRequest, model.CodeBadRequest,
			"en-tête Idempotency-Key invalide : 8 à 100 lettres, chiffres, « - » ou « _ » (un UUID convient)")
		return nil, nil, true
	}
	vars, err := json.Marshal(params.Variables)
	if err != nil {
		writeStatusError(w, r, http.StatusBadRequest, model.CodeBadRequest, "variables illisibles")
		return nil, nil, true
	}
	sum := sha256.Sum256([]byte(params.Query + "\x00" + params.OperationName + "\x00" + string(vars)))
	operation := hex.EncodeToString(sum[:])
	kept, response, found, err := t.store.IdempotentResponse(ctx, p.Subject, key)
	switch {
	case err != nil:
		code, status := model.ErrorCodeOf(err), http.StatusInternalServerError
		if code.Retryable() {
			status = http.StatusServiceUnavailable
			w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
		} else {
			code = model.CodeInternal
			t.logger.ErrorContext(ctx, "idempotency key", "request_id", RequestID(ctx), "err", err)
		}
		writeStatusError(w, r, status, code, "clé d'idempotence illisible : réessayez")
		return nil, nil, true
	case found && kept != operation:
		writeStatusError(w, r, http.StatusUnprocessableEntity, model.CodeIdempotencyKeyReused,
			"cette clé d'idempotence a servi à une autre opération : une clé par acte")
		return nil, nil, true
	case found && response != nil:
		return nil, response, true
	}
	// Not seen, or recorded without its answer (the claim refuses the act again).
	return &db.Idempotency{Subject: p.Subject, Key: key, Operation: operation}, nil, false
}

// writeResponse writes resp. Without errors (most answers) its data is written as is: it
// is already compact JSON from the executor, which json.Marshal would validate and
// compact again, byte by byte; only the extensions (the cost report of every operation)
// are marshalled, and they are small. Other responses go through json.Marshal.
func writeResponse(w io.Writer, resp *graphql.Response) {
	if len(resp.Errors) > 0 || resp.Label != "" || resp.Path != nil || resp.HasNext != nil || len(resp.Data) == 0 {
		writeJSON(w, resp)
		return
	}
	var ext []byte
	if len(resp.Extensions) > 0 {
		var err error
		if ext, err = json.Marshal(resp.Extensions); err != nil {
			writeJSON(w, resp) // the same answer as before: the error response of writeJSON
			return
		}
	}
	b := make([]byte, 0, len(resp.Data)+len(ext)+24)
	b = append(b, `{"data":`...)
	b = append(b, resp.Data...)
	if ext != nil {
		b = append(b, `,"extensions":`...)
		b = append(b, ext...)
	}
	b = append(b, '}')
	_, _ = w.Write(b)
}

// queryOnly reports whether the operation a GET asks for is a query, before anything
// runs or is charged: a mutation or subscription is refused whatever the schema holds. A
// document that does not parse is left to the executor, which reports it.
func queryOnly(p *graphql.RawParams) bool {
	if p.Query == "" {
		return true // a persisted query: checked by the limits extension once resolved
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, getTokenLimit)
	if err != nil {
		return true
	}
	op := doc.Operations.ForName(p.OperationName)
	return op == nil || op.Operation == ast.Query
}

// getTokenLimit bounds the parse of a GET's document before the executor's own parse.
const getTokenLimit = 20_000

func setRateHeaders(w http.ResponseWriter, c *CostReport) {
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(c.Capacity))
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(max(*c.Remaining, 0)))
	if c.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(c.RetryAfter)+1))
	}
}

func isNull(data json.RawMessage) bool {
	return len(data) == 0 || string(data) == "null"
}

// RetryAfterSeconds is the Retry-After of a 503 (UNAVAILABLE, OUTCOME_UNKNOWN): the time
// a pool takes to reconnect after a restart of PostgreSQL, with a margin.
const RetryAfterSeconds = 2

// retryable reports whether one of errs is UNAVAILABLE or OUTCOME_UNKNOWN.
func retryable(errs gqlerror.List) bool {
	for _, e := range errs {
		if code, _ := e.Extensions["code"].(string); model.ErrorCode(code).Retryable() {
			return true
		}
	}
	return false
}

// httpStatusOf is the HTTP status of a response whose errors include one of HTTP's own
// (authentication, rate, method, deadline); def otherwise.
func httpStatusOf(errs gqlerror.List, def int) int {
	for _, e := range errs {
		code, _ := e.Extensions["code"].(string)
		switch model.ErrorCode(code) {
		case model.CodeUnauthenticated:
			return http.StatusUnauthorized
		case model.CodeRateLimited:
			return http.StatusTooManyRequests
		case model.CodeMethodNotAllowed:
			return http.StatusMethodNotAllowed
		case model.CodePersistedQueryRequired:
			return http.StatusForbidden
		case model.CodeTimeout:
			return http.StatusGatewayTimeout
		case model.CodeUnavailable, model.CodeOutcomeUnknown:
			return http.StatusServiceUnavailable
		}
	}
	return def
}

// negotiate picks the response media type from an Accept header: the highest quality
// among application/graphql-response+json and application/json (the former on a tie),
// application/json for a missing header, */* or application/*.
func negotiate(accept string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON, true
	}
	type choice struct {
		media string
		q     float64
		rank  int
	}
	var choices []choice
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q <= 0 {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			choices = append(choices, choice{mediaGraphQLResponse, q, 0})
		case mediaJSON:
			choices = append(choices, choice{mediaJSON, q, 1})
		case "*/*", "application/*":
			choices = append(choices, choice{mediaJSON, q, 2})
		}
	}
	if len(choices) == 0 {
		return "", false
	}
	sort.SliceStable(choices, func(i, j int) bool {
		if choices[i].q != choices[j].q {
			return choices[i].q > choices[j].q
		}
		return choices[i].rank < choices[j].rank
	})
	return choices[0].media, true
}

func badRequest(format string, args ...any) *model.Error {
	return model.Errorf(model.CodeBadRequest, nil, format, args...)
}

// readParams reads the GraphQL request of r: the query string of a GET, the JSON body
// of a POST. On failure it returns the HTTP status and a coded error.
func readParams(r *http.Request) (*graphql.RawParams, int, error) {
	var raw map[string]json.RawMessage
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		raw = map[string]json.RawMessage{}
		for _, k := range []string{"query", "operationName"} {
			if v, ok := q[k]; ok {
				b, _ := json.Marshal(v[0])
				raw[k] = b
			}
		}
		for _, k := range []string{"variables", "extensions"} {
			if v := q.Get(k); v != "" {
				if !json.Valid([]byte(v)) {
					return nil, http.StatusBadRequest, badRequest("paramètre « %s » : JSON invalide", k)
				}
				raw[k] = json.RawMessage(v)
			}
		}
	} else {
		mt, mparams, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != mediaJSON {
			return nil, http.StatusUnsupportedMediaType, badRequest("le corps de la requête doit être en application/json")
		}
		if cs, ok := mparams["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return nil, http.StatusUnsupportedMediaType, badRequest("le corps de la requête doit être encodé en UTF-8")
		}
		body, err := io.ReadAll(r.Body)
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return nil, http.StatusRequestEntityTooLarge, model.Errorf(model.CodeRequestTooLarge, nil,
				"requête trop volumineuse : %d octets au plus", tooLarge.Limit)
		case err != nil:
			return nil, http.StatusBadRequest, badRequest("corps de la requête illisible")
		}
		body = bytes.TrimSpace(body)
		switch {
		case len(body) == 0:
			return nil, http.StatusBadRequest, badRequest("corps de la requête absent")
		case body[0] == '[':
			return nil, http.StatusBadRequest, model.Errorf(model.CodeBatchNotSupported, nil,
				"une seule opération par requête : les lots (tableaux JSON) ne sont pas acceptés")
		}
		if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
			return nil, http.StatusBadRequest, badRequest("corps de la requête : un objet JSON est attendu")
		}
	}
	p := &graphql.RawParams{}
	if err := field(raw, "query", &p.Query, false); err != nil {
		return nil, http.StatusBadRequest, err
	}
	if err := field(raw, "operationName", &p.OperationName, false); err != nil {
		return nil, http.StatusBadRequest, err
	}
	if err := field(raw, "variables", &p.Variables, true); err != nil {
		return nil, http.StatusBadRequest, err
	}
	if err := field(raw, "extensions", &p.Extensions, true); err != nil {
		return nil, http.StatusBadRequest, err
	}
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return nil, http.StatusBadRequest, badRequest("paramètre « query » absent")
	}
	return p, 0, nil
}

// field decodes raw[name] into out: a string, or an object when object is set; null
// and absence leave out unset.
func field(raw map[string]json.RawMessage, name string, out any, object bool) error {
	v, ok := raw[name]
	if !ok || string(v) == "null" {
		return nil
	}
	trimmed := bytes.TrimSpace(v)
	if object && (len(trimmed) == 0 || trimmed[0] != '{') || !object && (len(trimmed) == 0 || trimmed[0] != '"') {
		kind := "une chaîne"
		if object {
			kind = "un objet"
		}
		return badRequest("paramètre « %s » : %s est attendu", name, kind)
	}
	d := json.NewDecoder(bytes.NewReader(trimmed))
	d.UseNumber()
	if err := d.Decode(out); err != nil {
		return badRequest("paramètre « %s » invalide", name)
	}
	return nil
}

func writeJSON(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"errors":[{"message":"erreur interne","extensions":{"code":"INTERNAL"}}]}`)
	}
	_, _ = w.Write(b)
}

// writeStatusError writes a response of one coded error with an HTTP status.
func writeStatusError(w http.ResponseWriter, r *http.Request, status int, code model.ErrorCode, msg string) {
	w.WriteHeader(status)
	writeJSON(w, requestError{Errors: gqlerror.List{{Message: msg,
		Extensions: map[string]any{"code": string(code), "requestId": RequestID(r.Context())}}}})
}
