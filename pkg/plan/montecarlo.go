package plan

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/spec"
)

// DrawsPerTask is how many draws of a Monte Carlo scenario one task
// computes when Options.DrawsPerTask is 0.
const DrawsPerTask = 250

// SummaryBlock is the block of the step that summarizes a Monte Carlo
// scenario once every block of its draws is done. The coordinator takes
// that step itself; it is never published as a task.
const SummaryBlock = "summary"

// The accounts of the objects a block of draws writes.
const (
	// AccountDraws is a block's samples, montecarlo.Samples in binary
	// form, at PartKey.
	AccountDraws = "draws"
	// AccountUnits is the unit of every stressor of the year's table, as
	// Units in JSON at UnitsKey, written by the block of draw 0.
	AccountUnits = "units"
)

// Units holds the unit of every stressor of a table, by extension and
// stressor, as written at UnitsKey.
type Units []Unit

// Unit is the unit of one stressor.
type Unit struct {
	Extension string `json:"extension"`
	Stressor  string `json:"stressor"`
	Unit      string `json:"unit"`
}

// Map returns u keyed by {extension, stressor}.
func (u Units) Map() map[[2]string]string {
	out := make(map[[2]string]string, len(u))
	for _, x := range u {
		out[[2]string{x.Extension, x.Stressor}] = x.Unit
	}
	return out
}

// DrawBlock names the block of count draws from first on, with four
// digits or more: draws-0000-0249.
func DrawBlock(first, count int) string {
	if first < 0 || count < 1 {
		panic(fmt.Sprintf("plan: block of %d draws from %d", count, first))
	}
	return fmt.Sprintf("draws-%04d-%04d", first, first+count-1)
}

// ParseDrawBlock returns the first draw and the number of draws of a
// block named by DrawBlock; ok is false for any other block.
func ParseDrawBlock(block string) (first, count int, ok bool) {
	rest, ok := strings.CutPrefix(block, "draws-")
	if !ok {
		return 0, 0, false
	}
	lo, hi, ok := strings.Cut(rest, "-")
	if !ok || len(lo) < 4 || len(hi) < 4 {
		return 0, 0, false
	}
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || a < 0 || b < a || DrawBlock(a, b-a+1) != block {
		return 0, 0, false
	}
	return a, b - a + 1, true
}

// DrawBlocks splits draws into blocks of size draws (the last one
// smaller), as block names. It panics when size < 1.
func DrawBlocks(draws, size int) []string {
	if size < 1 {
		panic(fmt.Sprintf("plan: %d draws per task", size))
	}
	var out []string
	for first := 0; first < draws; first += size {
		out = append(out, DrawBlock(first, min(size, draws-first)))
	}
	return out
}

// PartKey is the store key of a block's samples:
// <job>/year=<year>/scenario=<scenario>/draws/<block>.bin.
func PartKey(job, year, scenario, block string) string {
	return path.Join(drawsDir(job, year, scenario), block+".bin")
}

// UnitsKey is the store key of the units of a Monte Carlo scenario's
// table: <job>/year=<year>/scenario=<scenario>/draws/units.json.
func UnitsKey(job, year, scenario string) string {
	return path.Join(drawsDir(job, year, scenario), "units.json")
}

func drawsDir(job, year, scenario string) string {
	return path.Join(job, "year="+year, "scenario="+scenario, "draws")
}

// Summary is one Monte Carlo scenario of one year whose blocks of draws
// are all final: the outputs of its blocks, in draw order, when every
// block is done.
type Summary struct {
	Year, Scenario string
	Format         string
	// Parts are the samples of the blocks, one per block in draw order,
	// and Units the units of the table; both nil when a block failed.
	Parts []Output
	Units *Output
	// Failed names the first block that failed, if one did.
	Failed string
}

// Summaries lists the Monte Carlo scenarios of m, in task order, whose
// blocks are all final, with what their blocks wrote. A scenario with a
// summary recorded already (AddSummary) is left out.
func (m *Manifest) Summaries() []Summary {
	var out []Summary
	for _, set := range m.finalBlocks(SummaryBlock, func(b string) bool { _, _, ok := ParseDrawBlock(b); return ok }) {
		s := Summary{Year: set.year, Scenario: set.scenario, Format: m.Format, Failed: set.failed}
		for _, o := range set.outputs {
			switch o.Account {
			case AccountDraws:
				s.Parts = append(s.Parts, o.Output)
			case AccountUnits:
				u := o.Output
				s.Units = &u
			}
		}
		out = append(out, s)
	}
	return out
}

// AddSummary records the summary step of a Monte Carlo scenario, which the
// coordinator takes itself once every block of draws is final: a task
// record of block SummaryBlock, done with its output, or failed with err.
// It panics when the step is recorded already.
func (m *Manifest) AddSummary(year, scenario, worker string, out *Output, timings Timings, err error) {
	var outs []Output
	if out != nil {
		outs = []Output{*out}
	}
	m.addStep(TaskRecord{Year: year, Scenario: scenario, Block: SummaryBlock, Worker: worker, Timings: timings}, outs, err)
}

// SummaryID is the name of the summary of a Monte Carlo (year, scenario)
// in job's manifest: job/year/scenario/summary.
func SummaryID(job, year, scenario string) string {
	return Task{Job: job, Year: year, Scenario: scenario, Block: SummaryBlock}.ID()
}

// ReuseSummary records the summary of a Monte Carlo (year, scenario) as
// old, the manifest of an earlier run, recorded it: rec and outs are
// what old.Done gives for the summary (SummaryID). The record is done
// and reused, with old's output and worker, no timings of its own, and
// the warnings old gave it. The caller answers for the summary's inputs
// being unchanged: every block of draws of the pair reused. It panics
// when rec is no summary or the step is recorded already.
func (m *Manifest) ReuseSummary(old *Manifest, rec TaskRecord, outs []Output) {
	m.reuseStep("ReuseSummary", SummaryBlock, old, rec, outs)
}

// drawTasks returns the tasks of one Monte Carlo scenario of one year: one
// per block of size draws.
func drawTasks(base Task, mc *spec.MonteCarlo, size int) []Task {
	var out []Task
	for _, b := range DrawBlocks(mc.Draws, size) {
		t := base
		t.Block = b
		out = append(out, t)
	}
	return out
}
