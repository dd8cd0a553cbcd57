package plan

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
)

// The names of the steps of a year split into blocks of consumers.
const (
	// MergeBlock is the block of the step that merges a split (year,
	// scenario) once every block of consumers is done. The coordinator
	// takes that step itself; it is never published as a task.
	MergeBlock = "merge"
	// AccountSolve is a block's partial output: accounts.Part in binary
	// form, at BlockKey.
	AccountSolve = "solve"
	// AccountInverse is a block's columns of the Leontief inverse, when
	// the job asks for it: accounts.InverseBlock in binary form, at
	// InverseKey.
	AccountInverse = "inverse"
)

// ConsumerBlock names block b (from 0) of count blocks of a year's
// consumers, 1-based in the name: consumers-1-of-3. Block b takes the
// consumers from b R' / count up to (b+1) R' / count, so the plan needs
// no table to be read.
func ConsumerBlock(b, count int) string {
	if count < 1 || b < 0 || b >= count {
		panic(fmt.Sprintf("plan: consumer block %d of %d", b, count))
	}
	return fmt.Sprintf("consumers-%d-of-%d", b+1, count)
}

// ParseConsumerBlock returns the block (from 0) and the number of blocks
// of a block named by ConsumerBlock; ok is false for any other block.
func ParseConsumerBlock(block string) (b, count int, ok bool) {
	rest, ok := strings.CutPrefix(block, "consumers-")
	if !ok {
		return 0, 0, false
	}
	lo, hi, ok := strings.Cut(rest, "-of-")
	if !ok {
		return 0, 0, false
	}
	x, err1 := strconv.Atoi(lo)
	n, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || n < 1 || x < 1 || x > n || ConsumerBlock(x-1, n) != block {
		return 0, 0, false
	}
	return x - 1, n, true
}

// ConsumerRange returns the consumers [lo, hi) of block b of count blocks
// of rp consumers: nearly equal, in consumer order, together all of them.
func ConsumerRange(b, count, rp int) (lo, hi int) {
	return b * rp / count, (b + 1) * rp / count
}

// BlockKey is the store key of a block's partial output:
// <job>/year=<year>/scenario=<scenario>/blocks/<block>.bin.
func BlockKey(job, year, scenario, block string) string {
	return path.Join(job, "year="+year, "scenario="+scenario, "blocks", block+".bin")
}

// InverseKey is the store key of a block's columns of the Leontief
// inverse: <job>/year=<year>/scenario=<scenario>/blocks/<block>.leontief.bin.
func InverseKey(job, year, scenario, block string) string {
	return path.Join(job, "year="+year, "scenario="+scenario, "blocks", block+".leontief.bin")
}

// Merge is one split (year, scenario) whose blocks are all final: the
// partial outputs of its blocks, in block order, when every block is done.
type Merge struct {
	Year, Scenario string
	// Parts are the blocks' partial outputs in block order; nil when a
	// block failed.
	Parts []Output
	// Inverse are the blocks' columns of the Leontief inverse in block
	// order, which is column order; nil when the job does not ask for
	// it or a block failed.
	Inverse []Output
	// Failed names the first block that failed, if one did.
	Failed string
}

// Merges lists the split (year, scenario) pairs of m, in task order, whose
// blocks of consumers are all final, with what their blocks wrote. A pair
// with a merge recorded already (AddMerge) is left out.
func (m *Manifest) Merges() []Merge {
	var out []Merge
	for _, set := range m.finalBlocks(MergeBlock, func(b string) bool { _, _, ok := ParseConsumerBlock(b); return ok }) {
		mg := Merge{Year: set.year, Scenario: set.scenario, Failed: set.failed}
		for _, o := range set.outputs {
			switch o.Account {
			case AccountSolve:
				mg.Parts = append(mg.Parts, o.Output)
			case AccountInverse:
				mg.Inverse = append(mg.Inverse, o.Output)
			}
		}
		out = append(out, mg)
	}
	return out
}

// blockSet is a (year, scenario) run as several tasks whose outputs a
// step of the coordinator puts together.
type blockSet struct {
	year, scenario string
	failed         string       // the first block that failed, if one did
	outputs        []TaskOutput // in task order; nil when a block failed
}

// finalBlocks lists, in task order, the (year, scenario) pairs of m whose
// blocks (the tasks whose block isBlock) are all final and that have no
// record of the step yet.
func (m *Manifest) finalBlocks(step string, isBlock func(string) bool) []blockSet {
	var out []blockSet
	at := map[[2]string]int{} // year, scenario -> index in out
	open := map[[2]string]bool{}
	for _, rec := range m.Tasks {
		key := [2]string{rec.Year, rec.Scenario}
		if rec.Block == step {
			open[key] = true // recorded already: leave out below
			continue
		}
		if !isBlock(rec.Block) {
			continue
		}
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, blockSet{year: rec.Year, scenario: rec.Scenario})
		}
		switch rec.Status {
		case Failed:
			if out[i].failed == "" {
				out[i].failed = rec.Task
			}
		case Done:
		default:
			open[key] = true
		}
	}
	// Outputs are in the order the reports came; blocks go in task order.
	outs := slices.Clone(m.Outputs)
	sortStable(outs, func(o TaskOutput) int { return m.index[o.Task] })
	for _, o := range outs {
		if i, ok := at[[2]string{o.Year, o.Scenario}]; ok && isBlock(m.Tasks[m.index[o.Task]].Block) {
			out[i].outputs = append(out[i].outputs, o)
		}
	}
	kept := out[:0]
	for _, s := range out {
		if open[[2]string{s.year, s.scenario}] {
			continue
		}
		if s.failed != "" {
			s.outputs = nil
		}
		kept = append(kept, s)
	}
	return kept
}

