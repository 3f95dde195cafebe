#!/usr/bin/env bash
# Rebuilds dist/ (the explorer at /, embedded in the server by server/web.go) from the
# pinned packages of package-lock.json: run after changing src/ or a version, and commit
# dist/ with the change. Needs node and npm; the server's build needs neither.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
rm -rf dist && mkdir -p dist
./node_modules/.bin/esbuild src/index.jsx --bundle --minify --format=iife --target=es2020 \
  --jsx=automatic --define:process.env.NODE_ENV='"production"' --legal-comments=linked \
  --outfile=dist/graphiql.js
cp src/index.html dist/index.html
ls -l dist
