package runner_test

import (
	"bytes"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/output"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// newNightlyMonteCarlo is the nightly job with a third scenario, wide:
// 12 draws with per_draw, run in blocks of mcPerTask.
func newNightlyMonteCarlo(t *testing.T) *nightly {
	n := newNightly(t)
	n.j.Scenarios = append(n.j.Scenarios, spec.Scenario{Name: "wide",
		Shocks:     []spec.Shock{{Target: spec.TargetS, Region: "reg1", Sector: "electricity", Scale: 0.7}},
		MonteCarlo: &spec.MonteCarlo{Draws: 12, Seed: 11, PerDraw: true, Sigma: spec.Sigma{S: 0.2, Y: 0.05, A: 0.1}}})
	n.j.SetDefaults()
	return n
}

// mcPerTask is the block size of the runs of newNightlyMonteCarlo: three
// blocks of wide per year.
const mcPerTask = 5

// drawTasks names the tasks of wide's blocks of size in year, given its
// draws.
func drawTasks(year string, draws, size int) []string {
	var out []string
	for _, b := range plan.DrawBlocks(draws, size) {
		out = append(out, plan.Task{Job: "t", Year: year, Scenario: "wide", Block: b}.ID())
	}
	return out
}

// summaryFiles reads wide's summary of each year from disk.
func (n *nightly) summaryFiles(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, y := range []string{"2010", "2011"} {
		key := path.Join(n.j.Job, output.Key(y, "wide", output.Summary, output.Arrow))
		data, err := os.ReadFile(filepath.Join(n.j.Output, filepath.FromSlash(key)))
		if err != nil {
			t.Fatal(err)
		}
		out[y] = data
	}
	return out
}

// checkSummaries compares wide's summaries on disk with want, year by
// year: equal to the byte, or, for the years in differ, not.
func (n *nightly) checkSummaries(t *testing.T, want map[string][]byte, differ ...string) {
	t.Helper()
	for y, data := range n.summaryFiles(t) {
		if same := bytes.Equal(data, want[y]); same == slices.Contains(differ, y) {
			t.Errorf("summary of %s/wide: the same bytes as before %v, want %v", y, same, !same)
		}
	}
}

// reusedTasks lists the tasks and steps m records reused, sorted.
func reusedTasks(m *plan.Manifest) []string {
	var out []string
	for _, r := range m.Tasks {
		if r.Reused {
			out = append(out, r.Task)
		}
	}
	slices.Sort(out)
	return out
}

// TestNightlyMonteCarlo runs a job with a Monte Carlo scenario again and
// again: unchanged blocks of draws are reused, with the summary over
// them; a block whose part or per-draw file is damaged or gone is
// computed again, and the summary rebuilt from the reused and new parts
// is the one a fresh run writes; a new seed or a changed table computes
// the blocks of the scenarios or years concerned only, and the change
// report compares their summaries' means.
func TestNightlyMonteCarlo(t *testing.T) {
	n := newNightlyMonteCarlo(t)
	opts := runner.CoordinateOptions{DrawsPerTask: mcPerTask}
	first, ran := n.run(t, opts)
	if len(ran) != 10 || first.Reused() != 0 {
		t.Fatalf("first run: computed %v, reused %d; want all 10 computed", ran, first.Reused())
	}
	fresh := n.summaryFiles(t)
	last := first

	t.Run("unchanged", func(t *testing.T) {
		m, ran := n.run(t, opts)
		if len(ran) != 0 || m.Reused() != 12 {
			t.Fatalf("computed %v, reused %d; want none computed, 10 tasks and 2 summaries reused", ran, m.Reused())
		}
		n.checkReusedAll(t, m, first)
		n.checkSummaries(t, fresh)
		if stale := warningsOf(m, plan.Stale); len(stale) != 0 {
			t.Errorf("stale objects %v: the parts, units and draws' files are the run's", stale)
		}
		last = m
	})

	// Each case damages one output of the last run: the block (or step)
	// that wrote it is done again, the rest reused, and every output
	// ends as it was.
	wide := func(year, rest string) string { return "t/year=" + year + "/scenario=wide/" + rest }
	for _, tt := range []struct {
		name     string
		key      string
		remove   bool
		computed []string // tasks a worker computes
		summary  string   // the summary done again
	}{
		{"part corrupted", wide("2010", "draws/draws-0005-0009.bin"), false,
			[]string{"t/2010/wide/draws-0005-0009"}, "t/2010/wide/summary"},
		{"per-draw file removed", wide("2011", "draw=10/regions.arrow"), true,
			[]string{"t/2011/wide/draws-0010-0011"}, "t/2011/wide/summary"},
		{"units removed", wide("2011", "draws/units.json"), true,
			[]string{"t/2011/wide/draws-0000-0004"}, "t/2011/wide/summary"},
		{"summary removed", wide("2010", "summary.arrow"), true,
			nil, "t/2010/wide/summary"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(n.j.Output, filepath.FromSlash(tt.key))
			if tt.remove {
				if err := os.Remove(file); err != nil {
					t.Fatal(err)
				}
			} else {
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				data[len(data)/2] ^= 1
				if err := os.WriteFile(file, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, ran := n.run(t, opts)
			if !slices.Equal(ran, tt.computed) {
				t.Fatalf("computed %v, want %v", ran, tt.computed)
			}
			for _, r := range m.Tasks {
				if r.Reused == (slices.Contains(tt.computed, r.Task) || r.Task == tt.summary) {
					t.Errorf("task %s reused %v", r.Task, r.Reused)
				}
			}
			if got, want := outputSums(m), outputSums(first); !maps.Equal(got, want) {
				t.Errorf("outputs differ from the first run's:\n got %v\nwant %v", got, want)
			}
			n.checkSummaries(t, fresh)
			rep := n.changes(t)
			if tt.name == "summary removed" {
				// Nothing to compare with: the old summary is gone.
				if len(rep.Tasks) != 0 {
					t.Errorf("change report compares %v, want none", rep.Tasks)
				}
			} else {
				checkSame(t, rep, []string{tt.summary})
			}
			for _, row := range rep.Rows {
				if row.Statistic != "mean" {
					t.Errorf("row %+v of a summary without statistic mean", row)
				}
			}
			last = m
		})
	}

	t.Run("seed changed", func(t *testing.T) {
		n.j.Scenarios[2].MonteCarlo.Seed = 12
		m, ran := n.run(t, opts)
		want := append(drawTasks("2010", 12, mcPerTask), drawTasks("2011", 12, mcPerTask)...)
		if !slices.Equal(ran, want) || m.Reused() != 4 {
			t.Fatalf("computed %v, reused %d; want %v computed, baseline and cleaner reused", ran, m.Reused(), want)
		}
		n.checkSummaries(t, fresh, "2010", "2011")
		rep := n.changes(t)
		if wantTasks := []string{"t/2010/wide/summary", "t/2011/wide/summary"}; !slices.Equal(rep.Tasks, wantTasks) {
			t.Errorf("change report compares %v, want %v", rep.Tasks, wantTasks)
		}
		moved := 0
		for _, row := range rep.Rows {
			if row.Scenario != "wide" || row.Statistic != "mean" {
				t.Errorf("row %+v, want wide's means only", row)
			}
			if v := row.Accounts["production"]; v.Relative != nil && *v.Relative != 0 {
				moved++
			}
		}
		if moved == 0 {
			t.Errorf("no mean production moved with another seed (%d rows)", len(rep.Rows))
		}
		last = m
	})
	fresh = n.summaryFiles(t) // of seed 12

	t.Run("one year changed", func(t *testing.T) {
		n.scale2011(t)
		m, ran := n.run(t, runner.CoordinateOptions{DrawsPerTask: mcPerTask, ChangeThreshold: scaledThreshold})
		want := append([]string{"t/2011/baseline/all", "t/2011/cleaner/all"}, drawTasks("2011", 12, mcPerTask)...)
		if !slices.Equal(ran, want) || m.Reused() != 6 {
			t.Fatalf("computed %v, reused %d; want %v computed, 2010's 5 tasks and summary reused", ran, m.Reused(), want)
		}
		n.checkSummaries(t, fresh, "2011")
		rep := n.changes(t)
		checkScaled2011(t, rep, m, []string{"t/2011/baseline/all", "t/2011/cleaner/all", "t/2011/wide/summary"})
		flagged := false
		for _, row := range rep.Rows {
			if row.Scenario == "wide" && row.Stressor == "emission_type1/air" && row.Region == "reg2" {
				flagged = row.Statistic == "mean" && row.Accounts["production"].Flag == runner.FlagThreshold
			}
		}
		if !flagged {
			t.Error("wide's mean production of emission_type1 in reg2 not flagged")
		}
		last = m
	})
	fresh = n.summaryFiles(t) // of the changed table

	t.Run("recompute all", func(t *testing.T) {
		m, ran := n.run(t, runner.CoordinateOptions{DrawsPerTask: mcPerTask, RecomputeAll: true})
		if len(ran) != 10 || m.Reused() != 0 {
			t.Fatalf("computed %v, reused %d; want all 10 computed", ran, m.Reused())
		}
		if got, want := outputSums(m), outputSums(last); !maps.Equal(got, want) {
			t.Errorf("outputs differ from the last run's:\n got %v\nwant %v", got, want)
		}
		n.checkSummaries(t, fresh)
		checkSame(t, n.changes(t), []string{"t/2010/baseline/all", "t/2010/cleaner/all", "t/2010/wide/summary",
			"t/2011/baseline/all", "t/2011/cleaner/all", "t/2011/wide/summary"})
	})

	// Blocks of another size have other names: none is reused, and what
	// the old blocks wrote that the new ones do not is stale. Blocks of
	// another size draw the same, and so summarize the same. A block's
	// digest leaves out the draw count: fewer or more draws reuse the
	// blocks whose draws they still have.
	var stale5 []string // the parts of the blocks of mcPerTask
	for _, y := range []string{"2010", "2011"} {
		for _, b := range plan.DrawBlocks(12, mcPerTask) {
			stale5 = append(stale5, plan.PartKey("t", y, "wide", b))
		}
	}
	var stale10, stale16 []string
	for _, y := range []string{"2010", "2011"} {
		// After blocks of 4 of 12 draws, 10 draws: the last part, draws
		// 10 and 11.
		stale10 = append(stale10, plan.PartKey("t", y, "wide", "draws-0008-0011"))
		for _, d := range []int{10, 11} {
			for _, acct := range []string{output.Flows, output.Regions} {
				stale10 = append(stale10, path.Join("t", output.DrawKey(y, "wide", d, acct, output.Arrow)))
			}
		}
		// Then 16: the part of draws 8 and 9, whose files the block of
		// draws 8 to 11 writes again.
		stale16 = append(stale16, plan.PartKey("t", y, "wide", "draws-0008-0009"))
	}
	lastBlocks := func(draws, size, from int) []string {
		var out []string
		for _, y := range []string{"2010", "2011"} {
			out = append(out, drawTasks(y, draws, size)[from:]...)
		}
		return out
	}
	for _, tt := range []struct {
		name          string
		draws, size   int
		computed      []string
		reused        int // tasks and steps
		differ, stale []string
	}{
		{"block size changed", 12, 4, lastBlocks(12, 4, 0), 4, nil, stale5},
		{"fewer draws", 10, 4, lastBlocks(10, 4, 2), 8, []string{"2010", "2011"}, append(slices.Clone(stale5), stale10...)},
		{"more draws", 16, 4, lastBlocks(16, 4, 2), 8, []string{"2010", "2011"}, append(slices.Clone(stale5), stale16...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n.j.Scenarios[2].MonteCarlo.Draws = tt.draws
			m, ran := n.run(t, runner.CoordinateOptions{DrawsPerTask: tt.size})
			want := slices.Clone(tt.computed)
			slices.Sort(want)
			if !slices.Equal(ran, want) || m.Reused() != tt.reused {
				t.Fatalf("computed %v, reused %d; want %v computed, %d reused", ran, m.Reused(), want, tt.reused)
			}
			n.checkSummaries(t, fresh, tt.differ...)
			stale := warningsOf(m, plan.Stale)
			slices.Sort(stale)
			slices.Sort(tt.stale)
			if !slices.Equal(stale, tt.stale) {
				t.Errorf("stale objects\n%v\nwant\n%v", stale, tt.stale)
			}
		})
	}

	// The summaries over reused and new blocks are those of a run that
	// computes every draw.
	t.Run("more draws, all computed", func(t *testing.T) {
		grown := n.summaryFiles(t)
		m, ran := n.run(t, runner.CoordinateOptions{DrawsPerTask: 4, RecomputeAll: true})
		if len(ran) != 4+len(lastBlocks(16, 4, 0)) || m.Reused() != 0 {
			t.Fatalf("computed %v, reused %d; want everything computed", ran, m.Reused())
		}
		n.checkSummaries(t, grown)
	})
}
