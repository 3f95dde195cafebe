package endpoint

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// DataInclusionExport serves the offer map in data·inclusion v1 JSON, for every
// authenticated role (the map is public to the network):
//
//	GET .../structures.json  every structure
//	GET .../services.json    every published offer
//
// Each record carries the AGIR extension in an "extension_agir" block, which v1 consumers
// ignore; "?extension=false" leaves it out. The caller must be authenticated upstream (the
// principal is read from the context); an anonymous request gets 401.
func DataInclusionExport(store *db.Store, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if model.PrincipalFrom(r.Context()) == nil {
			http.Error(w, "authentification requise", http.StatusUnauthorized)
			return
		}
		withExt := r.URL.Query().Get("extension") != "false"
		var body any
		var err error
		switch {
		case strings.HasSuffix(r.URL.Path, "/structures.json"):
			var structures []model.Structure
			structures, err = store.ExportStructures(r.Context())
			out := make([]model.DIStructure, len(structures))
			for i, s := range structures {
				out[i] = s.DI()
				if !withExt {
					out[i].Extension = nil
				}
			}
			body = out
		case strings.HasSuffix(r.URL.Path, "/services.json"):
			var offers []db.ExportedOffer
			offers, err = store.ExportOffers(r.Context())
			out := make([]model.DIService, len(offers))
			for i, o := range offers {
				out[i] = o.Offer.DI(o.StructureDIID)
				if !withExt {
					out[i].Extension = nil
				}
			}
			body = out
		default:
			http.NotFound(w, r)
			return
		}
		if err != nil {
			logger.ErrorContext(r.Context(), "data·inclusion export", "request_id", RequestID(r.Context()), "err", err)
			http.Error(w, "erreur interne : référence "+RequestID(r.Context()), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(body)
	})
}
