package runner_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"github.com/mrioflow/mrioflow/internal/shareddata"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// dataDir is the shared data folder beside the repository; the test is
// skipped without it.
func dataDir(t *testing.T) string {
	t.Helper()
	return shareddata.Dir(t)
}

// pymrioJob is a job on pymrio's test MRIO, writing below a temporary
// folder.
func pymrioJob(t *testing.T) *spec.Job {
	j := &spec.Job{
		Job:    "t",
		Output: filepath.Join(t.TempDir(), "out"),
		Tables: []spec.Table{{Year: "2010", Format: "pymrio", Path: filepath.Join(dataDir(t), "pymrio-test-mrio", "saved")}},
		Groups: spec.Groups{{Name: "north", Regions: []string{"reg1", "reg2"}}},
		Scenarios: []spec.Scenario{
			{Name: "baseline"},
			{Name: "cleaner", Shocks: []spec.Shock{{Target: spec.TargetS, Region: "reg1", Sector: "electricity", Scale: 0.5}}},
		},
	}
	j.SetDefaults()
	return j
}

func tasks(t *testing.T, j *spec.Job) []plan.Task {
	t.Helper()
	ts, err := plan.Make(j, plan.Options{Run: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestRun(t *testing.T) {
	j := pymrioJob(t)
	r := runner.New(runner.Options{})
	ts := tasks(t, j)
	sums := map[string]string{} // key -> checksum of its first run
	// The baseline again after the scenario: the cached table must not
	// carry the scenario's shock.
	for _, task := range []plan.Task{ts[0], ts[1], ts[0]} {
		rep, err := r.Run(context.Background(), task)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Outputs) != len(j.Accounts) {
			t.Errorf("%s: %d outputs, want %d", task.ID(), len(rep.Outputs), len(j.Accounts))
		}
		for _, o := range rep.Outputs {
			want := "t/year=2010/scenario=" + task.Scenario + "/" + o.Account + ".arrow"
			if o.Key != want {
				t.Errorf("key %s, want %s", o.Key, want)
			}
			data, err := os.ReadFile(filepath.Join(j.Output, filepath.FromSlash(o.Key)))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if hex.EncodeToString(sum[:]) != o.SHA256 || o.Bytes != int64(len(data)) || o.Rows <= 0 {
				t.Errorf("%s: %d bytes, sha256 %x; report says %d bytes, %s, %d rows", o.Key, len(data), sum, o.Bytes, o.SHA256, o.Rows)
			}
			if first, ok := sums[o.Key]; ok && first != o.SHA256 {
				t.Errorf("%s differs when run again", o.Key)
			}
			sums[o.Key] = o.SHA256
		}
		if rep.Residual > 1e-9 {
			t.Errorf("%s: residual %g of a table in balance", task.ID(), rep.Residual)
		}
	}
}

func TestRunErrorNamesTheTask(t *testing.T) {
	j := pymrioJob(t)
	task := tasks(t, j)[1]
	// The table vanishes between planning and the task.
	j.Tables[0].Path = filepath.Join(t.TempDir(), "gone")
	task.Spec = tasks(t, j)[1].Spec
	_, err := runner.New(runner.Options{}).Run(context.Background(), task)
	var te *runner.TaskError
	if !errors.As(err, &te) || te.Year != "2010" || te.Scenario != "cleaner" || te.Step != "read" {
		t.Fatalf("got %v, want a TaskError of 2010/cleaner in the read step", err)
	}
	if !strings.Contains(err.Error(), "gone") {
		t.Errorf("error %q does not name the path", err)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*spec.Job)
		wants []string // in the error; none for a job that passes
	}{
		{"good", func(*spec.Job) {}, nil},
		{"unknown stressor", func(j *spec.Job) { j.Stressors = []string{"CO2"} }, []string{"year 2010", `"CO2"`}},
		{"unknown producing region", func(j *spec.Job) { j.Scenarios[1].Shocks[0].Region = "reg9" }, []string{"scenario cleaner", "shock 1", `"reg9"`}},
		{"sector pattern matching nothing", func(j *spec.Job) { j.Scenarios[1].Shocks[0].Sector = "wood*" }, []string{"scenario cleaner", `"wood*"`}},
		{"unknown consumer", func(j *spec.Job) {
			j.Scenarios[1].Shocks = []spec.Shock{{Target: spec.TargetY, Region: "reg7", Scale: 2}}
		}, []string{"scenario cleaner", `"reg7"`}},
		{"unknown from_region", func(j *spec.Job) {
			j.Scenarios[1].Shocks = []spec.Shock{{Target: spec.TargetY, FromRegion: "reg0", Scale: 2}}
		}, []string{"from_region", `"reg0"`}},
		{"unknown group region", func(j *spec.Job) { j.Groups[0].Regions[1] = "atlantis" }, []string{"group north", `"atlantis"`}},
		{"unknown format option", func(j *spec.Job) { j.Tables[0].Options = map[string]string{"speed": "fast"} }, []string{"year 2010", `"speed"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := pymrioJob(t)
			tt.edit(j)
			inputs, err := runner.Check(context.Background(), j)
			if tt.wants == nil {
				if err != nil {
					t.Fatal(err)
				}
				if len(inputs) != 1 || len(inputs[0].Files) < 5 {
					t.Fatalf("inputs: %+v, want the files of one table", inputs)
				}
				for _, f := range inputs[0].Files {
					if len(f.SHA256) != 64 || f.Bytes <= 0 || filepath.IsAbs(f.Path) {
						t.Errorf("input file %+v", f)
					}
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %s", err, w)
				}
			}
		})
	}
}

func TestCheckOutput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, location string
		ok             bool
	}{
		{"existing folder", dir, true},
		{"new folders", filepath.Join(dir, "a", "b"), true},
		{"url", "s3://bucket/prefix", true},
		{"a file", file, false},
		{"below a file", filepath.Join(file, "out"), false},
		{"deep below a file", filepath.Join(file, "a", "b"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runner.CheckOutput(tt.location)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckOutput(%s) = %v, want ok %v", tt.location, err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), file) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CheckOutput made a folder: %v", err)
	}
}

// copyDir copies the files of a flat-or-nested folder.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRunnerCheckKeepsTheFirstTable(t *testing.T) {
	j := pymrioJob(t)
	copied := filepath.Join(t.TempDir(), "saved")
	copyDir(t, j.Tables[0].Path, copied)
	j.Tables[0].Path = copied
	ts := tasks(t, j)

	tests := []struct {
		name   string
		check  func(*runner.Runner) error
		wantOK bool
	}{
		{"package Check keeps nothing", func(*runner.Runner) error {
			_, err := runner.Check(context.Background(), j)
			return err
		}, false},
		{"Runner.Check keeps the first table", func(r *runner.Runner) error {
			_, err := r.Check(context.Background(), j)
			return err
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			copyDir(t, filepath.Join(dataDir(t), "pymrio-test-mrio", "saved"), copied)
			r := runner.New(runner.Options{})
			if err := tt.check(r); err != nil {
				t.Fatal(err)
			}
			// The table goes away after the check: only a kept table serves.
			if err := os.RemoveAll(copied); err != nil {
				t.Fatal(err)
			}
			_, err := r.Run(context.Background(), ts[0])
			if (err == nil) != tt.wantOK {
				t.Fatalf("Run after the table went: %v, want ok %v", err, tt.wantOK)
			}
		})
	}
}

// TestCheckSingular: a base table whose I - A is singular, or nearly so,
// fails the check with the year, the table and the condition estimate,
// before anything is written; a well-conditioned one passes.
func TestCheckSingular(t *testing.T) {
	tests := []struct {
		name  string
		z, y  [][]float64
		wants []string // in the error; none for a table that passes
	}{
		{"well conditioned", [][]float64{{10, 5}, {4, 20}}, [][]float64{{30, 5}, {10, 8}}, nil},
		// r1 uses all of its own output: A[0][0] = 1.
		{"singular", [][]float64{{10, 0}, {0, 20}}, [][]float64{{0, 0}, {10, 8}}, []string{"year 2001", "singular", "estimate 0", "r1/s"}},
		// A sliver of r1's output goes to final demand: A[0][0] = 1 - 1e-14.
		{"near-singular", [][]float64{{10 - 1e-13, 0}, {0, 20}}, [][]float64{{1e-13, 0}, {10, 8}}, []string{"year 2001", "singular", "estimate 2.11e-14", "below 1e-12"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeSaved(t, t.TempDir(), tt.z, tt.y, []float64{100, 200})
			j := &spec.Job{Job: "t", Output: filepath.Join(t.TempDir(), "out"),
				Tables: []spec.Table{{Year: "2001", Format: "pymrio", Path: dir}}}
			j.SetDefaults()
			for _, check := range []func() error{
				func() error { _, err := runner.Check(context.Background(), j); return err },
				func() error { _, err := runner.New(runner.Options{}).Check(context.Background(), j); return err },
			} {
				err := check()
				if tt.wants == nil {
					if err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range append(tt.wants, dir) {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not name %s", err, w)
					}
				}
			}
			if _, err := os.Stat(j.Output); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the check wrote the output folder: %v", err)
			}
		})
	}
}

// TestInputHeavyWarning: a shock that makes a sector need more than a
// unit of inputs per unit of output (negative value added; here outputs
// and L turn negative without I - A being singular) is warned about,
// naming the sector; the table as it is gets no such warning.
func TestInputHeavyWarning(t *testing.T) {
	j := pymrioJob(t)
	j.Scenarios = []spec.Scenario{
		{Name: "baseline"},
		{Name: "heavy", Shocks: []spec.Shock{{Target: spec.TargetA, Region: "reg1", Sector: "food", Scale: 15}}},
	}
	r := runner.New(runner.Options{})
	for _, task := range tasks(t, j) {
		rep, err := r.Run(context.Background(), task)
		if err != nil {
			t.Fatal(err)
		}
		var heavy []plan.Warning
		for _, w := range rep.Warnings {
			if w.Kind == plan.InputHeavy {
				heavy = append(heavy, w)
			}
		}
		switch task.Scenario {
		case "baseline":
			if len(heavy) != 0 {
				t.Errorf("baseline: %+v", heavy)
			}
		case "heavy":
			if len(heavy) != 1 || heavy[0].Sector != "reg1/food" || !(heavy[0].Amount > 1) ||
				!strings.Contains(heavy[0].Message, "1 of 48 sectors need a unit or more of inputs") {
				t.Errorf("heavy: %+v", heavy)
			}
		}
	}
}

// TestRunnerKeepsJobsApart runs tasks of two jobs that read one table
// with different stressors on one Runner: each job's outputs hold its
// own stressors, though the Runner keeps the table it read for the first.
func TestRunnerKeepsJobsApart(t *testing.T) {
	r := runner.New(runner.Options{CacheTables: 2})
	for _, stressor := range []string{"emission_type1/air", "emission_type2/water", "emission_type1/air"} {
		j := pymrioJob(t)
		j.Stressors = []string{stressor}
		for _, task := range tasks(t, j)[:1] {
			if _, err := r.Run(context.Background(), task); err != nil {
				t.Fatal(err)
			}
		}
		rows := readRows(t, filepath.Join(j.Output, "t", "year=2010", "scenario=baseline", "regions.arrow"))
		for _, row := range rows {
			if row["stressor"] != stressor {
				t.Fatalf("job of %s: a row of %s", stressor, row["stressor"])
			}
		}
		if len(rows) == 0 {
			t.Fatalf("job of %s: no rows", stressor)
		}
	}
}
