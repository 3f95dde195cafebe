package main

import (
	"fmt"
	"strconv"
	"time"
)

// EndpointSettings tune the GraphQL endpoint's limits and observability (README,
// « Limits and observability »). The zero value is not usable: LoadConfig fills it.
type EndpointSettings struct {
	MaxCost          int           // AGIR_MAX_COST: maximum cost of one operation (default 10000)
	MaxDepth         int           // AGIR_MAX_DEPTH: maximum nesting of fields (default 12)
	RateCapacity     int           // AGIR_RATE_CAPACITY: cost budget of a caller (default 60000; 0 turns rate limiting off)
	RatePerSecond    float64       // AGIR_RATE_PER_SECOND: budget refilled per second (default 300)
	SlowOperation    time.Duration // AGIR_SLOW_OPERATION: operations slower than this are logged as slow (default 1s; 0 off)
	PersistedQueries string        // AGIR_PERSISTED_QUERIES: manifest of the SPA's documents (JSON)
	PersistedOnly    string        // AGIR_PERSISTED_ONLY: auto (default: on in production with a manifest), on, off
	MetricsToken     string        // AGIR_METRICS_TOKEN: bearer token required by /metrics ("" for none)
}

func (e *EndpointSettings) load(getenv func(string) string) []string {
	*e = EndpointSettings{MaxCost: 10_000, MaxDepth: 12, RateCapacity: 60_000, RatePerSecond: 300, SlowOperation: time.Second,
		PersistedQueries: getenv("AGIR_PERSISTED_QUERIES"), PersistedOnly: orDefault(getenv("AGIR_PERSISTED_ONLY"), "auto"),
		MetricsToken: getenv("AGIR_METRICS_TOKEN")}
	var errs []string
	for name, p := range map[string]*int{"AGIR_MAX_COST": &e.MaxCost, "AGIR_MAX_DEPTH": &e.MaxDepth, "AGIR_RATE_CAPACITY": &e.RateCapacity} {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				errs = append(errs, fmt.Sprintf("%s=%q: a whole number is expected", name, v))
			}
			*p = n
		}
	}
	if v := getenv("AGIR_RATE_PER_SECOND"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			errs = append(errs, fmt.Sprintf("AGIR_RATE_PER_SECOND=%q: a positive number is expected", v))
		}
		e.RatePerSecond = f
	}
	if v := getenv("AGIR_SLOW_OPERATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Sprintf("AGIR_SLOW_OPERATION=%q: a duration such as 1s is expected", v))
		}
		e.SlowOperation = d
	}
	if e.PersistedOnly != "auto" && e.PersistedOnly != "on" && e.PersistedOnly != "off" {
		errs = append(errs, fmt.Sprintf("AGIR_PERSISTED_ONLY=%q: auto, on or off", e.PersistedOnly))
	}
	if e.PersistedOnly == "on" && e.PersistedQueries == "" {
		errs = append(errs, "AGIR_PERSISTED_ONLY=on needs AGIR_PERSISTED_QUERIES (the manifest of the SPA's documents)")
	}
	return errs
}
