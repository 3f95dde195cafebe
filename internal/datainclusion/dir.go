// Package datainclusion finds the national data·inclusion v1 files (JSON Schemas and
// closed lists) that the tests compare the project with. They are not part of the
// repository: CI keeps them beside the clone (../shared/data-inclusion/v1) and names them
// with AGIR_DATAINCLUSION_SCHEMA_DIR; a user's fresh clone does without them and the
// tests that need them are skipped with the reason.
package datainclusion

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// EnvVar names the directory holding service.json, structure.json and extra/*.json.
const EnvVar = "AGIR_DATAINCLUSION_SCHEMA_DIR"

// defaultDir is the directory used when EnvVar is unset, relative to the repository root.
var defaultDir = filepath.Join("..", "shared", "data-inclusion", "v1")

// Dir returns the data·inclusion v1 directory. With EnvVar set (a relative path is taken
// from the repository root), a missing directory fails the test: CI asked for the
// official lists and must not pass without them. Unset, the default beside the clone is
// used when present, and the test is skipped with a one-line reason when it is absent.
func Dir(t testing.TB) string {
	t.Helper()
	dir, explicit, err := resolve()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "service.json")); err != nil {
		if explicit {
			t.Fatalf("%s=%s: data·inclusion v1 files not found: %v", EnvVar, os.Getenv(EnvVar), err)
		}
		t.Skipf("data·inclusion v1 files not found at %s; set %s to check against them", dir, EnvVar)
	}
	return dir
}

// resolve returns the absolute directory and whether EnvVar chose it.
func resolve() (dir string, explicit bool, err error) {
	dir, explicit = os.Getenv(EnvVar), true
	if dir == "" {
		dir, explicit = defaultDir, false
	}
	if filepath.IsAbs(dir) {
		return dir, explicit, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", explicit, err
	}
	return filepath.Join(root, dir), explicit, nil
}

// repoRoot is the nearest directory above the working directory (a package directory
// under go test) holding go.mod.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
	}
}
