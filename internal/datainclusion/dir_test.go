package datainclusion

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records how Dir ended the test.
type recorder struct {
	testing.TB
	ended string // "skip: ..." or "fatal: ..."
}

func (r *recorder) Helper() {}
func (r *recorder) Fatal(args ...any) {
	r.ended = "fatal: " + fmt.Sprint(args...)
	runtime.Goexit()
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.ended = "fatal: " + fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Skipf(format string, args ...any) {
	r.ended = "skip: " + fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls Dir as a test would and returns the directory or how the test ended.
func run() (dir, ended string) {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		dir = Dir(r)
	}()
	<-done
	return dir, r.ended
}

func TestDir(t *testing.T) {
	present := t.TempDir()
	if err := os.WriteFile(filepath.Join(present, "service.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("SetAndPresent", func(t *testing.T) {
		t.Setenv(EnvVar, present)
		if dir, ended := run(); dir != present || ended != "" {
			t.Fatalf("got %q %q", dir, ended)
		}
	})
	t.Run("ErrSetButMissingFails", func(t *testing.T) {
		t.Setenv(EnvVar, filepath.Join(present, "nowhere"))
		if _, ended := run(); !strings.HasPrefix(ended, "fatal: "+EnvVar) {
			t.Fatalf("a missing directory named by %s must fail, got %q", EnvVar, ended)
		}
	})
	t.Run("RelativeIsFromRepositoryRoot", func(t *testing.T) {
		t.Setenv(EnvVar, "internal")
		root, err := repoRoot()
		if err != nil {
			t.Fatal(err)
		}
		if dir, _, _ := resolve(); dir != filepath.Join(root, "internal") {
			t.Fatalf("got %s", dir)
		}
	})
	t.Run("UnsetAndAbsentSkips", func(t *testing.T) {
		t.Setenv(EnvVar, "")
		saved := defaultDir
		defaultDir = filepath.Join("no", "such", "dir")
		defer func() { defaultDir = saved }()
		if _, ended := run(); !strings.HasPrefix(ended, "skip: ") || strings.Contains(ended, "\n") {
			t.Fatalf("want a one-line skip, got %q", ended)
		}
	})
}
