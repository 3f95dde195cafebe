package graph

import "github.com/agir-reseau/agir-backend/graph/model"

// ConvocationDocumentPath is where a convocation's PDF is served (by package endpoint):
// the prefix, then its global id and ".pdf" (Convocation.documentUrl).
const ConvocationDocumentPath = "/documents/convocations/"

// ConvocationDocumentURL returns the path of the PDF of convocation key.
func ConvocationDocumentURL(key string) string {
	return ConvocationDocumentPath + model.GlobalID("Convocation", key) + ".pdf"
}
