package main

import (
	"math"
	"runtime/debug"
)

// tuneGC sets the collector for a server whose live heap is small (tens of MB) and whose
// requests allocate a lot (GraphQL results, rows): with Go's default (GOGC=100) it
// collected every few requests and spent about a sixth of the CPU marking (issue 9,
// profile of the list of 50). Unless GOGC or GOMEMLIMIT is set, the heap may grow to
// five times the live heap (GOGC=400) under a soft limit of 200 MiB, past which the
// collector runs as often as needed to stay under it.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	if debug.SetMemoryLimit(-1) != math.MaxInt64 {
		return // set otherwise (tests, embedding)
	}
	debug.SetMemoryLimit(200 << 20)
	debug.SetGCPercent(400)
}