// AddMerge records the merge of a split (year, scenario), which the
// coordinator takes itself once every block is final: a task record of
// block MergeBlock, done with the account outputs, or failed with err.
// It panics when the step is recorded already.
func (m *Manifest) AddMerge(year, scenario, worker string, outs []Output, residual float64, timings Timings, err error) {
	m.addStep(TaskRecord{Year: year, Scenario: scenario, Block: MergeBlock, Worker: worker, Residual: residual, Timings: timings}, outs, err)
}

// ReuseMerge records the merge of a split (year, scenario) as old, the
// manifest of an earlier run, recorded it: rec and outs are what
// old.Done gives for the merge (MergeID). The record is done and
// reused, with old's outputs, residual and worker, no timings of its
// own, and the warnings old gave the merge. The caller answers for the
// merge's inputs being unchanged: every block of the pair reused. It
// panics when the step is recorded already.
func (m *Manifest) ReuseMerge(old *Manifest, rec TaskRecord, outs []Output) {
	m.reuseStep("ReuseMerge", MergeBlock, old, rec, outs)
}

// reuseStep records rec, a step of block (MergeBlock, SummaryBlock) that
// old recorded done with outs, as done and reused, with old's warnings
// of it; fn names the caller in the panic when rec is of another block.
func (m *Manifest) reuseStep(fn, block string, old *Manifest, rec TaskRecord, outs []Output) {
	if rec.Block != block {
		panic(fmt.Sprintf("plan: %s of %s, not a %s step", fn, rec.Task, block))
	}
	id := m.addStep(TaskRecord{Year: rec.Year, Scenario: rec.Scenario, Block: block, Worker: rec.Worker, Residual: rec.Residual, Reused: true}, outs, nil)
	for _, w := range old.Warnings {
		if w.Task == rec.Task {
			w.Task = id
			m.Warnings = append(m.Warnings, w)
		}
	}
}

// MergeID is the name of the merge of a split (year, scenario) in job's
// manifest: job/year/scenario/merge.
func MergeID(job, year, scenario string) string {
	return Task{Job: job, Year: year, Scenario: scenario, Block: MergeBlock}.ID()
}

// AccountsDone returns the record and outputs of the step of m that
// wrote the accounts of (year, scenario): its whole task (Block), or the
// merge of its blocks of consumers (MergeBlock), whichever m holds done;
// ok is false when neither is. The files and their schema are the same
// either way, so a run split into blocks compares with one that was not.
// It works on a manifest decoded from JSON as well.
func (m *Manifest) AccountsDone(year, scenario string) (rec TaskRecord, outs []Output, ok bool) {
	for _, id := range []string{Task{Job: m.Job, Year: year, Scenario: scenario, Block: Block}.ID(), MergeID(m.Job, year, scenario)} {
		if rec, outs, ok = m.Done(id); ok {
			return rec, outs, true
		}
	}
	return TaskRecord{}, nil, false
}

// addStep records a step the coordinator takes itself (see AddMerge), of
// rec's year, scenario and block, and returns its id: done with outs, or
// failed with err. The outputs are reused when rec is.
func (m *Manifest) addStep(rec TaskRecord, outs []Output, err error) string {
	id := Task{Job: m.Job, Year: rec.Year, Scenario: rec.Scenario, Block: rec.Block}.ID()
	if _, ok := m.index[id]; ok {
		panic(fmt.Sprintf("plan: step %s recorded twice", id))
	}
	rec.Task, rec.Status = id, Done
	if err != nil {
		rec.Status, rec.Reused = Failed, false
		m.Failures = append(m.Failures, Failure{Task: id, Year: rec.Year, Scenario: rec.Scenario, Error: err.Error()})
	} else {
		for _, o := range outs {
			m.Outputs = append(m.Outputs, TaskOutput{Task: id, Year: rec.Year, Scenario: rec.Scenario, Reused: rec.Reused, Output: o})
		}
	}
	m.index[id] = len(m.Tasks)
	m.Tasks = append(m.Tasks, rec)
	return id
}

// consumerTasks returns the tasks of one (year, scenario) split into
// count blocks of consumers.
func consumerTasks(base Task, count int) []Task {
	out := make([]Task, count)
	for b := range out {
		out[b] = base
		out[b].Block = ConsumerBlock(b, count)
	}
	return out
}
