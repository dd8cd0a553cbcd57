// Package shareddata finds, for tests, the folder of real tables that sits
// beside a checkout of this repository (../shared/data, seen from the
// repository's root).
//
// Tests read the tables there and never copy them into the repository.
// Where the folder is missing a test is skipped, except in CI (CI=true) or
// with MRIOFLOW_REQUIRE_DATA=1, where a missing folder fails the test, so
// that a broken checkout cannot pass by skipping.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared data folder joined with parts, found by walking
// up from the working folder (a package's folder, under go test). It skips
// or fails t, as the package doc says, when the folder or the path is
// missing.
func Dir(t testing.TB, parts ...string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		d := filepath.Join(dir, "shared", "data")
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			p := filepath.Join(append([]string{d}, parts...)...)
			if _, err := os.Stat(p); err != nil {
				missing(t, "shareddata: %v", err)
			}
			return p
		}
		up := filepath.Dir(dir)
		if up == dir {
			missing(t, "shareddata: no shared/data in a folder above %s", dir)
			return ""
		}
		dir = up
	}
}

func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" || os.Getenv("MRIOFLOW_REQUIRE_DATA") == "1" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
