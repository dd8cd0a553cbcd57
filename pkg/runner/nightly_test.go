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

func TestNightlyRecomputation(t *testing.T) {
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
	b := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// run coordinates the job once with a fresh worker and returns the
	// manifest and the tasks the worker computed, sorted.
	run := func(opts runner.CoordinateOptions) (*plan.Manifest, []string) {
		t.Helper()
		w := serveBus(t, b, runner.New(runner.Options{}), runner.ServeOptions{Worker: "w"})
		opts.Version = "test"
		m, err := runner.Coordinate(ctx, b, j, opts)
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
	changes := func() runner.ChangeReport {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(j.Output, filepath.FromSlash(plan.ChangesKey(j.Job))))
		if err != nil {
			t.Fatal(err)
		}
		var rep runner.ChangeReport
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	changeWarning := func(m *plan.Manifest) *plan.TaskWarning {
		for i, w := range m.Warnings {
			if w.Kind == plan.Change {
				return &m.Warnings[i]
			}
		}
		return nil
	}

	first, ran := run(runner.CoordinateOptions{})
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
		m, ran := run(runner.CoordinateOptions{})
		if len(ran) != 0 || m.Reused() != 4 {
			t.Fatalf("computed %v, reused %d; want none computed, 4 reused", ran, m.Reused())
		}
		if got, want := outputSums(m), outputSums(first); !maps.Equal(got, want) {
			t.Errorf("outputs differ from the first run's:\n got %v\nwant %v", got, want)
		}
		for _, o := range m.Outputs {
			if !o.Reused {
				t.Errorf("output %s not marked reused", o.Key)
			}
		}
		if rep := changes(); len(rep.Rows) != 0 || rep.Flagged != 0 || rep.PreviousRun != first.Run {
			t.Errorf("change report of an unchanged run: %d rows, %d flagged, previous %s (want %s)", len(rep.Rows), rep.Flagged, rep.PreviousRun, first.Run)
		}
	})

	t.Run("one year changed", func(t *testing.T) {
		// emission_type1 of reg2's electricity, in 2011 only: reg2's
		// production of it grows 9.4 %, its consumption 7.1 %, its net
		// exports 0.03 %.
		scaleCell(t, filepath.Join(y2, "emissions", "F.txt"), 3, 13, 1.5)
		const threshold = 0.05
		m, ran := run(runner.CoordinateOptions{ChangeThreshold: threshold})
		want := []string{"t/2011/baseline/all", "t/2011/cleaner/all"}
		if !slices.Equal(ran, want) || m.Reused() != 2 {
			t.Fatalf("computed %v, reused %d; want %v computed, 2 reused", ran, m.Reused(), want)
		}
		for _, r := range m.Tasks {
			if r.Reused != (r.Year == "2010") {
				t.Errorf("task %s reused %v", r.Task, r.Reused)
			}
		}
		rep := changes()
		if !slices.Equal(rep.Tasks, want) || rep.Threshold != threshold {
			t.Errorf("change report compares %v at %g, want %v at %g", rep.Tasks, rep.Threshold, want, threshold)
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
		if w == nil || w.Key != plan.ChangesKey(j.Job) || int(w.Amount) != rep.Flagged || rep.Flagged == 0 {
			t.Errorf("change warning %+v, report flags %d rows", w, rep.Flagged)
		}
	})

	t.Run("recompute all", func(t *testing.T) {
		m, ran := run(runner.CoordinateOptions{RecomputeAll: true})
		if len(ran) != 4 || m.Reused() != 0 {
			t.Fatalf("computed %v, reused %d; want all 4 computed", ran, m.Reused())
		}
		if rep := changes(); rep.Flagged != 0 || len(rep.Tasks) != 4 {
			t.Errorf("same tables again: %d rows flagged of %d tasks, want 0 of 4", rep.Flagged, len(rep.Tasks))
		}
	})

	// A job that asks for the Leontief inverse as well reuses none of the
	// tasks computed without it: the accounts are in the digest.
	t.Run("leontief asked for", func(t *testing.T) {
		j.Accounts = append(j.Accounts, spec.AccountLeontief)
		m, ran := run(runner.CoordinateOptions{})
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
