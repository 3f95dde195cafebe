package main

import (
	"strings"
	"testing"
	"time"
)

func TestLoadConfig_Endpoint(t *testing.T) {
	load := func(env map[string]string) (Config, error) {
		return LoadConfig(func(k string) string { return env[k] })
	}
	t.Run("OKDefaults", func(t *testing.T) {
		c, err := load(nil)
		if err != nil {
			t.Fatal(err)
		}
		want := EndpointSettings{MaxCost: 10_000, MaxDepth: 12, RateCapacity: 60_000, RatePerSecond: 300, SlowOperation: time.Second, PersistedOnly: "auto"}
		if c.Endpoint != want {
			t.Errorf("%+v, want %+v", c.Endpoint, want)
		}
	})
	t.Run("OK", func(t *testing.T) {
		c, err := load(map[string]string{"AGIR_MAX_COST": "500", "AGIR_RATE_CAPACITY": "0", "AGIR_SLOW_OPERATION": "250ms",
			"AGIR_PERSISTED_QUERIES": "/etc/agir/spa.json", "AGIR_PERSISTED_ONLY": "on"})
		if err != nil || c.Endpoint.MaxCost != 500 || c.Endpoint.RateCapacity != 0 || c.Endpoint.SlowOperation != 250*time.Millisecond {
			t.Errorf("%+v %v", c.Endpoint, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := load(map[string]string{"AGIR_MAX_COST": "lots", "AGIR_RATE_PER_SECOND": "-1", "AGIR_PERSISTED_ONLY": "on"})
		for _, want := range []string{"AGIR_MAX_COST", "AGIR_RATE_PER_SECOND", "AGIR_PERSISTED_ONLY=on needs AGIR_PERSISTED_QUERIES"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v lacks %s", err, want)
			}
		}
	})
}
