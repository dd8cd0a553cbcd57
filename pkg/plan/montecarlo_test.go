package plan_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

func TestDrawBlocks(t *testing.T) {
	tests := []struct {
		name        string
		draws, size int
		want        string
	}{
		{"even", 30, 15, "draws-0000-0014 draws-0015-0029"},
		{"last block smaller", 40, 15, "draws-0000-0014 draws-0015-0029 draws-0030-0039"},
		{"one block", 40, 250, "draws-0000-0039"},
		{"one draw", 1, 250, "draws-0000-0000"},
		{"beyond four digits", 10001, 5000, "draws-0000-4999 draws-5000-9999 draws-10000-10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := plan.DrawBlocks(tt.draws, tt.size)
			if strings.Join(got, " ") != tt.want {
				t.Fatalf("DrawBlocks(%d, %d) = %v, want %s", tt.draws, tt.size, got, tt.want)
			}
			next := 0
			for _, b := range got {
				first, count, ok := plan.ParseDrawBlock(b)
				if !ok || first != next || count < 1 {
					t.Fatalf("ParseDrawBlock(%q) = %d, %d, %v; want the block from %d", b, first, count, ok, next)
				}
				next += count
			}
			if next != tt.draws {
				t.Errorf("blocks cover %d draws, want %d", next, tt.draws)
			}
		})
	}
}

func TestParseDrawBlockRejects(t *testing.T) {
	for _, b := range []string{"all", plan.SummaryBlock, "draws-0000", "draws-00-0001", "draws-0005-0004",
		"draws-0000-0014x", "draws--001-0002", "draws-00000-0001", "draws-+000-0001"} {
		if first, count, ok := plan.ParseDrawBlock(b); ok {
			t.Errorf("ParseDrawBlock(%q) = %d, %d, true; want false", b, first, count)
		}
	}
}

func FuzzParseDrawBlock(f *testing.F) {
	for _, s := range []string{"draws-0000-0249", "draws-10000-10000", "all", "draws-0001-0000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		first, count, ok := plan.ParseDrawBlock(s)
		if ok && plan.DrawBlock(first, count) != s {
			t.Fatalf("ParseDrawBlock(%q) = %d, %d, which names %q", s, first, count, plan.DrawBlock(first, count))
		}
	})
}

func monteCarloJob() *spec.Job {
	j := job()
	j.Tables = j.Tables[:1]
	j.Scenarios = append(j.Scenarios, spec.Scenario{Name: "mc", MonteCarlo: &spec.MonteCarlo{Draws: 40, Sigma: spec.Sigma{S: 0.1}}})
	return j
}

func TestMakeMonteCarlo(t *testing.T) {
	tests := []struct {
		name    string
		perTask int
		want    string
	}{
		{"default block size", 0, "ga/2019/base/all ga/2019/clean/all ga/2019/mc/draws-0000-0039"},
		{"blocks of 15", 15, "ga/2019/base/all ga/2019/clean/all ga/2019/mc/draws-0000-0014 ga/2019/mc/draws-0015-0029 ga/2019/mc/draws-0030-0039"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tasks, err := plan.Make(monteCarloJob(), plan.Options{Run: "r", DrawsPerTask: tt.perTask})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, tk := range tasks {
				ids = append(ids, tk.ID())
			}
			if strings.Join(ids, " ") != tt.want {
				t.Errorf("tasks %v\nwant      %s", ids, tt.want)
			}
		})
	}
	if _, err := plan.Make(monteCarloJob(), plan.Options{Run: "r", DrawsPerTask: -1}); err == nil {
		t.Error("Make with -1 draws per task: no error")
	}
	a, _ := plan.Make(monteCarloJob(), plan.Options{Run: "r", DrawsPerTask: 15})
	b, _ := plan.Make(monteCarloJob(), plan.Options{Run: "r", DrawsPerTask: 20})
	if plan.Digest(a) == plan.Digest(b) {
		t.Error("blocks of 15 and of 20 plan to one digest; a resumed run would mix them")
	}
}

