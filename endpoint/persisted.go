package endpoint

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// PersistedQueries configures persisted documents.
//
// Automatic persisted queries (APQ, Apollo's protocol) are always on: a client sends
// `extensions.persistedQuery.sha256Hash` alone; on PERSISTED_QUERY_NOT_FOUND it sends the
// hash with the document, which the server keeps (in memory, per instance, LRU).
//
// With Required set (production), only the roles of FreeRoles (the analysts) may run
// documents of their own: every other caller (the SPA) may run only the documents of
// Known, by hash or by text; anything else is PERSISTED_QUERY_REQUIRED (403).
type PersistedQueries struct {
	Known     map[string]string // sha256 (hex) -> document: the SPA's documents
	Required  bool              // refuse documents outside Known to roles outside FreeRoles
	FreeRoles []model.Role      // roles that may run any document; default: analyst
	CacheSize int               // APQ documents kept; default 1000
}

// LoadPersistedManifest reads a manifest of known documents: either a JSON object
// {"<sha256>": "<document>"} or an Apollo persisted-query manifest
// {"operations": [{"id": "<sha256>", "body": "<document>"}]}. Every hash is checked.
func LoadPersistedManifest(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("persisted queries: %w", err)
	}
	var apollo struct {
		Operations []struct {
			ID   string `json:"id"`
			Body string `json:"body"`
		} `json:"operations"`
	}
	known := map[string]string{}
	if err := json.Unmarshal(b, &apollo); err == nil && apollo.Operations != nil {
		for _, op := range apollo.Operations {
			known[op.ID] = op.Body
		}
	} else if err := json.Unmarshal(b, &known); err != nil {
		return nil, fmt.Errorf("persisted queries: %s: neither {hash: document} nor an Apollo manifest", path)
	}
	for h, doc := range known {
		if DocumentHash(doc) != strings.ToLower(h) {
			return nil, fmt.Errorf("persisted queries: %s: the hash %s is not the sha256 of its document", path, h)
		}
	}
	return known, nil
}

type persistedExtension struct {
	known    map[string]string
	required bool
	free     map[model.Role]bool
	apq      *lru.LRU[string]
}

func newPersistedExtension(c PersistedQueries) *persistedExtension {
	e := &persistedExtension{known: c.Known, required: c.Required, free: map[model.Role]bool{}}
	if c.FreeRoles == nil {
		c.FreeRoles = []model.Role{model.RoleAnalyst}
	}
	for _, r := range c.FreeRoles {
		e.free[r] = true
	}
	if c.CacheSize == 0 {
		c.CacheSize = 1000
	}
	e.apq = lru.New[string](c.CacheSize)
	return e
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*persistedExtension)(nil)

func (*persistedExtension) ExtensionName() string                          { return "AgirPersistedQueries" }
func (*persistedExtension) Validate(schema graphql.ExecutableSchema) error { return nil }

func persistedError(code model.ErrorCode, msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": string(code)}}
}

// MutateOperationParameters resolves a persisted query into its document and enforces
// the production allow-list.
func (e *persistedExtension) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	p := model.PrincipalFrom(ctx)
	free := !e.required || p != nil && e.free[p.Role]
	ext, _ := raw.Extensions["persistedQuery"].(map[string]any)
	if raw.Extensions["persistedQuery"] != nil && ext == nil {
		return persistedError(model.CodeBadRequest, "extensions.persistedQuery : un objet est attendu")
	}
	if ext == nil {
		if free {
			return nil
		}
		if _, ok := e.known[DocumentHash(raw.Query)]; ok {
			return nil
		}
		return persistedError(model.CodePersistedQueryRequired, "seuls les documents enregistrés de l'application sont acceptés pour votre rôle")
	}
	hash, _ := ext["sha256Hash"].(string)
	hash = strings.ToLower(hash)
	if len(hash) != 64 {
		return persistedError(model.CodeBadRequest, "extensions.persistedQuery.sha256Hash : une empreinte SHA-256 hexadécimale est attendue")
	}
	if raw.Query == "" {
		if q, ok := e.known[hash]; ok {
			raw.Query = q
			return nil
		}
		if q, ok := e.apq.Get(ctx, hash); ok && free {
			raw.Query = q
			return nil
		}
		// The message is the one Apollo clients look for, to send the document again.
		return persistedError(model.CodePersistedQueryNotFound, "PersistedQueryNotFound")
	}
	if DocumentHash(raw.Query) != hash {
		return persistedError(model.CodeBadRequest, "extensions.persistedQuery.sha256Hash ne correspond pas au document")
	}
	if _, ok := e.known[hash]; !ok {
		if !free {
			return persistedError(model.CodePersistedQueryRequired, "seuls les documents enregistrés de l'application sont acceptés pour votre rôle")
		}
		e.apq.Add(ctx, hash, raw.Query)
	}
	return nil
}
