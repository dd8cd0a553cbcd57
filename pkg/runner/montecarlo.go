package runner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"time"

	"github.com/mrioflow/mrioflow/pkg/montecarlo"
	"github.com/mrioflow/mrioflow/pkg/output"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/scenario"
	"github.com/mrioflow/mrioflow/pkg/spec"
	"github.com/mrioflow/mrioflow/pkg/store"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// runDraws carries out one block of a Monte Carlo scenario's draws: the
// year's table (cached), the scenario's shocks on a copy, its files of
// per-entry sigmas read against it (checked against the task's input,
// ErrChanged when they differ), the draws
// first, ..., first+count-1 (montecarlo.Engine.Run), and their samples
// stored whole at plan.PartKey. The block of draw 0 also stores the
// stressors' units at plan.UnitsKey, for the summary. With per_draw, the
// block also writes each draw's regions and flows accounts at
// output.DrawKey (montecarlo.Engine.Result), listed among its outputs.
func (r *Runner) runDraws(ctx context.Context, task plan.Task, tb spec.Table, sc spec.Scenario, stressors []string, first, count int) (plan.Report, error) {
	rep := plan.NewReport(task)
	fail := func(step string, err error) (plan.Report, error) {
		return rep, &TaskError{Year: task.Year, Scenario: task.Scenario, Step: step, Err: err}
	}
	if sc.MonteCarlo == nil {
		return fail("read", fmt.Errorf("block %s of a scenario without montecarlo", task.Block))
	}

	// The blocks of a scenario are not counted among the year's uses: each
	// copies the cached table (usesPerYear).
	t, step, err := r.begin(ctx, task, tb, sc, stressors, 0, true, &rep)
	if err != nil {
		return fail(step, err)
	}
	start := time.Now()
	mc := sc.MonteCarlo
	if first+count > mc.Draws {
		return fail("scenario", fmt.Errorf("block %s reaches past the scenario's %d draws", task.Block, mc.Draws))
	}
	sigma, _, err := r.sigma(ctx, sc, t, task.Input)
	if err != nil {
		return fail("read", err)
	}
	units := tableUnits(t)
	e, err := montecarlo.New(t, scenario.MonteCarlo{
		Draws: mc.Draws, Seed: mc.Seed, Sigma: sigma,
		Region: mc.Region, Sector: mc.Sector,
	}, montecarlo.Options{Year: task.Year, Scenario: task.Scenario, Backend: r.opts.Backend})
	if err != nil {
		return fail("solve", err)
	}
	samples, err := e.Run(ctx, first, count)
	if err != nil {
		return fail("solve", err)
	}
	rep.Timings.Solve += time.Since(start).Seconds()

	start = time.Now()
	st, err := r.store(ctx, task.Output)
	if err != nil {
		return fail("write", err)
	}
	data, err := samples.MarshalBinary()
	if err != nil {
		return fail("write", err)
	}
	part, err := put(ctx, st, plan.PartKey(task.Job, task.Year, task.Scenario, task.Block), plan.AccountDraws, data, int64(count))
	if err != nil {
		return fail("write", err)
	}
	rep.Outputs = append(rep.Outputs, part)
	if mc.PerDraw {
		outs, err := r.writeDraws(ctx, st, task, e, samples)
		if err != nil {
			return fail("write", err)
		}
		rep.Outputs = append(rep.Outputs, outs...)
	}
	if first == 0 {
		data, err := json.Marshal(units)
		if err != nil {
			return fail("write", err)
		}
		u, err := put(ctx, st, plan.UnitsKey(task.Job, task.Year, task.Scenario), plan.AccountUnits, data, int64(len(units)))
		if err != nil {
			return fail("write", err)
		}
		rep.Outputs = append(rep.Outputs, u)
	}
	rep.Timings.Write = time.Since(start).Seconds()
	return rep, nil
}

// drawAccounts are the accounts written for every draw with per_draw:
// those a draw computes whole.
var drawAccounts = []string{output.Regions, output.Flows}

