package layers

import (
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/agir-reseau/agir-backend/"

// forbidden says, for a package of the module (its path inside the module), which of the
// module's packages it must not depend on, directly or not. Tests are not counted: an
// external test package may use a higher layer (graph_test runs the endpoint).
func forbidden(pkg string) []string {
	switch {
	case pkg == "graph/model":
		return []string{"db", "graph", "endpoint", "server"}
	case pkg == "graph/graphtest":
		// Test support: it builds the endpoint for the API tests of every module.
		return []string{"server"}
	case pkg == "graph" || strings.HasPrefix(pkg, "graph/"):
		return []string{"endpoint", "server"}
	case pkg == "db" || strings.HasPrefix(pkg, "db/"):
		return []string{"graph", "endpoint", "server"}
	case pkg == "endpoint" || strings.HasPrefix(pkg, "endpoint/"):
		return []string{"server"}
	}
	return nil
}

// violates says whether dep (a path inside the module) is in the layer layer, graph/model
// excepted for graph (it is the bottom layer, below db).
func violates(dep, layer string) bool {
	if layer == "graph" && (dep == "graph/model" || strings.HasPrefix(dep, "graph/model/")) {
		return false
	}
	return dep == layer || strings.HasPrefix(dep, layer+"/")
}

// imports reads the module's import graph from the sources (non-test files, every build
// tag): for each package (its path inside the module), the module's packages it imports.
// Reading the files here, not through go list, lets the test cache see them change.
func imports(t *testing.T, root string) map[string][]string {
	t.Helper()
	graph := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		if _, ok := graph[pkg]; !ok {
			graph[pkg] = nil
		}
		for _, spec := range f.Imports {
			if dep, ok := strings.CutPrefix(strings.Trim(spec.Path.Value, `"`), module); ok {
				graph[pkg] = append(graph[pkg], dep)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return graph
}

// deps returns every package of the module pkg depends on, directly or not.
func deps(graph map[string][]string, pkg string) map[string]bool {
	seen := map[string]bool{}
	next := slices.Clone(graph[pkg])
	for len(next) > 0 {
		d := next[len(next)-1]
		next = next[:len(next)-1]
		if !seen[d] {
			seen[d] = true
			next = append(next, graph[d]...)
		}
	}
	return seen
}

func TestLayers_DependenciesPointOneWay(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	graph := imports(t, root)
	checked := 0
	for _, pkg := range slices.Sorted(maps.Keys(graph)) {
		layers := forbidden(pkg)
		if layers == nil {
			continue
		}
		checked++
		for _, dep := range slices.Sorted(maps.Keys(deps(graph, pkg))) {
			for _, layer := range layers {
				if violates(dep, layer) {
					t.Errorf("%s depends on %s: layers point one way, server → endpoint → graph → db → graph/model", pkg, dep)
				}
			}
		}
	}
	if checked < 8 {
		t.Fatalf("only %d packages checked: the module is not where the test expects it (%s)", checked, root)
	}
}
