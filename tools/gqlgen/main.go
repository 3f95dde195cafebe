// Command gqlgen runs gqlgen's generate (go generate ./..., see graph/resolver.go) with
// one plugin, serialfields: the fields of the objects listed in serialObjects resolve
// one after the other on their object's goroutine, as gqlgen does for Mutation
// (codegen.Object.DisableConcurrency), instead of one goroutine per resolver field. A
// page of beneficiaries reads its relations beforehand (graph/page.go), so their
// resolvers answer from primed loaders and have nothing to wait for together.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

// serialObjects are the GraphQL objects whose fields resolve on their object's goroutine.
var serialObjects = map[string]bool{"Beneficiary": true}

type serialFields struct{}

func (serialFields) Name() string { return "serialfields" }

// GenerateCode runs before the executor's code is written (api.Generate calls the
// plugins' GenerateCode first), with the data it is written from.
func (serialFields) GenerateCode(data *codegen.Data) error {
	found := 0
	for _, o := range data.Objects {
		if serialObjects[o.Name] {
			o.DisableConcurrency = true
			found++
		}
	}
	if found != len(serialObjects) {
		return fmt.Errorf("serialfields: %d of the %d objects found in the schema", found, len(serialObjects))
	}
	return nil
}

func main() {
	log.SetOutput(io.Discard) // as gqlgen's own command without -verbose: its notes on binding
	cfg, err := config.LoadConfigFromDefaultLocations()
	if errors.Is(err, fs.ErrNotExist) {
		cfg, err = config.LoadDefaultConfig()
	}
	if err == nil {
		err = api.Generate(cfg, api.AddPlugin(serialFields{}))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
}