// writeDraws writes the drawAccounts of every draw of samples at
// output.DrawKey, in the task's format, and returns their outputs in draw
// order.
func (r *Runner) writeDraws(ctx context.Context, st store.Store, task plan.Task, e *montecarlo.Engine, samples *montecarlo.Samples) ([]plan.Output, error) {
	format, err := output.ParseFormat(task.Format)
	if err != nil {
		return nil, err
	}
	var outs []plan.Output
	for d := samples.First; d < samples.First+samples.Count; d++ {
		res := e.Result(samples.Draw(d))
		for _, acct := range drawAccounts {
			data, rows, err := output.Encode(acct, format, res, nil)
			if err != nil {
				return nil, fmt.Errorf("draw %d: %w", d, err)
			}
			key := path.Join(task.Job, output.DrawKey(task.Year, task.Scenario, d, acct, format))
			o, err := put(ctx, st, key, acct, data, rows)
			if err != nil {
				return nil, err
			}
			outs = append(outs, o)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return outs, nil
}

// put stores data at key and returns the output that records it.
func put(ctx context.Context, st store.Store, key, account string, data []byte, rows int64) (plan.Output, error) {
	if err := st.Put(ctx, key, data); err != nil {
		return plan.Output{}, storeError(err)
	}
	return newOutput(key, account, data, rows), nil
}

// newOutput is the record of data written at key.
func newOutput(key, account string, data []byte, rows int64) plan.Output {
	sum := sha256.Sum256(data)
	return plan.Output{Account: account, Key: key, Rows: rows, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
}

// tableUnits lists the unit of every stressor of t.
func tableUnits(t *table.Table) plan.Units {
	out := plan.Units{}
	for _, x := range t.Extensions {
		for i, s := range x.Stressors {
			u := plan.Unit{Extension: x.Name, Stressor: s}
			if i < len(x.Units) {
				u.Unit = x.Units[i]
			}
			out = append(out, u)
		}
	}
	return out
}

// Summarize writes the summary of every Monte Carlo scenario of m whose
// blocks of draws are all done and that has none yet:
// <job>/year=<year>/scenario=<scenario>/summary.<ext>, from the blocks'
// samples merged in draw order (montecarlo.Merge, montecarlo.Summarize),
// with the units of the year's table. It records each step in m
// (plan.Manifest.AddSummary), done or failed; a scenario with a failed
// block records a failed summary that names the block.
//
// Each part is read back and checked against the SHA-256 its block
// reported, so parts a run of another spec left at the same keys are
// never mixed in. The summary's bytes depend only on the draws: the same
// whichever workers computed which blocks, in whatever order.
func Summarize(ctx context.Context, st store.Store, m *plan.Manifest, worker string) {
	for _, s := range m.Summaries() {
		start := time.Now()
		out, err := summarize(ctx, st, m.Job, s)
		m.AddSummary(s.Year, s.Scenario, worker, out, plan.Timings{Write: time.Since(start).Seconds()}, err)
	}
}

// summarize merges, summarizes and writes one scenario's summary.
func summarize(ctx context.Context, st store.Store, job string, s plan.Summary) (*plan.Output, error) {
	fail := func(err error) (*plan.Output, error) {
		return nil, &TaskError{Year: s.Year, Scenario: s.Scenario, Step: "summary", Err: err}
	}
	if s.Failed != "" {
		return fail(fmt.Errorf("task %s failed, so the draws are incomplete", s.Failed))
	}
	if s.Units == nil {
		return fail(fmt.Errorf("no block wrote the units of the table"))
	}
	format, err := output.ParseFormat(s.Format)
	if err != nil {
		return fail(err)
	}
	parts := make([]*montecarlo.Samples, len(s.Parts))
	for i, o := range s.Parts {
		data, err := getChecked(ctx, st, o)
		if err != nil {
			return fail(err)
		}
		parts[i] = &montecarlo.Samples{}
		if err := parts[i].UnmarshalBinary(data); err != nil {
			return fail(fmt.Errorf("%s: %w", o.Key, err))
		}
	}
	data, err := getChecked(ctx, st, *s.Units)
	if err != nil {
		return fail(err)
	}
	var units plan.Units
	if err := json.Unmarshal(data, &units); err != nil {
		return fail(fmt.Errorf("%s: %w", s.Units.Key, err))
	}
	if len(parts) == 0 {
		return fail(fmt.Errorf("no samples"))
	}
	merged, err := montecarlo.Merge(parts...)
	if err != nil {
		return fail(err)
	}
	enc, rows, err := output.EncodeSummary(montecarlo.Summarize(merged), units.Map(), format)
	if err != nil {
		return fail(err)
	}
	key := path.Join(job, output.Key(s.Year, s.Scenario, output.Summary, format))
	out, err := put(ctx, st, key, output.Summary, enc, rows)
	if err != nil {
		return fail(err)
	}
	return &out, nil
}

// getChecked reads what o records and checks its size and SHA-256.
func getChecked(ctx context.Context, st store.Store, o plan.Output) ([]byte, error) {
	data, err := st.Get(ctx, o.Key)
	if err != nil {
		return nil, storeError(err)
	}
	sum := sha256.Sum256(data)
	if want, err := hex.DecodeString(o.SHA256); err != nil || !bytes.Equal(sum[:], want) || int64(len(data)) != o.Bytes {
		return nil, fmt.Errorf("%s: %d bytes of SHA-256 %x, but its task wrote %d bytes of %s: written over since",
			o.Key, len(data), sum, o.Bytes, o.SHA256)
	}
	return data, nil
}

// checkMonteCarlo checks the region and sector pattern of sc's Monte
// Carlo draws against t, a table as read: the region must produce and the
// pattern match a sector.
func checkMonteCarlo(t *table.Table, sc spec.Scenario) error {
	mc := sc.MonteCarlo
	if mc == nil {
		return nil
	}
	at := func(field, value string, err error) error {
		return fmt.Errorf("scenario %s, montecarlo, %s %q: %w", sc.Name, field, value, err)
	}
	if mc.Region != "" {
		if _, ok := t.RegionIndex(mc.Region); !ok {
			return at("region", mc.Region, errNoRegion)
		}
	}
	if mc.Sector != "" {
		if _, err := t.MatchSectors(mc.Sector); err != nil {
			return at("sector", mc.Sector, err)
		}
	}
	return nil
}
