package plan_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

func TestConsumerBlocks(t *testing.T) {
	tests := []struct {
		name      string
		count, rp int
	}{
		{"even", 3, 6},
		{"uneven", 4, 49},
		{"one block", 1, 7},
		{"more blocks than consumers", 5, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := 0
			for b := range tt.count {
				name := plan.ConsumerBlock(b, tt.count)
				got, count, ok := plan.ParseConsumerBlock(name)
				if !ok || got != b || count != tt.count {
					t.Fatalf("ParseConsumerBlock(%q) = %d, %d, %v; want %d, %d", name, got, count, ok, b, tt.count)
				}
				lo, hi := plan.ConsumerRange(b, tt.count, tt.rp)
				if lo != next || hi < lo {
					t.Fatalf("block %d covers [%d, %d), want from %d", b, lo, hi, next)
				}
				next = hi
			}
			if next != tt.rp {
				t.Errorf("blocks cover %d consumers, want %d", next, tt.rp)
			}
		})
	}
}

func TestParseConsumerBlockRejects(t *testing.T) {
	for _, s := range []string{"all", "consumers-0-of-3", "consumers-4-of-3", "consumers-01-of-3", "consumers-1-of-0", "consumers-1of3", "draws-0000-0001", "consumers--1-of-2"} {
		t.Run(s, func(t *testing.T) {
			if b, n, ok := plan.ParseConsumerBlock(s); ok {
				t.Errorf("ParseConsumerBlock(%q) = %d, %d, true; want false", s, b, n)
			}
		})
	}
}

func FuzzParseConsumerBlock(f *testing.F) {
	f.Add("consumers-2-of-3")
	f.Fuzz(func(t *testing.T, s string) {
		if b, n, ok := plan.ParseConsumerBlock(s); ok && plan.ConsumerBlock(b, n) != s {
			t.Errorf("%q parses as block %d of %d, named %q", s, b, n, plan.ConsumerBlock(b, n))
		}
	})
}

// splitJob has two years, a plain scenario and a Monte Carlo one.
func splitJob() *spec.Job {
	return &spec.Job{
		Job: "j", Output: "out",
		Tables: []spec.Table{{Year: "2010", Format: "pymrio", Path: "a"}, {Year: "2011", Format: "pymrio", Path: "b"}},
		Scenarios: []spec.Scenario{
			{Name: "base"},
			{Name: "mc", MonteCarlo: &spec.MonteCarlo{Draws: 10, Seed: 1, Sigma: spec.Sigma{S: 0.1}}},
		},
	}
}

func TestMakeBlocksPerYear(t *testing.T) {
	tests := []struct {
		name   string
		blocks int
		want   string
	}{
		{"no split", 0, "2010/base/all 2010/mc/draws-0000-0009 2011/base/all 2011/mc/draws-0000-0009"},
		{"one block is no split", 1, "2010/base/all 2010/mc/draws-0000-0009 2011/base/all 2011/mc/draws-0000-0009"},
		{"three blocks", 3, "2010/base/consumers-1-of-3 2010/base/consumers-2-of-3 2010/base/consumers-3-of-3 2010/mc/draws-0000-0009 " +
			"2011/base/consumers-1-of-3 2011/base/consumers-2-of-3 2011/base/consumers-3-of-3 2011/mc/draws-0000-0009"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tasks, err := plan.Make(splitJob(), plan.Options{Run: "r", BlocksPerYear: tt.blocks, DrawsPerTask: 10})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, task := range tasks {
				got = append(got, strings.TrimPrefix(task.ID(), "j/"))
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("tasks\n%s\nwant\n%s", strings.Join(got, " "), tt.want)
			}
		})
	}
	for _, blocks := range []int{-1, plan.MaxBlocksPerYear + 1, 1_000_000_000} {
		_, err := plan.Make(splitJob(), plan.Options{Run: "r", BlocksPerYear: blocks})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%d blocks per year: want 0 to %d", blocks, plan.MaxBlocksPerYear)) {
			t.Errorf("%d blocks per year: error %v", blocks, err)
		}
	}
	if tasks, err := plan.Make(splitJob(), plan.Options{Run: "r", BlocksPerYear: plan.MaxBlocksPerYear}); err != nil || len(tasks) < plan.MaxBlocksPerYear {
		t.Errorf("%d blocks per year: %d tasks, error %v", plan.MaxBlocksPerYear, len(tasks), err)
	}
}

