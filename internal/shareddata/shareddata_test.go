package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDirFindsTheTables(t *testing.T) {
	p := Dir(t, "pymrio-test-mrio", "saved")
	if _, err := os.Stat(filepath.Join(p, "Z.txt")); err != nil {
		t.Errorf("Dir gave %s, which has no Z.txt: %v", p, err)
	}
	if !filepath.IsAbs(p) {
		t.Errorf("Dir gave a relative path %s", p)
	}
}