func TestSummaries(t *testing.T) {
	tasks, err := plan.Make(monteCarloJob(), plan.Options{Run: "r", DrawsPerTask: 15})
	if err != nil {
		t.Fatal(err)
	}
	done := func(tk plan.Task, outs ...plan.Output) plan.Report {
		r := plan.NewReport(tk)
		r.Status, r.Outputs = plan.Done, outs
		return r
	}
	part := func(tk plan.Task) plan.Output {
		return plan.Output{Account: plan.AccountDraws, Key: plan.PartKey(tk.Job, tk.Year, tk.Scenario, tk.Block)}
	}
	units := plan.Output{Account: plan.AccountUnits, Key: plan.UnitsKey("ga", "2019", "mc")}

	m := plan.NewManifest("test", tasks, nil)
	m.Add(done(tasks[0]))
	// Blocks report in any order; the summary waits for every one.
	m.Add(done(tasks[4], part(tasks[4])))
	m.Add(done(tasks[2], part(tasks[2]), units))
	if s := m.Summaries(); len(s) != 0 {
		t.Fatalf("summaries with a block open: %+v", s)
	}
	m.Add(done(tasks[3], part(tasks[3])))
	s := m.Summaries()
	if len(s) != 1 || s[0].Scenario != "mc" || s[0].Failed != "" || s[0].Units == nil || len(s[0].Parts) != 3 {
		t.Fatalf("summaries %+v, want mc with three parts and units", s)
	}
	m.AddSummary("2019", "mc", "c", &plan.Output{Account: "summary", Key: "ga/year=2019/scenario=mc/summary.arrow"}, plan.Timings{}, nil)
	if s := m.Summaries(); len(s) != 0 {
		t.Errorf("summaries after AddSummary: %+v", s)
	}
	last := m.Tasks[len(m.Tasks)-1]
	if last.Block != plan.SummaryBlock || last.Status != plan.Done || m.Pending() != 1 {
		t.Errorf("last record %+v, %d pending (clean/all)", last, m.Pending())
	}

	// A failed block fails the summary.
	m = plan.NewManifest("test", tasks, nil)
	m.Add(done(tasks[2], part(tasks[2]), units))
	m.Add(done(tasks[3], part(tasks[3])))
	f := plan.NewReport(tasks[4])
	f.Status, f.Error = plan.Failed, "boom"
	m.Add(f)
	s = m.Summaries()
	if len(s) != 1 || s[0].Failed != tasks[4].ID() || s[0].Parts != nil {
		t.Fatalf("summaries %+v, want mc failed by its last block", s)
	}
	m.AddSummary("2019", "mc", "c", nil, plan.Timings{}, errors.New("no draws"))
	if m.Complete() || len(m.Failures) != 2 {
		t.Errorf("failures %+v", m.Failures)
	}
}

// TestReuseSummary carries an earlier run's summary over, through its
// manifest as JSON: done, reused, with its output and warnings, and no
// summary left to do for the pair.
func TestReuseSummary(t *testing.T) {
	tasks, err := plan.Make(monteCarloJob(), plan.Options{Run: "r1", DrawsPerTask: 15})
	if err != nil {
		t.Fatal(err)
	}
	sum := plan.Output{Account: "summary", Key: "ga/year=2019/scenario=mc/summary.arrow", SHA256: "bb"}
	first := plan.NewManifest("test", tasks, nil)
	first.AddSummary("2019", "mc", "c1", &sum, plan.Timings{Write: 1}, nil)
	id := plan.SummaryID("ga", "2019", "mc")
	first.Warnings = append(first.Warnings, plan.TaskWarning{Task: id, Year: "2019", Scenario: "mc",
		Warning: plan.Warning{Kind: plan.Note, Message: "note"}})
	old := decoded(t, first)
	rec, outs, ok := old.Done(id)
	if !ok || rec.Block != plan.SummaryBlock {
		t.Fatalf("old.Done(%s) = %+v, %v", id, rec, ok)
	}

	for i := range tasks {
		tasks[i].Run = "r2"
	}
	m := plan.NewManifest("test", tasks, nil)
	m.ReuseSummary(old, rec, outs)
	got, gotOuts, ok := m.Done(id)
	if !ok || !got.Reused || got.Worker != "c1" || got.Timings != (plan.Timings{}) || m.Reused() != 1 {
		t.Errorf("reused summary %+v (%d reused), want done, reused, by c1, no timings", got, m.Reused())
	}
	if len(gotOuts) != 1 || gotOuts[0] != sum || !m.Outputs[0].Reused {
		t.Errorf("reused outputs %+v, want %+v marked reused", m.Outputs, sum)
	}
	if w := m.Warnings; len(w) != 1 || w[0].Task != id {
		t.Errorf("warnings %+v, want the summary's note", w)
	}
	for _, tk := range tasks {
		if tk.Scenario == "mc" {
			r := plan.NewReport(tk)
			r.Status = plan.Done
			m.Add(r)
		}
	}
	if s := m.Summaries(); len(s) != 0 {
		t.Errorf("summaries %+v left to do after the summary was reused", s)
	}

	tests := []struct {
		name string
		call func()
	}{
		{"twice", func() { m.ReuseSummary(old, rec, outs) }},
		{"a merge", func() { m.ReuseSummary(old, plan.TaskRecord{Task: "ga/2019/mc/merge", Block: plan.MergeBlock}, nil) }},
		{"a summary as a merge", func() { m.ReuseMerge(old, rec, outs) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.call()
		})
	}
}
