package endpoint

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph"
	"github.com/agir-reseau/agir-backend/graph/document"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// ConvocationDocumentPath is where ConvocationDocument is mounted (graph says the path,
// as Convocation.documentUrl gives it).
const ConvocationDocumentPath = graph.ConvocationDocumentPath

// convocationReaders are the roles that read a convocation: those of the Convocation type
// in the schema (@allow(roles: [coordinator, social_worker, insertion_counsellor])).
var convocationReaders = []model.Role{model.RoleCoordinator, model.RoleSocialWorker, model.RoleInsertionCounsellor}

// ConvocationDocument serves GET ConvocationDocumentPath{id}.pdf: the convocation's PDF
// (graph/document), with the authentication, the roles and the scope of GraphQL: 401
// anonymous, 403 for a role that does not read convocations, 404 for an id unknown or
// outside the caller's scope. Each document served is a read of the beneficiary's name,
// written to the audit log before the document leaves (no audit, no document).
func ConvocationDocument(store *db.Store, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p := model.PrincipalFrom(ctx)
		if p == nil {
			http.Error(w, "authentification requise", http.StatusUnauthorized)
			return
		}
		allowed := false
		for _, role := range convocationReaders {
			allowed = allowed || p.Role == role
		}
		if !allowed {
			http.Error(w, "accès refusé", http.StatusForbidden)
			return
		}
		id, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, graph.ConvocationDocumentPath), ".pdf")
		key, err := model.KeyOf(id, "Convocation")
		if !ok || err != nil {
			http.Error(w, "convocation introuvable", http.StatusNotFound)
			return
		}
		internal := func(what string, err error) {
			logger.ErrorContext(ctx, what, "request_id", RequestID(ctx), "err", err)
			http.Error(w, "erreur interne : référence "+RequestID(ctx), http.StatusInternalServerError)
		}
		d, err := store.ConvocationDocument(ctx, p, key)
		if err != nil {
			internal("convocation document", err)
			return
		}
		if d == nil {
			http.Error(w, "convocation introuvable", http.StatusNotFound)
			return
		}
		pdf, err := document.ConvocationPDF(*d)
		if err != nil {
			internal("convocation document", err)
			return
		}
		ref := d.AuditRef()
		if err := store.AuditReads(ctx, p, []db.AuditEntry{{Action: "read", EntityType: ref.Type, EntityID: ref.Key,
			Departments: []string{ref.Department}, Changes: db.ReadFields([]string{"document"})}}); err != nil {
			internal("convocation document audit", err)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `inline; filename="convocation.pdf"`)
		w.Header().Set("Cache-Control", "private, no-store")
		w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
		_, _ = w.Write(pdf)
	})
}
