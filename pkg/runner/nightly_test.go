package runner_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// scaleCell multiplies one number of a pymrio text file by k: the cell
// at line (0-based) and tab-separated field.
func scaleCell(t *testing.T, file string, line, field int, k float64) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	cells := strings.Split(lines[line], "\t")
	v, err := strconv.ParseFloat(cells[field], 64)
	if err != nil || v == 0 {
		t.Fatalf("%s line %d field %d: %q (%v)", file, line, field, cells[field], err)
	}
	cells[field] = strconv.FormatFloat(v*k, 'g', -1, 64)
	lines[line] = strings.Join(cells, "\t")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// outputSums maps each output key of m to its checksum.
func outputSums(m *plan.Manifest) map[string]string {
	sums := map[string]string{}
	for _, o := range m.Outputs {
		sums[o.Key] = o.SHA256
	}
	return sums
}

// nightly is pymrio's test MRIO as a job of two years, 2010 and 2011,
// each a copy of the table in its own folder, and an embedded server to
// run it again and again.
type nightly struct {
	j     *spec.Job
	y2011 string // the folder of 2011's table
	b     *bus.Bus
	ctx   context.Context
}

func newNightly(t *testing.T) *nightly {
	tmp := t.TempDir()
	src := filepath.Join(dataDir(t), "pymrio-test-mrio", "saved")
	y1, y2 := filepath.Join(tmp, "y2010"), filepath.Join(tmp, "y2011")
	copyDir(t, src, y1)
	copyDir(t, src, y2)
	j := pymrioJob(t)
	j.Tables = []spec.Table{
		{Year: "2010", Format: "pymrio", Path: y1},
		{Year: "2011", Format: "pymrio", Path: y2},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return &nightly{j: j, y2011: y2, b: connect(t), ctx: ctx}
}

// run coordinates the job once with a fresh worker and returns the
// manifest and the tasks the worker computed, sorted.
func (n *nightly) run(t *testing.T, opts runner.CoordinateOptions) (*plan.Manifest, []string) {
	t.Helper()
	w := serveBus(t, n.b, runner.New(runner.Options{}), runner.ServeOptions{Worker: "w"})
	opts.Version = "test"
	m, err := runner.Coordinate(n.ctx, n.b, n.j, opts)
	w.halt(t)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Complete() {
		t.Fatalf("run %s not complete: %+v", m.Run, m.Failures)
	}
	ran := w.tasks()
	slices.Sort(ran)
	return m, ran
}

// checkReusedAll checks m, a run that computed nothing after prev: prev's
// outputs, every one marked reused, and a change report against prev
// that compares nothing.
func (n *nightly) checkReusedAll(t *testing.T, m, prev *plan.Manifest) {
	t.Helper()
	if got, want := outputSums(m), outputSums(prev); !maps.Equal(got, want) {
		t.Errorf("outputs differ from run %s's:\n got %v\nwant %v", prev.Run, got, want)
	}
	for _, o := range m.Outputs {
		if !o.Reused {
			t.Errorf("output %s not marked reused", o.Key)
		}
	}
	if rep := n.changes(t); len(rep.Tasks) != 0 || len(rep.Rows) != 0 || rep.Flagged != 0 || rep.PreviousRun != prev.Run {
		t.Errorf("change report of an unchanged run: tasks %v, %d rows, %d flagged, previous %s (want %s)", rep.Tasks, len(rep.Rows), rep.Flagged, rep.PreviousRun, prev.Run)
	}
}

// changes reads the job's change report.
func (n *nightly) changes(t *testing.T) runner.ChangeReport {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(n.j.Output, filepath.FromSlash(plan.ChangesKey(n.j.Job))))
	if err != nil {
		t.Fatal(err)
	}
	var rep runner.ChangeReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// scale2011 multiplies emission_type1 of reg2's electricity by 1.5 in
// 2011 only: reg2's production of it grows 9.4 %, its consumption
// 7.1 %, its net exports 0.03 %.
func (n *nightly) scale2011(t *testing.T) {
	scaleCell(t, filepath.Join(n.y2011, "emissions", "F.txt"), 3, 13, 1.5)
}

// scaledThreshold is the change threshold of the run after scale2011.
const scaledThreshold = 0.05

// checkScaled2011 checks m, the run after scale2011 at scaledThreshold,
// and its change report: 2010's tasks reused and 2011's not, the report
// comparing tasks, only 2011's rows, reg2's production and consumption
// of emission_type1 flagged in both scenarios, its net exports not, and
// some values moved below the threshold.
func checkScaled2011(t *testing.T, rep runner.ChangeReport, m *plan.Manifest, tasks []string) {
	t.Helper()
	for _, r := range m.Tasks {
		if r.Reused != (r.Year == "2010") {
			t.Errorf("task %s reused %v", r.Task, r.Reused)
		}
	}
	if !slices.Equal(rep.Tasks, tasks) || rep.Threshold != scaledThreshold {
		t.Errorf("change report compares %v at %g, want %v at %g", rep.Tasks, rep.Threshold, tasks, scaledThreshold)
	}
	flagged := map[string]bool{} // scenario|stressor|region|account
	moved := 0                   // values that changed below the threshold
	for _, row := range rep.Rows {
		if row.Year != "2011" {
			t.Errorf("row of year %s in the report", row.Year)
		}
		for acct, v := range row.Accounts {
			if v.Flag != "" {
				flagged[row.Scenario+"|"+row.Stressor+"|"+row.Region+"|"+acct] = true
			} else if v.Relative != nil && *v.Relative != 0 {
				moved++
			}
		}
	}
	for _, k := range []string{
		"baseline|emission_type1/air|reg2|production", "baseline|emission_type1/air|reg2|consumption",
		"cleaner|emission_type1/air|reg2|production", "cleaner|emission_type1/air|reg2|consumption",
	} {
		if !flagged[k] {
			t.Errorf("%s not flagged; flagged: %v", k, flagged)
		}
	}
	if flagged["baseline|emission_type1/air|reg2|net_exports"] || moved == 0 {
		t.Errorf("reg2's net exports (0.03 %%) flagged, or no value moved below the threshold (%d)", moved)
	}
	for k := range flagged {
		if !strings.Contains(k, "|emission_type1/air|") {
			t.Errorf("%s flagged, but only emission_type1 changed", k)
		}
		if strings.HasSuffix(k, "|production") && !strings.Contains(k, "|reg2|") {
			t.Errorf("%s flagged, but only reg2 emits more", k)
		}
	}
	w := changeWarning(m)
	if w == nil || w.Key != plan.ChangesKey(m.Job) || int(w.Amount) != rep.Flagged || rep.Flagged == 0 {
		t.Errorf("change warning %+v, report flags %d rows", w, rep.Flagged)
	}
}

// changeWarning is m's warning of kind plan.Change, nil if none.
func changeWarning(m *plan.Manifest) *plan.TaskWarning {
	for i, w := range m.Warnings {
		if w.Kind == plan.Change {
			return &m.Warnings[i]
		}
	}
	return nil
}

// warningsOf lists the keys of m's warnings of kind.
func warningsOf(m *plan.Manifest, kind string) []string {
	var keys []string
	for _, w := range m.Warnings {
		if w.Kind == kind {
			keys = append(keys, w.Key)
		}
	}
	return keys
}

// checkSame checks that rep compares the tasks want and that every value
// of every row is what it was, to the bit.
func checkSame(t *testing.T, rep runner.ChangeReport, want []string) {
	t.Helper()
	if !slices.Equal(rep.Tasks, want) || rep.Flagged != 0 || len(rep.Rows) == 0 {
		t.Errorf("change report compares %v, %d of %d rows flagged; want %v, none flagged", rep.Tasks, rep.Flagged, len(rep.Rows), want)
	}
	for _, row := range rep.Rows {
		for acct, v := range row.Accounts {
			if v.Old == nil && v.New == nil {
				continue // a null on both sides
			}
			if v.Old == nil || v.New == nil || *v.Old != *v.New || v.Relative == nil || *v.Relative != 0 {
				t.Errorf("%s/%s %s %s %s: %+v, want the same value", row.Year, row.Scenario, row.Stressor, row.Region, acct, v)
			}
		}
	}
}

func TestNightlyRecomputation(t *testing.T) {
	n := newNightly(t)
	j := n.j
	first, ran := n.run(t, runner.CoordinateOptions{})
	if len(ran) != 4 || first.Reused() != 0 {
		t.Fatalf("first run: computed %v, reused %d; want all 4 computed", ran, first.Reused())
	}
	if _, err := os.Stat(filepath.Join(j.Output, j.Job, "changes.json")); !os.IsNotExist(err) {
		t.Errorf("first run wrote a change report (%v); there is nothing to compare with", err)
	}
	for _, r := range first.Tasks {
		if r.Digest == "" {
			t.Errorf("task %s has no digest", r.Task)
		}
	}

	t.Run("unchanged", func(t *testing.T) {
		m, ran := n.run(t, runner.CoordinateOptions{})
		if len(ran) != 0 || m.Reused() != 4 {
			t.Fatalf("computed %v, reused %d; want none computed, 4 reused", ran, m.Reused())
		}
		n.checkReusedAll(t, m, first)
	})

	t.Run("one year changed", func(t *testing.T) {
		n.scale2011(t)
		m, ran := n.run(t, runner.CoordinateOptions{ChangeThreshold: scaledThreshold})
		want := []string{"t/2011/baseline/all", "t/2011/cleaner/all"}
		if !slices.Equal(ran, want) || m.Reused() != 2 {
			t.Fatalf("computed %v, reused %d; want %v computed, 2 reused", ran, m.Reused(), want)
		}
		rep := n.changes(t)
		checkScaled2011(t, rep, m, want)
	})

	t.Run("recompute all", func(t *testing.T) {
		m, ran := n.run(t, runner.CoordinateOptions{RecomputeAll: true})
		if len(ran) != 4 || m.Reused() != 0 {
			t.Fatalf("computed %v, reused %d; want all 4 computed", ran, m.Reused())
		}
		if rep := n.changes(t); rep.Flagged != 0 || len(rep.Tasks) != 4 {
			t.Errorf("same tables again: %d rows flagged of %d tasks, want 0 of 4", rep.Flagged, len(rep.Tasks))
		}
	})

	// A job that asks for the Leontief inverse as well reuses none of the
	// tasks computed without it: the accounts are in the digest.
	t.Run("leontief asked for", func(t *testing.T) {
		n.j.Accounts = append(n.j.Accounts, spec.AccountLeontief)
		m, ran := n.run(t, runner.CoordinateOptions{})
		if len(ran) != 4 || m.Reused() != 0 {
			t.Fatalf("computed %v, reused %d; want all 4 computed", ran, m.Reused())
		}
		written := 0
		for _, o := range m.Outputs {
			if o.Account == spec.AccountLeontief && !o.Reused {
				written++
			}
		}
		if written != 4 {
			t.Errorf("%d leontief files written, want one per task (4)", written)
		}
	})
}

// TestNightlySplit runs the job whole, then split into 3 blocks of
// consumers per (year, scenario) again and again, then whole again: a
// split year takes part in the change report by its merge, compared with
// whatever wrote the same files the run before (a whole task or a
// merge), and an unchanged split year reuses its blocks and its merge.
func TestNightlySplit(t *testing.T) {
	n := newNightly(t)
	split := runner.CoordinateOptions{BlocksPerYear: 3}
	merges := func(years ...string) []string {
		var out []string
		for _, y := range years {
			for _, s := range []string{"baseline", "cleaner"} {
				out = append(out, plan.MergeID(n.j.Job, y, s))
			}
		}
		return out
	}
	whole, _ := n.run(t, runner.CoordinateOptions{})
	var last *plan.Manifest // the latest split run

	t.Run("split after whole", func(t *testing.T) {
		m, ran := n.run(t, split)
		if len(ran) != 12 || m.Reused() != 0 {
			t.Fatalf("computed %v, reused %d; want all 12 blocks computed", ran, m.Reused())
		}
		sums := outputSums(m)
		for key, sum := range outputSums(whole) {
			if sums[key] != sum {
				t.Errorf("%s: SHA-256 %s after the whole run's %s", key, sums[key], sum)
			}
		}
		checkSame(t, n.changes(t), merges("2010", "2011"))
		last = m
	})
	if last == nil {
		t.FailNow()
	}

	t.Run("unchanged", func(t *testing.T) {
		m, ran := n.run(t, split)
		if len(ran) != 0 || m.Reused() != 16 {
			t.Fatalf("computed %v, reused %d; want none computed, 12 blocks and 4 merges reused", ran, m.Reused())
		}
		n.checkReusedAll(t, m, last)
		if stale := warningsOf(m, plan.Stale); len(stale) != 0 {
			t.Errorf("stale objects %v: the blocks' parts are the run's", stale)
		}
		last = m
	})

	t.Run("merged file removed", func(t *testing.T) {
		// The parts are in place, the accounts of 2010/baseline are not
		// all: its blocks are reused and merged again.
		key := plan.MergeID(n.j.Job, "2010", "baseline")
		var regions string
		for _, o := range last.Outputs {
			if o.Task == key && o.Account == "regions" {
				regions = o.Key
			}
		}
		if err := os.Remove(filepath.Join(n.j.Output, filepath.FromSlash(regions))); err != nil {
			t.Fatal(err)
		}
		var errs []error
		m, ran := n.run(t, runner.CoordinateOptions{BlocksPerYear: 3, OnError: func(err error) { errs = append(errs, err) }})
		if len(ran) != 0 || m.Reused() != 15 {
			t.Fatalf("computed %v, reused %d; want none computed, all but one merge reused", ran, m.Reused())
		}
		for _, r := range m.Tasks {
			if r.Reused == (r.Task == key) {
				t.Errorf("task %s reused %v", r.Task, r.Reused)
			}
		}
		if got, want := outputSums(m), outputSums(last); !maps.Equal(got, want) {
			t.Errorf("outputs differ from the last run's:\n got %v\nwant %v", got, want)
		}
		if rep := n.changes(t); len(rep.Tasks) != 0 || len(errs) != 1 {
			t.Errorf("change report compares %v (want none: the old file is gone), errors %v (want one)", rep.Tasks, errs)
		}
		last = m
	})

	t.Run("one year changed", func(t *testing.T) {
		n.scale2011(t)
		m, ran := n.run(t, runner.CoordinateOptions{BlocksPerYear: 3, ChangeThreshold: scaledThreshold})
		var want []string
		for _, s := range []string{"baseline", "cleaner"} {
			for b := range 3 {
				want = append(want, plan.Task{Job: n.j.Job, Year: "2011", Scenario: s, Block: plan.ConsumerBlock(b, 3)}.ID())
			}
		}
		if !slices.Equal(ran, want) || m.Reused() != 8 {
			t.Fatalf("computed %v, reused %d; want %v computed, 2010's 6 blocks and 2 merges reused", ran, m.Reused(), want)
		}
		rep := n.changes(t)
		checkScaled2011(t, rep, m, merges("2011"))
		last = m
	})

	t.Run("whole after split", func(t *testing.T) {
		m, ran := n.run(t, runner.CoordinateOptions{})
		if len(ran) != 4 || m.Reused() != 0 {
			t.Fatalf("computed %v, reused %d; want all 4 computed", ran, m.Reused())
		}
		var want []string
		for _, id := range merges("2010", "2011") {
			want = append(want, strings.TrimSuffix(id, plan.MergeBlock)+plan.Block)
		}
		checkSame(t, n.changes(t), want)
		if stale := warningsOf(m, plan.Stale); len(stale) != 12 || !strings.Contains(stale[0], "/blocks/consumers-") {
			t.Errorf("stale objects %v, want the 12 parts of the split run", stale)
		}
	})
}

// TestNightlySplitLeontief runs a split job that asks for the Leontief
// inverse twice: the second run reuses every block and merge, and the
// blocks' columns of L (blocks/*.leontief.bin), outputs of the reused
// blocks, are not reported as stale.
func TestNightlySplitLeontief(t *testing.T) {
	n := newNightly(t)
	n.j.Accounts = append(n.j.Accounts, spec.AccountLeontief)
	split := runner.CoordinateOptions{BlocksPerYear: 3}
	first, _ := n.run(t, split)
	m, ran := n.run(t, split)
	if len(ran) != 0 || m.Reused() != 16 {
		t.Fatalf("computed %v, reused %d; want none computed, 12 blocks and 4 merges reused", ran, m.Reused())
	}
	n.checkReusedAll(t, m, first)
	if stale := warningsOf(m, plan.Stale); len(stale) != 0 {
		t.Errorf("%d stale objects, want none (the blocks' parts and columns of L are the run's): %v", len(stale), stale)
	}
}
