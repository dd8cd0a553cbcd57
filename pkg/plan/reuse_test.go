package plan_test

import (
	"path/filepath"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

func TestTaskDigest(t *testing.T) {
	base := func() *spec.Job {
		return &spec.Job{
			Job: "j", Output: "out",
			Tables:    []spec.Table{{Year: "2019", Format: "pymrio", Path: "t2019"}},
			Scenarios: []spec.Scenario{{Name: "baseline"}},
		}
	}
	input := func() *plan.Input {
		return &plan.Input{Year: "2019", Format: "pymrio", Files: []plan.File{{Path: "Z.txt", SHA256: "aa"}}}
	}
	digest := func(t *testing.T, j *spec.Job, in *plan.Input, run, schema string) string {
		t.Helper()
		ts, err := plan.Make(j, plan.Options{Run: run})
		if err != nil {
			t.Fatal(err)
		}
		ts[0].Input = in
		return plan.TaskDigest(ts[0], schema)
	}
	want := digest(t, base(), input(), "r1", "1")
	if want == "" {
		t.Fatal("empty digest of a pinned task")
	}
	cases := []struct {
		name   string
		edit   func(j *spec.Job, in *plan.Input)
		schema string
		same   bool
	}{
		{"another run", func(*spec.Job, *plan.Input) {}, "1", true},
		{"table moved", func(j *spec.Job, _ *plan.Input) { j.Tables[0].Path = "elsewhere" }, "1", true},
		{"output moved", func(j *spec.Job, _ *plan.Input) { j.Output = "out2" }, "1", true},
		{"file changed", func(_ *spec.Job, in *plan.Input) { in.Files[0].SHA256 = "bb" }, "1", false},
		{"table option", func(j *spec.Job, _ *plan.Input) { j.Tables[0].Options = map[string]string{"k": "v"} }, "1", false},
		{"scenario", func(j *spec.Job, _ *plan.Input) {
			j.Scenarios[0].Shocks = []spec.Shock{{Target: spec.TargetS, Region: "r", Sector: "s", Scale: 2}}
		}, "1", false},
		{"stressors", func(j *spec.Job, _ *plan.Input) { j.Stressors = []string{"CO2"} }, "1", false},
		{"accounts", func(j *spec.Job, _ *plan.Input) { j.Accounts = []string{"regions"} }, "1", false},
		{"leontief added", func(j *spec.Job, _ *plan.Input) {
			j.Accounts = append(spec.DefaultAccounts(), spec.AccountLeontief)
		}, "1", false},
		{"groups", func(j *spec.Job, _ *plan.Input) { j.Groups = spec.Groups{{Name: "g", Regions: []string{"r"}}} }, "1", false},
		{"output format", func(j *spec.Job, _ *plan.Input) { j.OutputFormat = spec.OutputParquet }, "1", false},
		{"schema version", func(*spec.Job, *plan.Input) {}, "2", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j, in := base(), input()
			tc.edit(j, in)
			got := digest(t, j, in, "r2", tc.schema)
			if (got == want) != tc.same {
				t.Errorf("digest %s, first %s: want same %v", got, want, tc.same)
			}
		})
	}
	if got := digest(t, base(), nil, "r1", "1"); got != "" {
		t.Errorf("digest of a task without input %q, want empty", got)
	}
}

// TestReuseReportKeepsWarnings: a task carried over from an earlier run
// keeps the warnings that run gave it, and only those.
func TestReuseReportKeepsWarnings(t *testing.T) {
	task := plan.Task{Job: "j", Year: "2019", Scenario: "base", Block: plan.Block}
	other := plan.Task{Job: "j", Year: "2019", Scenario: "other", Block: plan.Block}
	residual := plan.Warning{Kind: plan.LargeResidual, Amount: 0.098, Message: "gap"}
	old := &plan.Manifest{
		Tasks: []plan.TaskRecord{{Task: task.ID(), Status: plan.Done, Residual: 0.098}},
		Warnings: []plan.TaskWarning{
			{Task: task.ID(), Warning: residual},
			{Task: other.ID(), Warning: plan.Warning{Kind: plan.LargeResidual, Message: "not mine"}},
			{Warning: plan.Warning{Kind: plan.Stale, Key: "j/x.arrow"}},
		},
	}
	rec, _, ok := old.Done(task.ID())
	if !ok {
		t.Fatal("the task is not done in the old manifest")
	}
	r := plan.ReuseReport(task, old, rec, []plan.Output{{Key: "j/year=2019/scenario=base/regions.arrow"}})
	if !r.Reused || r.Residual != 0.098 || len(r.Outputs) != 1 {
		t.Errorf("report %+v", r)
	}
	if len(r.Warnings) != 1 || r.Warnings[0] != residual {
		t.Errorf("warnings %+v, want only %+v", r.Warnings, residual)
	}
}

// TestTaskDigestSigma: a file of sigmas counts by its checksum, not its
// path, and a task whose file was not checked has no digest.
func TestTaskDigestSigma(t *testing.T) {
	job := func(path string) *spec.Job {
		return &spec.Job{
			Job: "j", Output: "out",
			Tables: []spec.Table{{Year: "2019", Format: "pymrio", Path: "t2019"}},
			Scenarios: []spec.Scenario{{Name: "mc", MonteCarlo: &spec.MonteCarlo{Draws: 10,
				Sigma: spec.Sigma{Y: 0.1, Table: spec.SigmaTables{S: path}}}}},
		}
	}
	input := func(sum string) *plan.Input {
		return &plan.Input{Year: "2019", Format: "pymrio", Files: []plan.File{{Path: "Z.txt", SHA256: "aa"}},
			Sigmas: []plan.SigmaInput{{Scenario: "mc", Target: spec.TargetS, Path: "S.txt", File: plan.File{Path: ".", SHA256: sum}}}}
	}
	digest := func(j *spec.Job, in *plan.Input) string {
		ts, err := plan.Make(j, plan.Options{Run: "r"})
		if err != nil {
			t.Fatal(err)
		}
		ts[0].Input = in
		return plan.TaskDigest(ts[0], "1")
	}
	want := digest(job("u/S.txt"), input("s1"))
	if want == "" {
		t.Fatal("empty digest")
	}
	if got := digest(job("elsewhere/S.txt"), input("s1")); got != want {
		t.Errorf("sigma file moved: digest %s, want %s", got, want)
	}
	if got := digest(job("u/S.txt"), input("s2")); got == want {
		t.Errorf("sigma file changed: digest unchanged")
	}
	in := input("s1")
	in.Sigmas = nil
	if got := digest(job("u/S.txt"), in); got != "" {
		t.Errorf("sigma file not checked: digest %q, want empty", got)
	}
}

func TestResolveSigmaPaths(t *testing.T) {
	j := &spec.Job{Dir: "jobs", Scenarios: []spec.Scenario{{Name: "mc", MonteCarlo: &spec.MonteCarlo{Draws: 1,
		Sigma: spec.Sigma{Table: spec.SigmaTables{S: "u/S.txt", A: "s3://b/A.txt"}}}}}}
	r := plan.Resolve(j)
	got := r.Scenarios[0].MonteCarlo.Sigma.Table
	if want, _ := filepath.Abs(filepath.Join("jobs", "u", "S.txt")); got.S != want || got.A != "s3://b/A.txt" {
		t.Errorf("resolved %+v, want S %s and A unchanged", got, want)
	}
	if j.Scenarios[0].MonteCarlo.Sigma.Table.S != "u/S.txt" {
		t.Errorf("Resolve changed the job passed in: %+v", j.Scenarios[0].MonteCarlo.Sigma.Table)
	}
}