// TestMerges reports the blocks out of order and checks that the merge
// lists the parts, and the columns of L, in block order, only once all
// are final.
func TestMerges(t *testing.T) {
	tasks, err := plan.Make(splitJob(), plan.Options{Run: "r", BlocksPerYear: 3, DrawsPerTask: 10})
	if err != nil {
		t.Fatal(err)
	}
	m := plan.NewManifest("test", tasks, nil)
	report := func(year, block string, status plan.Status) {
		id := fmt.Sprintf("j/%s/base/%s", year, block)
		r := plan.Report{Task: id, Run: "r", Year: year, Scenario: "base", Block: block, Status: status}
		if status == plan.Done {
			r.Outputs = []plan.Output{
				{Account: plan.AccountSolve, Key: plan.BlockKey("j", year, "base", block)},
				{Account: plan.AccountInverse, Key: plan.InverseKey("j", year, "base", block)},
			}
		} else {
			r.Error = "boom"
		}
		if !m.Add(r) {
			t.Fatalf("report of %s not added", id)
		}
	}
	report("2010", "consumers-3-of-3", plan.Done)
	report("2010", "consumers-1-of-3", plan.Done)
	if got := m.Merges(); len(got) != 0 {
		t.Fatalf("merges %+v before the blocks are final", got)
	}
	report("2010", "consumers-2-of-3", plan.Done)
	report("2011", "consumers-2-of-3", plan.Failed)
	report("2011", "consumers-1-of-3", plan.Done)
	report("2011", "consumers-3-of-3", plan.Done)
	got := m.Merges()
	if len(got) != 2 {
		t.Fatalf("merges %+v, want 2", got)
	}
	var keys []string
	for _, p := range got[0].Parts {
		keys = append(keys, p.Key)
	}
	want := "j/year=2010/scenario=base/blocks/consumers-1-of-3.bin j/year=2010/scenario=base/blocks/consumers-2-of-3.bin j/year=2010/scenario=base/blocks/consumers-3-of-3.bin"
	if strings.Join(keys, " ") != want {
		t.Errorf("parts\n%s\nwant\n%s", strings.Join(keys, " "), want)
	}
	keys = nil
	for _, p := range got[0].Inverse {
		keys = append(keys, p.Key)
	}
	want = "j/year=2010/scenario=base/blocks/consumers-1-of-3.leontief.bin j/year=2010/scenario=base/blocks/consumers-2-of-3.leontief.bin j/year=2010/scenario=base/blocks/consumers-3-of-3.leontief.bin"
	if strings.Join(keys, " ") != want {
		t.Errorf("columns of L\n%s\nwant\n%s", strings.Join(keys, " "), want)
	}
	if got[1].Failed != "j/2011/base/consumers-2-of-3" || got[1].Parts != nil || got[1].Inverse != nil {
		t.Errorf("2011: %+v, want failed at block 2 with no parts", got[1])
	}
	m.AddMerge("2010", "base", "c", []plan.Output{{Account: "regions", Key: "k"}}, 1e-9, plan.Timings{}, nil)
	if got := m.Merges(); len(got) != 1 || got[0].Year != "2011" {
		t.Errorf("after the merge of 2010: %+v, want 2011 alone", got)
	}
}

// TestReuseMerge carries an earlier run's merge over, through its
// manifest as JSON, and finds the accounts of a (year, scenario) whether
// a whole task or a merge wrote them.
func TestReuseMerge(t *testing.T) {
	tasks, err := plan.Make(splitJob(), plan.Options{Run: "r1", BlocksPerYear: 3, DrawsPerTask: 10})
	if err != nil {
		t.Fatal(err)
	}
	regions := plan.Output{Account: "regions", Key: "j/year=2010/scenario=base/regions.arrow", SHA256: "aa"}
	first := plan.NewManifest("test", tasks, nil)
	first.AddMerge("2010", "base", "c1", []plan.Output{regions}, 1e-3, plan.Timings{Solve: 1}, nil)
	first.Warnings = append(first.Warnings, plan.TaskWarning{Task: "j/2010/base/merge", Year: "2010", Scenario: "base",
		Warning: plan.Warning{Kind: plan.LargeResidual, Message: "residual"}})
	old := decoded(t, first)

	tests := []struct {
		name           string
		year, scenario string
		want           string // the step found, "" for none
	}{
		{"merge", "2010", "base", "j/2010/base/merge"},
		{"no merge", "2011", "base", ""},
		{"monte carlo", "2010", "mc", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, outs, ok := old.AccountsDone(tt.year, tt.scenario)
			if ok != (tt.want != "") || rec.Task != tt.want {
				t.Fatalf("AccountsDone = %s, %v; want %q", rec.Task, ok, tt.want)
			}
			if ok && (len(outs) != 1 || outs[0] != regions) {
				t.Errorf("outputs %+v, want %+v", outs, regions)
			}
		})
	}

	for i := range tasks {
		tasks[i].Run = "r2"
	}
	m := plan.NewManifest("test", tasks, nil)
	rec, outs, _ := old.Done(plan.MergeID("j", "2010", "base"))
	m.ReuseMerge(old, rec, outs)
	got, gotOuts, ok := m.AccountsDone("2010", "base")
	if !ok || !got.Reused || got.Status != plan.Done || got.Worker != "c1" || got.Residual != 1e-3 || got.Timings != (plan.Timings{}) {
		t.Errorf("reused merge %+v, want done, reused, by c1, residual 1e-3, no timings", got)
	}
	if len(gotOuts) != 1 || gotOuts[0] != regions || !m.Outputs[len(m.Outputs)-1].Reused {
		t.Errorf("reused outputs %+v, want %+v marked reused", m.Outputs, regions)
	}
	if w := m.Warnings; len(w) != 1 || w[0].Task != "j/2010/base/merge" || w[0].Kind != plan.LargeResidual {
		t.Errorf("warnings %+v, want the merge's residual", w)
	}
	if mg := m.Merges(); len(mg) != 0 {
		t.Errorf("merges %+v left to do after the merge was reused", mg)
	}
	defer func() {
		if recover() == nil {
			t.Error("a second merge of 2010/base did not panic")
		}
	}()
	m.AddMerge("2010", "base", "c2", nil, 0, plan.Timings{}, nil)
}

// decoded is m as a later run reads it: encoded and decoded from JSON.
func decoded(t *testing.T, m *plan.Manifest) *plan.Manifest {
	t.Helper()
	data, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var old plan.Manifest
	if err := json.Unmarshal(data, &old); err != nil {
		t.Fatal(err)
	}
	return &old
}
