package main

import (
	"embed"
	"io/fs"
	"net/http"
)

// graphiqlDist is GraphiQL (the npm package) built once into static files by
// server/web/graphiql/build.sh: no CDN, it works without internet access (these machines
// and many administrations' networks have none).
//
//go:embed web/graphiql/dist
var graphiqlDist embed.FS

// explorerCSP lets the page load only its own script and stylesheet and talk only to this
// server (HTTP and WebSocket). GraphiQL sets inline styles; its fonts and icons are
// data: URLs.
const explorerCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

// explorer serves GraphiQL: the page at / and its assets under /graphiql/.
func explorer() (page, assets http.Handler) {
	dist, err := fs.Sub(graphiqlDist, "web/graphiql/dist")
	if err != nil {
		panic(err) // the embedded path is fixed at build time
	}
	withCSP := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", explorerCSP)
			w.Header().Set("X-Content-Type-Options", "nosniff")
			h.ServeHTTP(w, r)
		})
	}
	page = withCSP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, dist, "index.html")
	}))
	assets = withCSP(http.StripPrefix("/graphiql/", http.FileServerFS(dist)))
	return page, assets
}
