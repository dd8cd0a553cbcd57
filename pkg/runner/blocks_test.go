package runner_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// runBlocks runs j with two in-process workers sharing a Runner of opts,
// each (year, scenario) split into blocks (0: not split), and returns the
// manifest.
func runBlocks(t *testing.T, j *spec.Job, blocks int, opts runner.Options) *plan.Manifest {
	t.Helper()
	b := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := runner.New(opts)
	ws := []*worker{
		serveBus(t, b, r, runner.ServeOptions{Worker: "w0"}),
		serveBus(t, b, r, runner.ServeOptions{Worker: "w1"}),
	}
	m, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{Version: "test", BlocksPerYear: blocks, Merger: r})
	for _, w := range ws {
		w.halt(t)
	}
	if err != nil {
		if m != nil {
			t.Logf("failures: %+v", m.Failures)
		}
		t.Fatal(err)
	}
	return m
}

// TestSplitYearBitwise runs the pymrio test MRIO (6 regions) whole and in
// 3 blocks of 2 consumers with the native backend, and checks that every
// account file of the split run has the bytes of the whole run's.
func TestSplitYearBitwise(t *testing.T) {
	job := func() *spec.Job {
		j := pymrioJob(t)
		j.Accounts = []string{spec.AccountRegions, spec.AccountFlows, spec.AccountFootprints,
			spec.AccountMultipliers, spec.AccountFlowsBySector, spec.AccountGroups, spec.AccountLeontief}
		return j
	}
	whole, split := job(), job()
	mw := runBlocks(t, whole, 0, runner.Options{})
	ms := runBlocks(t, split, 3, runner.Options{})

	var blocks, merges []string
	for _, rec := range ms.Tasks {
		if rec.Status != plan.Done {
			t.Errorf("task %s is %s", rec.Task, rec.Status)
		}
		switch {
		case rec.Block == plan.MergeBlock:
			merges = append(merges, rec.Task)
		default:
			if _, _, ok := plan.ParseConsumerBlock(rec.Block); ok {
				blocks = append(blocks, rec.Task)
			}
		}
	}
	if len(blocks) != 6 || len(merges) != 2 {
		t.Fatalf("manifest lists blocks %v and merges %v; want 3 blocks and a merge per scenario", blocks, merges)
	}
	if !slices.Contains(blocks, "t/2010/cleaner/consumers-3-of-3") {
		t.Errorf("blocks %v lack t/2010/cleaner/consumers-3-of-3", blocks)
	}

	if n := sameFiles(t, whole, mw, split); n != 14 {
		t.Errorf("compared %d files, want 7 accounts × 2 scenarios", n)
	}
}

// sameFiles checks that every output of the run of whole (manifest mw) has
// the same bytes in the output folder of split, and returns how many it
// compared.
func sameFiles(t *testing.T, whole *spec.Job, mw *plan.Manifest, split *spec.Job) int {
	t.Helper()
	compared := 0
	for _, o := range mw.Outputs {
		rel, err := filepath.Rel(whole.Job, o.Key)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(whole.Output, o.Key))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(split.Output, split.Job, rel))
		if err != nil {
			t.Errorf("split run: %v", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: split run wrote %d bytes that differ from the whole run's %d", o.Key, len(got), len(want))
		}
		compared++
	}
	return compared
}

// TestSplitYearFailedBlock checks that a block that fails leaves a failed
// merge naming it, and no accounts.
func TestSplitYearFailedBlock(t *testing.T) {
	j := pymrioJob(t)
	j.Scenarios = []spec.Scenario{{Name: "baseline"}}
	m := plan.NewManifest("test", []plan.Task{
		{Job: "t", Run: "r", Year: "2010", Scenario: "baseline", Block: plan.ConsumerBlock(0, 2)},
		{Job: "t", Run: "r", Year: "2010", Scenario: "baseline", Block: plan.ConsumerBlock(1, 2)},
	}, nil)
	m.Add(plan.Report{Task: "t/2010/baseline/consumers-1-of-2", Run: "r", Year: "2010", Scenario: "baseline", Status: plan.Done})
	m.Add(plan.Report{Task: "t/2010/baseline/consumers-2-of-2", Run: "r", Year: "2010", Scenario: "baseline", Status: plan.Failed, Error: "boom"})
	ts := tasks(t, j)
	runner.New(runner.Options{}).Merge(context.Background(), m, ts, "c")
	last := m.Tasks[len(m.Tasks)-1]
	if last.Block != plan.MergeBlock || last.Status != plan.Failed {
		t.Fatalf("last record %+v: want a failed merge", last)
	}
	if f := m.Failures[len(m.Failures)-1]; !bytes.Contains([]byte(f.Error), []byte("consumers-2-of-2")) {
		t.Errorf("merge failure %q does not name the failed block", f.Error)
	}
}
