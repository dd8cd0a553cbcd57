package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/output"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// previousManifest reads the job's manifest in the store, the record of
// the run before this one; nil when there is none or it cannot be read
// (reported to OnError: the run then recomputes everything).
func (c *coordination) previousManifest(ctx context.Context) *plan.Manifest {
	data, err := c.store.Get(ctx, plan.ManifestKey(c.job.Job))
	if errors.Is(err, store.ErrNotExist) {
		return nil
	}
	if err != nil {
		c.opts.OnError(fmt.Errorf("runner: job %s: read the previous manifest: %w", c.job.Job, err))
		return nil
	}
	var old plan.Manifest
	if err := json.Unmarshal(data, &old); err != nil {
		c.opts.OnError(fmt.Errorf("runner: job %s: previous manifest %s: %w", c.job.Job, plan.ManifestKey(c.job.Job), err))
		return nil
	}
	return &old
}

// complete reports whether old is the record of a complete run: every
// task done, none failed, not interrupted.
func complete(old *plan.Manifest) bool {
	return !old.Interrupted && !old.Finished.IsZero() && old.Pending() == 0 && len(old.Failures) == 0
}

// digests records each task's plan.TaskDigest in m.
func (c *coordination) digests(m *plan.Manifest) {
	for i, t := range c.tasks {
		m.Tasks[i].Digest = plan.TaskDigest(t, output.SchemaVersion)
	}
}

// reuse returns the reports of the tasks of m that need not run: old,
// a complete run, did the task with the same digest and each of its
// outputs is still in the store with the bytes and SHA-256 recorded. A
// block of consumers or of draws is reused as a whole task is, its part
// (with a block of draws, its units and per-draw files too) being its
// output. A (year, scenario) whose blocks are all reused reuses old's
// step over them as well, the merge of a split year or the summary of
// a Monte Carlo scenario (returned as old.Done gives them), when its
// files are in place: the blocks' digests cover all the step reads.
// Otherwise the step is taken again, from the reused and the new parts.
func (c *coordination) reuse(ctx context.Context, old *plan.Manifest, m *plan.Manifest) ([]plan.Report, []reusedStep) {
	if c.opts.RecomputeAll || old == nil || !complete(old) {
		return nil, nil
	}
	intact := func(outs []plan.Output) bool {
		for _, o := range outs {
			// Correctness first: the whole object is read and hashed.
			// TODO(reuse-stat): a store that reports an object's size and
			// checksum without reading it would make this cheap.
			if _, err := getChecked(ctx, c.store, o); err != nil {
				return false
			}
		}
		return len(outs) > 0
	}
	var reports []plan.Report
	var sets []blockSet      // pairs run as blocks, in task order
	whole := map[pair]bool{} // such a pair -> every block reused so far
	for i, t := range c.tasks {
		step := stepOf(t.Block)
		if t.Block != plan.Block && step == "" {
			continue
		}
		p := pair{t.Year, t.Scenario}
		if _, seen := whole[p]; step != "" && !seen {
			sets = append(sets, blockSet{p, step})
			whole[p] = true
		}
		digest := m.Tasks[i].Digest
		rec, outs, ok := old.Done(t.ID())
		if digest == "" || !ok || rec.Digest != digest || !intact(outs) {
			whole[p] = false
			continue
		}
		reports = append(reports, plan.ReuseReport(t, old, rec, outs))
	}
	var steps []reusedStep
	for _, s := range sets {
		if !whole[s.pair] {
			continue
		}
		id := plan.Task{Job: old.Job, Year: s.year, Scenario: s.scenario, Block: s.step}.ID()
		if rec, outs, ok := old.Done(id); ok && intact(outs) {
			steps = append(steps, reusedStep{rec, outs})
		}
	}
	return reports, steps
}

// stepOf is the block of the coordinator's step over a task's block:
// plan.MergeBlock for a block of consumers, plan.SummaryBlock for a
// block of draws, "" for any other.
func stepOf(block string) string {
	if _, _, ok := plan.ParseConsumerBlock(block); ok {
		return plan.MergeBlock
	}
	if _, _, ok := plan.ParseDrawBlock(block); ok {
		return plan.SummaryBlock
	}
	return ""
}

// pair is a (year, scenario) of a job.
type pair struct{ year, scenario string }

// blockSet is a pair run as blocks, with the block of the step that puts
// them together (stepOf).
type blockSet struct {
	pair
	step string
}

// reusedStep is the merge or the summary of an earlier run that a run
// carries over.
type reusedStep struct {
	rec  plan.TaskRecord
	outs []plan.Output
}

// carry records the reused tasks' reports in m and in the job's state,
// so that a resumed run finds them final, and the reused merges and
// summaries in m: those a resumed run does again, from the reused parts.
func (c *coordination) carry(ctx context.Context, m *plan.Manifest, reports []plan.Report, steps []reusedStep) {
	for _, s := range steps {
		if s.rec.Block == plan.SummaryBlock {
			m.ReuseSummary(c.previous, s.rec, s.outs)
		} else {
			m.ReuseMerge(c.previous, s.rec, s.outs)
		}
	}
	for _, r := range reports {
		r.Run = m.Run
		if !m.Add(r) {
			continue
		}
		err := persist(ctx, serverOutage, func(ctx context.Context) error { return c.b.SetTask(ctx, bus.ReportState(r)) })
		if err != nil {
			c.opts.OnError(err)
		}
	}
}
