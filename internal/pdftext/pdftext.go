// Package pdftext reads back the text of a PDF the tests produced, with pdftotext
// (poppler-utils, which .ci/run installs).
package pdftext

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Of returns the text of pdf, page by page (a form feed ends each page). Without
// pdftotext the test is skipped, except in CI (CI set), which must have it.
func Of(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI")
		}
		t.Skip("pdftotext (poppler-utils) is not installed: the PDF's text cannot be checked")
	}
	path := filepath.Join(t.TempDir(), "document.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
