//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunRefusesASecondCoordinator holds the lock of a job's output folder
// as a running coordinator would, and checks that a second run of the job
// into that folder is refused before it writes anything, while a run into
// another folder goes ahead.
func TestRunRefusesASecondCoordinator(t *testing.T) {
	specPath, out := pymrioSpec(t, "locked", "  - name: baseline\n")
	release, err := lockJob(out, "locked")
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "run", specPath, "--workers", "1")
	if code != exitFail || !strings.Contains(stderr, "another coordinator on this machine is running job locked") {
		t.Errorf("exit %d, stderr %q; want %d and the job named", code, stderr, exitFail)
	}
	if _, err := os.Stat(filepath.Join(out, "locked")); !os.IsNotExist(err) {
		t.Errorf("the refused run wrote %s (stat: %v)", filepath.Join(out, "locked"), err)
	}
	other := filepath.Join(t.TempDir(), "other")
	if code, _, _ := runCLI(t, "run", specPath, "--workers", "1", "--output", other); code != exitOK {
		t.Errorf("a run into another folder: exit %d, want %d", code, exitOK)
	}
	release()
	if code, _, _ := runCLI(t, "run", specPath, "--workers", "1"); code != exitOK {
		t.Errorf("after the lock is released: exit %d, want %d", code, exitOK)
	}
}
