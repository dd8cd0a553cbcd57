package runner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/spec"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// TestCoordinateInterruptedKeepsACompleteManifest: an interrupted run
// with an embedded server leaves the manifest of an earlier complete run
// as it is, and says so.
func TestCoordinateInterruptedKeepsACompleteManifest(t *testing.T) {
	b := connect(t)
	j := pymrioJob(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := serveBus(t, b, runner.New(runner.Options{}), runner.ServeOptions{Worker: "w"})
	if _, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{Ephemeral: true}); err != nil {
		t.Fatal(err)
	}
	w.halt(t)
	manifest := filepath.Join(j.Output, j.Job, "manifest.json")
	before, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}

	// No worker serves the second run: it ends with its context. Every
	// task is recomputed, or the first run's outputs would be reused.
	short, cancelShort := context.WithTimeout(context.Background(), time.Second)
	defer cancelShort()
	m, err := runner.Coordinate(short, b, j, runner.CoordinateOptions{Ephemeral: true, RecomputeAll: true})
	checkKept(t, m, err, manifest, before)
}

// checkKept checks the end of an interrupted run, m and err, after a
// complete one whose manifest file held before: interrupted, and that
// manifest in place.
func checkKept(t *testing.T, m *plan.Manifest, err error, manifest string, before []byte) {
	t.Helper()
	if !errors.Is(err, runner.ErrInterrupted) || !errors.Is(err, runner.ErrManifestKept) {
		t.Fatalf("got %v, want ErrInterrupted and ErrManifestKept", err)
	}
	if m == nil || !m.Interrupted {
		t.Errorf("manifest returned %+v, want one marked interrupted", m)
	}
	after, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("the complete manifest was replaced:\n%s", after)
	}
}

// TestCoordinateRunWarnings: the tables' notes, once per table, and the
// objects of earlier runs that this run does not write reach the
// manifest and OnWarning; the run's own outputs are not stale.
func TestCoordinateRunWarnings(t *testing.T) {
	b := connect(t)
	j := pymrioJob(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	serveBus(t, b, runner.New(runner.Options{}), runner.ServeOptions{Worker: "w"})
	check := func(ctx context.Context, j *spec.Job) ([]plan.Input, error) {
		in, err := runner.Check(ctx, j)
		for i := range in {
			in[i].Notes = []string{"dropped a discrepancy row"}
		}
		return in, err
	}

	// A first run, with a scenario the second run no longer has.
	old := pymrioJob(t)
	old.Output = j.Output
	old.Scenarios = append(old.Scenarios, spec.Scenario{Name: "removed"})
	if _, err := runner.Coordinate(ctx, b, old, runner.CoordinateOptions{Check: check}); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(j.Output, j.Job, "notes.txt")
	if err := os.WriteFile(stray, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}

	var logged []plan.TaskWarning
	m, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{
		Check: check, OnWarning: func(w plan.TaskWarning) { logged = append(logged, w) },
	})
	if err != nil {
		t.Fatal(err)
	}
	var notes, stale []string
	for _, w := range m.Warnings {
		switch w.Kind {
		case plan.Note:
			notes = append(notes, w.Year+" "+w.Table+": "+w.Message)
		case plan.Stale:
			stale = append(stale, w.Key)
		}
	}
	wantNotes := []string{"2010 " + j.Tables[0].Path + ": dropped a discrepancy row"}
	var wantStale []string
	for _, acct := range j.Accounts {
		wantStale = append(wantStale, "t/year=2010/scenario=removed/"+acct+".arrow")
	}
	wantStale = append(wantStale, "t/notes.txt")
	slices.Sort(wantStale)
	slices.Sort(stale)
	if !slices.Equal(notes, wantNotes) || !slices.Equal(stale, wantStale) {
		t.Errorf("notes %q, want %q\nstale %q, want %q", notes, wantNotes, stale, wantStale)
	}
	// The change report against the first run is a warning of the
	// whole run as well.
	if len(logged) != len(notes)+len(stale)+1 || logged[len(logged)-1].Kind != plan.Change {
		t.Errorf("OnWarning had %d warnings, the manifest %d notes and stale objects and a change report: %+v", len(logged), len(notes)+len(stale), logged)
	}
	if _, err := os.Stat(stray); err != nil {
		t.Errorf("a stale object was deleted: %v", err)
	}
}

// cancelOnGet is a store that cancels a context at the first Get of a key
// holding marker, and fails that Get as the cancelled request would.
type cancelOnGet struct {
	store.Store
	marker string
	cancel context.CancelFunc
	once   sync.Once
}

func (s *cancelOnGet) Get(ctx context.Context, key string) ([]byte, error) {
	if strings.Contains(key, s.marker) {
		fired := false
		s.once.Do(func() { s.cancel(); fired = true })
		if fired {
			return nil, fmt.Errorf("store: get %s: %w", key, context.Canceled)
		}
	}
	return s.Store.Get(ctx, key)
}

// TestCoordinateInterruptedDuringMerge: a signal while the coordinator
// merges a split year's blocks interrupts the run; it is not a failure
// of the merge, and the earlier complete manifest stays.
func TestCoordinateInterruptedDuringMerge(t *testing.T) {
	b := connect(t)
	j := pymrioJob(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := serveBus(t, b, runner.New(runner.Options{}), runner.ServeOptions{Worker: "w"})
	defer w.halt(t)
	if _, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{Ephemeral: true, BlocksPerYear: 3}); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(j.Output, j.Job, "manifest.json")
	before, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}

	run, stop := context.WithCancel(ctx)
	defer stop()
	open := func(ctx context.Context, location string) (store.Store, error) {
		st, err := store.Open(ctx, location, store.Options{})
		if err != nil {
			return nil, err
		}
		return &cancelOnGet{Store: st, marker: "/blocks/", cancel: stop}, nil
	}
	merger := runner.New(runner.Options{Store: open})
	m, err := runner.Coordinate(run, b, j, runner.CoordinateOptions{
		Ephemeral: true, BlocksPerYear: 3, RecomputeAll: true, Merger: merger, Store: open,
	})
	checkKept(t, m, err, manifest, before)
}

// TestCoordinateSweepsTemporaryFiles: a run removes the temporary files
// that a writer killed in an earlier run left under the job's folder,
// once they are older than SweepAfter, and keeps a recent one.
func TestCoordinateSweepsTemporaryFiles(t *testing.T) {
	b := connect(t)
	j := pymrioJob(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	serveBus(t, b, runner.New(runner.Options{}), runner.ServeOptions{Worker: "w"})
	dir := filepath.Join(j.Output, j.Job, "year=2010", "scenario=baseline")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, recent := filepath.Join(dir, ".mrioflow-tmp-1"), filepath.Join(dir, ".mrioflow-tmp-2")
	for _, p := range []string{old, recent} {
		if err := os.WriteFile(p, []byte("half a file"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hourAgo := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	if _, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the hour-old temporary file is still there (%v)", err)
	}
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("the recent temporary file is gone: %v", err)
	}
}
