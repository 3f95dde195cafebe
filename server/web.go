package main

import (
	_ "embed"
	"net/http"
)

//go:embed web/index.html
var explorerHTML []byte

// graphiQLPage serves the GraphQL explorer built into the binary (no CDN: these machines
// and many administrations have no internet access).
func graphiQLPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
		_, _ = w.Write(explorerHTML)
	})
}
