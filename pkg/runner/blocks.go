package runner

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/output"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/scenario"
	"github.com/mrioflow/mrioflow/pkg/spec"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// runConsumers carries out block b of count blocks of a year's consumers
// (plan.ConsumerBlock): the year's table (a copy of the cached one), the
// scenario's shocks, its own factorization of I - A, the solves for the
// block's consumers only, and for the multipliers too in block 0, stored
// as an accounts.Part at plan.BlockKey. When the job asks for leontief,
// the block's columns of L (accounts.InverseRange) are stored too, at
// plan.InverseKey; both objects or neither. The accounts themselves are
// the merge's (Runner.Merge).
func (r *Runner) runConsumers(ctx context.Context, task plan.Task, job *spec.Job, tb spec.Table, sc spec.Scenario, b, count int) (plan.Report, error) {
	rep := plan.NewReport(task)
	fail := func(step string, err error) (plan.Report, error) {
		return rep, &TaskError{Year: task.Year, Scenario: task.Scenario, Step: step, Err: err}
	}
	t, step, err := r.begin(ctx, task, tb, sc, job.Stressors, 0, b == 0, &rep) // warnings once per (year, scenario)
	if err != nil {
		return fail(step, err)
	}
	start := time.Now()
	lo, hi := plan.ConsumerRange(b, count, len(t.Consumers))
	opts := computeOptions(job, r.opts)
	part, err := accounts.SolvePart(t, lo, hi, b == 0, accounts.Options{Backend: opts.Backend, Leontief: opts.Leontief})
	if err != nil {
		return fail("solve", err)
	}
	rep.Timings.Solve += time.Since(start).Seconds()
	if err := ctx.Err(); err != nil {
		return fail("solve", err)
	}

	start = time.Now()
	st, err := r.store(ctx, task.Output)
	if err != nil {
		return fail("write", err)
	}
	data, err := part.MarshalBinary()
	if err != nil {
		return fail("write", err)
	}
	outs := []plan.Output{newOutput(plan.BlockKey(task.Job, task.Year, task.Scenario, task.Block), plan.AccountSolve, data, int64(hi-lo))}
	all := [][]byte{data}
	if part.Inverse != nil {
		c0, c1 := accounts.InverseRange(t, lo, hi)
		data, err := part.Inverse.MarshalBinary()
		if err != nil {
			return fail("write", err)
		}
		part.Inverse = nil // the bytes are all the put needs
		outs = append(outs, newOutput(plan.InverseKey(task.Job, task.Year, task.Scenario, task.Block), plan.AccountInverse, data, int64(c1-c0)))
		all = append(all, data)
	}
	if err := putAll(ctx, st, outs, all); err != nil {
		return fail("write", err)
	}
	rep.Outputs = outs
	rep.Timings.Write = time.Since(start).Seconds()
	return rep, nil
}

// Merge writes the accounts of every split (year, scenario) of m whose
// blocks of consumers are all done and that has no merge yet: the
// blocks' parts, read back and checked against the SHA-256 their blocks
// reported, put together in consumer order (accounts.Assemble) with the
// year's table, shocked as the blocks shocked it, and written as a
// single task writes them, to the same keys and, to the bit, with the
// same bytes. tasks are the run's tasks, for the spec. It records each
// merge in m (plan.Manifest.AddMerge), done or failed; a pair with a
// failed block records a failed merge that names the block.
func (r *Runner) Merge(ctx context.Context, m *plan.Manifest, tasks []plan.Task, worker string) {
	for _, mg := range m.Merges() {
		start := time.Now()
		i := slices.IndexFunc(tasks, func(t plan.Task) bool { return t.Year == mg.Year && t.Scenario == mg.Scenario })
		if i < 0 {
			panic(fmt.Sprintf("runner: merge of %s/%s without its tasks", mg.Year, mg.Scenario))
		}
		task := tasks[i]
		task.Block = plan.MergeBlock
		outs, res, err := r.merge(ctx, task, mg)
		resid, w := 0.0, (*plan.Warning)(nil)
		if res != nil {
			resid, w = residual(res.Residual, r.opts.ResidualWarn)
		}
		m.AddMerge(mg.Year, mg.Scenario, worker, outs, resid, plan.Timings{Solve: time.Since(start).Seconds()}, err)
		if w != nil && err == nil {
			m.Warnings = append(m.Warnings, plan.TaskWarning{Task: task.ID(), Year: task.Year, Scenario: task.Scenario, Warning: *w})
		}
	}
}

// merge assembles and writes one split (year, scenario).
func (r *Runner) merge(ctx context.Context, task plan.Task, mg plan.Merge) ([]plan.Output, *accounts.Result, error) {
	fail := func(step string, err error) ([]plan.Output, *accounts.Result, error) {
		return nil, nil, &TaskError{Year: task.Year, Scenario: task.Scenario, Step: step, Err: err}
	}
	if mg.Failed != "" {
		return fail("merge", fmt.Errorf("task %s failed, so the blocks are incomplete", mg.Failed))
	}
	st, err := r.store(ctx, task.Output)
	if err != nil {
		return fail("merge", err)
	}
	parts := make([]*accounts.Part, len(mg.Parts))
	for i, o := range mg.Parts {
		data, err := getChecked(ctx, st, o)
		if err != nil {
			return fail("merge", err)
		}
		parts[i] = &accounts.Part{}
		if err := parts[i].UnmarshalBinary(data); err != nil {
			return fail("merge", fmt.Errorf("%s: %w", o.Key, err))
		}
	}
	job, tb, sc, err := decode(task)
	if err != nil {
		return fail("read", err)
	}
	format, err := output.ParseFormat(task.Format)
	if err != nil {
		return fail("write", err)
	}
	t, _, err := r.table(ctx, tb, task.Input, job.Stressors, 0)
	if err != nil {
		return fail("read", err)
	}
	if err := scenario.Apply(t, shocks(sc)); err != nil {
		return fail("scenario", err)
	}
	opts := computeOptions(job, r.opts)
	res, err := accounts.Assemble(t, parts, opts)
	if err != nil {
		return fail("merge", err)
	}
	if opts.Leontief {
		res.Inverse = accounts.InverseOfBlocks(t.N(), inverseBlocks(ctx, st, mg.Inverse))
	}
	groups, err := jobGroups(res, job)
	if err != nil {
		return fail("merge", err)
	}
	outs, err := r.write(ctx, task, job.Accounts, format, res, groups)
	if err != nil {
		return fail("write", err)
	}
	return outs, res, nil
}

// inverseBlocks reads the blocks' columns of L, outs in column order, one
// at a time as the writer asks for them (accounts.InverseOfBlocks), each
// checked against the SHA-256 its block reported.
func inverseBlocks(ctx context.Context, st store.Store, outs []plan.Output) func(yield func(*accounts.InverseBlock) error) error {
	return func(yield func(*accounts.InverseBlock) error) error {
		for _, o := range outs {
			data, err := getChecked(ctx, st, o)
			if err != nil {
				return err
			}
			var b accounts.InverseBlock
			if err := b.UnmarshalBinary(data); err != nil {
				return fmt.Errorf("%s: %w", o.Key, err)
			}
			if err := yield(&b); err != nil {
				return err
			}
		}
		return nil
	}
}
