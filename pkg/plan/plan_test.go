package plan_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

func job() *spec.Job {
	return &spec.Job{
		Job:    "ga",
		Output: "out",
		Tables: []spec.Table{
			{Year: "2019", Format: "pymrio", Path: "tables/2019"},
			{Year: "2020", Format: "pymrio", Path: "s3://bucket/tables/2020"},
		},
		Scenarios: []spec.Scenario{
			{Name: "base"},
			{Name: "clean", Shocks: []spec.Shock{{Target: spec.TargetS, Scale: 0.5}}},
		},
		Dir: filepath.Join("jobs", "ga"),
	}
}

func TestMake(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join("jobs", "ga"))
	if err != nil {
		t.Fatal(err)
	}
	cwd, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		job        func() *spec.Job
		opts       plan.Options
		wantIDs    []string
		wantOutput string
		wantFormat string
	}{
		{
			name:       "years then scenarios",
			job:        job,
			opts:       plan.Options{Run: "r1"},
			wantIDs:    []string{"ga/2019/base/all", "ga/2019/clean/all", "ga/2020/base/all", "ga/2020/clean/all"},
			wantOutput: filepath.Join(cwd, "out"),
			wantFormat: "arrow",
		},
		{
			name: "no scenarios runs the baseline",
			job: func() *spec.Job {
				j := job()
				j.Scenarios = nil
				return j
			},
			opts:       plan.Options{Run: "r1", Output: "s3://b/p", Format: "parquet"},
			wantIDs:    []string{"ga/2019/baseline/all", "ga/2020/baseline/all"},
			wantOutput: "s3://b/p",
			wantFormat: "parquet",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := tt.job()
			before, _ := json.Marshal(j)
			tasks, err := plan.Make(j, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if after, _ := json.Marshal(j); string(after) != string(before) {
				t.Errorf("Make changed the job:\n%s\n%s", before, after)
			}
			var ids []string
			for _, tk := range tasks {
				ids = append(ids, tk.ID())
				if tk.Output != tt.wantOutput || tk.Format != tt.wantFormat || tk.Run != tt.opts.Run {
					t.Errorf("%s: output %q format %q run %q, want %q %q %q", tk.ID(), tk.Output, tk.Format, tk.Run, tt.wantOutput, tt.wantFormat, tt.opts.Run)
				}
			}
			if strings.Join(ids, " ") != strings.Join(tt.wantIDs, " ") {
				t.Errorf("tasks: got %v, want %v", ids, tt.wantIDs)
			}
			var carried spec.Job
			if err := json.Unmarshal(tasks[0].Spec, &carried); err != nil {
				t.Fatal(err)
			}
			wantPaths := []string{filepath.Join(abs, "tables", "2019"), "s3://bucket/tables/2020"}
			for i, tb := range carried.Tables {
				if tb.Path != wantPaths[i] {
					t.Errorf("table %d path: got %q, want %q", i, tb.Path, wantPaths[i])
				}
			}
			if len(carried.Scenarios) != len(tt.wantIDs)/2 || len(carried.Accounts) == 0 {
				t.Errorf("carried spec lacks its defaults: %s", tasks[0].Spec)
			}
		})
	}
}

func TestMakeRejects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*spec.Job)
		opts  plan.Options
		wants string
	}{
		{"bad format", func(*spec.Job) {}, plan.Options{Run: "r", Format: "csv"}, `"csv"`},
		{"scenario twice", func(j *spec.Job) { j.Scenarios[1].Name = "base" }, plan.Options{Run: "r"}, `"base"`},
		{"year not a path element", func(j *spec.Job) { j.Tables[0].Year = "20/19" }, plan.Options{Run: "r"}, `20/19`},
		{"job name", func(j *spec.Job) { j.Job = ".hidden" }, plan.Options{Run: "r"}, `.hidden`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := job()
			tt.edit(j)
			_, err := plan.Make(j, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wants) {
				t.Fatalf("got %v, want an error naming %s", err, tt.wants)
			}
		})
	}
}

func TestMakePanicsWithoutRun(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	plan.Make(job(), plan.Options{})
}
