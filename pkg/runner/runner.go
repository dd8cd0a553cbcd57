package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/formats"
	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/output"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/scenario"
	"github.com/mrioflow/mrioflow/pkg/spec"
	"github.com/mrioflow/mrioflow/pkg/store"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// Options configure a Runner. The zero value is usable; each field
// documents its default.
type Options struct {
	// Backend factorizes I - A; nil means leontief.Native, pure Go.
	Backend leontief.Backend
	// CacheTables is how many prepared tables (one per year) a Runner
	// keeps for the next task of the same year. Default 1; negative keeps
	// none.
	CacheTables int
	// ResidualWarn is the relative residual ||x - x~|| / ||x|| above which
	// a task warns (MATH.md 6). Default 1e-6.
	ResidualWarn float64
	// Store opens the store at an output location or at the folder of a
	// table in a store. Default store.Open with the environment's
	// settings.
	Store StoreOpener
	// CacheDir is the folder where tables fetched from a store are kept,
	// by content, for later tasks and later runs. Default: mrioflow/tables
	// in the user's cache folder, or in the temporary folder when there
	// is none.
	CacheDir string
	// CacheMax is the most bytes the tables in CacheDir may take after a
	// download: the least recently used go first, except those being read
	// and those used in the last five minutes, by any process. Default 0:
	// no limit.
	CacheMax int64
	// OnCacheWarning, when not nil, hears when CacheDir stays over
	// CacheMax after a download, and of a failure to prune it.
	OnCacheWarning func(error)
	// Metrics, when not nil, counts the bytes read and fetched.
	Metrics *Metrics
}

// StoreOpener opens the store at an output location.
type StoreOpener func(ctx context.Context, location string) (store.Store, error)

// openStore opens a store with its default options.
func openStore(ctx context.Context, location string) (store.Store, error) {
	return store.Open(ctx, location, store.Options{})
}

func (o Options) withDefaults() Options {
	if o.CacheTables == 0 {
		o.CacheTables = 1
	}
	if o.ResidualWarn == 0 {
		o.ResidualWarn = 1e-6
	}
	if o.Store == nil {
		o.Store = openStore
	}
	if o.CacheDir == "" {
		o.CacheDir = DefaultCacheDir()
	}
	return o
}

// DefaultCacheDir is the table cache of a zero Options.
func DefaultCacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "mrioflow", "tables")
}

// Runner carries tasks out, one end to end per call of Run. It keeps the
// stores it opened and the last tables it read. A Runner is safe for
// concurrent use: the in-process workers of a coordinator share one.
type Runner struct {
	opts   Options
	tables *cache
	fetch  *fetcher

	mu     sync.Mutex
	stores map[string]store.Store
}

// New returns a Runner.
func New(opts Options) *Runner {
	opts = opts.withDefaults()
	r := &Runner{opts: opts, tables: &cache{max: opts.CacheTables}, stores: map[string]store.Store{}}
	r.fetch = &fetcher{dir: opts.CacheDir, open: r.store, count: opts.Metrics,
		max: opts.CacheMax, recent: cacheRecent, warn: opts.OnCacheWarning}
	return r
}

// Run carries out one task: read the year's table (or take it from the
// cache), keep the job's stressors, turn it into coefficients, apply the
// scenario's shocks to a copy, compute the accounts and write each one the
// job asks for to <job>/year=<year>/scenario=<scenario>/<account>.<ext>
// in the task's output location.
//
// The report carries the outputs with their rows and checksums, the
// warnings (sectors with zero output and stressors, a large residual) and
// the time of each step; Status is left for the caller. Run returns a
// *TaskError, naming the year, the scenario and the step, when any step
// fails; none of the task's outputs is then left written (see write).
func (r *Runner) Run(ctx context.Context, task plan.Task) (plan.Report, error) {
	rep := plan.NewReport(task)
	fail := func(step string, err error) (plan.Report, error) {
		return rep, &TaskError{Year: task.Year, Scenario: task.Scenario, Step: step, Err: err}
	}
	job, tb, sc, err := decode(task)
	if err != nil {
		return fail("read", err)
	}
	format, err := output.ParseFormat(task.Format)
	if err != nil {
		return fail("write", err)
	}
	if first, count, ok := plan.ParseDrawBlock(task.Block); ok {
		return r.runDraws(ctx, task, tb, sc, job.Stressors, first, count)
	}
	if b, count, ok := plan.ParseConsumerBlock(task.Block); ok {
		return r.runConsumers(ctx, task, job, tb, sc, b, count)
	}

	t, step, err := r.begin(ctx, task, tb, sc, job.Stressors, usesPerYear(job), true, &rep)
	if err != nil {
		return fail(step, err)
	}
	start := time.Now()
	res, groups, err := r.solve(t, job)
	if err != nil {
		return fail("solve", err)
	}
	var w *plan.Warning
	rep.Residual, w = residual(res.Residual, r.opts.ResidualWarn)
	if w != nil {
		rep.Warnings = append(rep.Warnings, *w)
	}
	rep.Timings.Solve += time.Since(start).Seconds()
	if err := ctx.Err(); err != nil {
		return fail("solve", err)
	}

	start = time.Now()
	if rep.Outputs, err = r.write(ctx, task, job.Accounts, format, res, groups); err != nil {
		return fail("write", err)
	}
	rep.Timings.Write = time.Since(start).Seconds()
	return rep, nil
}

// begin is the start every kind of task shares: the task's table,
// copied from the cache or taken over (uses, as for Runner.table), its
// zero-output sectors as warnings on rep when warn is set, and the
// scenario's shocks applied to it. The read counts as rep's read time and
// the shocks as the start of its solve time. On failure it returns the
// step that failed, for the task's error.
func (r *Runner) begin(ctx context.Context, task plan.Task, tb spec.Table, sc spec.Scenario, stressors []string, uses int, warn bool, rep *plan.Report) (*table.Table, string, error) {
	start := time.Now()
	t, zero, err := r.table(ctx, tb, task.Input, stressors, uses)
	if err != nil {
		return nil, "read", err
	}
	if warn {
		rep.Warnings = zeroWarnings(zero)
	}
	rep.Timings.Read = time.Since(start).Seconds()
	if err := ctx.Err(); err != nil {
		return nil, "read", err
	}
	start = time.Now()
	if err := scenario.Apply(t, shocks(sc)); err != nil {
		return nil, "scenario", err
	}
	if w := inputHeavy(t); w != nil && warn {
		rep.Warnings = append(rep.Warnings, *w)
	}
	rep.Timings.Solve = time.Since(start).Seconds()
	return t, "", nil
}

// inputHeavy returns a warning when some sector of t, after the
// scenario's shocks, needs a unit or more of inputs per unit of its output
// (a column sum of A of 1 or more): its value added is negative, and
// I - A may have no nonnegative inverse, so outputs and accounts can turn
// negative or blow up without I - A being singular. Nil when every column
// sums below 1 or t has no A.
func inputHeavy(t *table.Table) *plan.Warning {
	if t.A == nil {
		return nil
	}
	// A column sum of 1 or more is a value-added share of 0 or less.
	var heavy []int
	worst := -1
	share := accounts.ValueAddedShare(t.A)
	for j, v := range share {
		if v <= 0 {
			heavy = append(heavy, j)
			if worst < 0 || v < share[worst] {
				worst = j
			}
		}
	}
	if len(heavy) == 0 {
		return nil
	}
	var names []string
	for _, j := range heavy[:min(5, len(heavy))] {
		names = append(names, t.SectorLabel(j))
	}
	more := ""
	if len(heavy) > len(names) {
		more = fmt.Sprintf(" and %d more", len(heavy)-len(names))
	}
	sum := 1 - share[worst]
	return &plan.Warning{
		Kind:   plan.InputHeavy,
		Sector: t.SectorLabel(worst),
		Amount: sum,
		Message: fmt.Sprintf("%d of %d sectors need a unit or more of inputs per unit of output (column sum of A >= 1: %s%s; the largest, %g, in %s): their value added is negative, and outputs and accounts may turn negative",
			len(heavy), len(share), strings.Join(names, ", "), more, sum, t.SectorLabel(worst)),
	}
}

// decode reads the job out of a task, with the task's table and scenario.
func decode(task plan.Task) (*spec.Job, spec.Table, spec.Scenario, error) {
	var job spec.Job
	if err := json.Unmarshal(task.Spec, &job); err != nil {
		return nil, spec.Table{}, spec.Scenario{}, fmt.Errorf("decode the task's spec: %w", err)
	}
	i := slices.IndexFunc(job.Tables, func(t spec.Table) bool { return t.Year == task.Year })
	if i < 0 {
		return nil, spec.Table{}, spec.Scenario{}, fmt.Errorf("the spec has no table for the year")
	}
	k := slices.IndexFunc(job.Scenarios, func(s spec.Scenario) bool { return s.Name == task.Scenario })
	if k < 0 {
		return nil, spec.Table{}, spec.Scenario{}, fmt.Errorf("the spec has no such scenario")
	}
	return &job, job.Tables[i], job.Scenarios[k], nil
}

// solve computes the accounts of t, consuming t, and the group flows when
// the job asks for them.
func (r *Runner) solve(t *table.Table, job *spec.Job) (*accounts.Result, []*accounts.Groups, error) {
	res, err := accounts.Compute(t, computeOptions(job, r.opts))
	if err != nil {
		return nil, nil, err
	}
	groups, err := jobGroups(res, job)
	return res, groups, err
}

// computeOptions are the accounts options of job's tasks.
func computeOptions(job *spec.Job, opts Options) accounts.Options {
	return accounts.Options{
		FlowsBySector: slices.Contains(job.Accounts, spec.AccountFlowsBySector),
		Leontief:      slices.Contains(job.Accounts, spec.AccountLeontief),
		Backend:       opts.Backend,
	}
}

// jobGroups returns the group flows of res when job asks for them, nil
// otherwise.
func jobGroups(res *accounts.Result, job *spec.Job) ([]*accounts.Groups, error) {
	if !slices.Contains(job.Accounts, spec.AccountGroups) {
		return nil, nil
	}
	return computeGroups(res, job.Groups)
}

// write streams each account of accts into the task's store, encoded
// as it goes up (putAccount), and returns what it wrote. It writes all
// of the task's accounts or none: when an account fails to encode, its
// put fails or ctx ends (a signal) along the way, nothing is left under
// that account's key and the accounts put before it are deleted. Memory
// holds one account's encoder at a time (for leontief a chunk of L's
// columns and a record batch, or a Parquet row group) and the store's
// buffer (a 16 MiB part for S3), never an encoded file.
func (r *Runner) write(ctx context.Context, task plan.Task, accts []string, format output.Format, res *accounts.Result, groups []*accounts.Groups) ([]plan.Output, error) {
	st, err := r.store(ctx, task.Output)
	if err != nil {
		return nil, err
	}
	outs := make([]plan.Output, 0, len(accts))
	for _, acct := range accts {
		key := path.Join(task.Job, output.Key(task.Year, task.Scenario, acct, format))
		o, err := putAccount(ctx, st, key, acct, format, res, groups)
		if err != nil {
			return nil, undo(ctx, st, outs, err)
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// putAccount encodes account acct of res straight into the store under
// key (store.PutStream), with the size and SHA-256 of its bytes taken as
// they pass, and returns its output. An error of the account itself (an
// infinite value, what res lacks) is returned as it is, the end of ctx as
// ctx's error, and a failure of the store as a temporary one
// (storeError).
func putAccount(ctx context.Context, st store.Store, key, acct string, format output.Format, res *accounts.Result, groups []*accounts.Groups) (plan.Output, error) {
	var (
		tw     *hashWriter
		rows   int64
		encErr error
	)
	err := store.PutStream(ctx, st, key, func(w io.Writer) error {
		// A store that tries again calls this again, from the start.
		tw = &hashWriter{w: w, h: sha256.New()}
		var err error
		rows, err = output.EncodeTo(tw, acct, format, res, groups)
		encErr = nil
		if err != nil && !tw.failed {
			encErr = err
		}
		return err
	})
	switch {
	case encErr != nil:
		return plan.Output{}, encErr
	case err != nil && ctx.Err() != nil:
		return plan.Output{}, fmt.Errorf("%w (%w)", ctx.Err(), err)
	case err != nil:
		return plan.Output{}, storeError(err)
	}
	return plan.Output{Account: acct, Key: key, Rows: rows, Bytes: tw.n, SHA256: hex.EncodeToString(tw.h.Sum(nil))}, nil
}

// hashWriter passes writes on to w, counting and hashing the bytes that
// w took, and records whether a write failed.
type hashWriter struct {
	w      io.Writer
	h      hash.Hash
	n      int64
	failed bool
}

func (t *hashWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	t.h.Write(p[:n])
	t.n += int64(n)
	if err != nil {
		t.failed = true
	}
	return n, err
}

// putAll puts data[i] under outs[i].Key, all of them or none: a put that
// fails has the objects put before it deleted. The puts go on after ctx
// ends (a signal), so that the objects are never left half written; they
// stop after a minute without progress.
func putAll(ctx context.Context, st store.Store, outs []plan.Output, data [][]byte) error {
	ctx = context.WithoutCancel(ctx)
	for i, o := range outs {
		putCtx, cancel := context.WithTimeout(ctx, time.Minute)
		err := st.Put(putCtx, o.Key, data[i])
		cancel()
		if err != nil {
			return undo(ctx, st, outs[:i], storeError(err))
		}
		data[i] = nil // the store has it
	}
	return nil
}

// undo deletes the objects of outs, put before a put that failed with
// err, even after ctx has ended, and returns err, with the objects that
// could not be deleted.
func undo(ctx context.Context, st store.Store, outs []plan.Output, err error) error {
	ctx = context.WithoutCancel(ctx)
	for _, done := range outs {
		delCtx, cancel := context.WithTimeout(ctx, time.Minute)
		if derr := st.Delete(delCtx, done.Key); derr != nil {
			err = fmt.Errorf("%w; and %s, written before, could not be deleted: %w", err, done.Key, derr)
		}
		cancel()
	}
	return err
}

// residual returns the residual to report, and a warning when it exceeds
// limit or is not a number; JSON has no NaN, so that is reported as -1.
func residual(v, limit float64) (float64, *plan.Warning) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return -1, &plan.Warning{
			Kind:    plan.LargeResidual,
			Message: fmt.Sprintf("the residual is %v (output of norm zero?); recorded as -1", v),
		}
	case v > limit:
		return v, &plan.Warning{
			Kind:    plan.LargeResidual,
			Amount:  v,
			Message: fmt.Sprintf("output given and output implied by final demand differ by %.3g (relative)", v),
		}
	}
	return v, nil
}

// store returns the store at location, opened once per Runner.
func (r *Runner) store(ctx context.Context, location string) (store.Store, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st, ok := r.stores[location]; ok {
		return st, nil
	}
	st, err := r.opts.Store(ctx, location)
	if err != nil {
		return nil, err
	}
	r.stores[location] = st
	return st, nil
}

// tableKey names a year's prepared table in the cache: its path and
// year, and what shapes it as prepared, the format, the reader's options
// and the stressors kept, so that two jobs reading one table otherwise
// never share it.
func tableKey(tb spec.Table, stressors []string) string {
	opts, err := json.Marshal(tb.Options) // a map marshals with sorted keys
	if err != nil {
		panic(fmt.Sprintf("runner: table options %v: %v", tb.Options, err))
	}
	sel, err := json.Marshal(stressors)
	if err != nil {
		panic(fmt.Sprintf("runner: stressors %v: %v", stressors, err))
	}
	return strings.Join([]string{tb.Path, tb.Year, tb.Format, string(opts), string(sel)}, "\x00")
}

// table returns the year's table of tb, prepared (see prepare), for a
// task to change: a copy of the cached one, or the cached one itself for
// the last of uses tasks of the year that take it from this Runner (0:
// unknown, always a copy). It returns the stressors that dropped out with
// zero output too. A cached table serves a task whose want lists files
// only when it was read from those very bytes; otherwise the table is
// read again, and checked.
func (r *Runner) table(ctx context.Context, tb spec.Table, want *plan.Input, stressors []string, uses int) (*table.Table, []accounts.ZeroOutput, error) {
	key := tableKey(tb, stressors)
	for {
		p, err := r.tables.get(key, func() (*prepared, error) {
			return r.prepare(ctx, tb, want, stressors)
		})
		if err != nil {
			return nil, nil, err
		}
		if checked(want) && (p.files == nil || differ(want.Files, p.files) != "") {
			// Read for another plan, or not checked: a fresh read
			// either matches want or fails.
			r.tables.drop(key, p)
			continue
		}
		if t, ok := p.take(r.tables, key, uses); ok {
			return t, p.zero, nil
		}
		// Another task took that table over: read it again.
	}
}

// usesPerYear is how many tasks of one year of job take its table through
// Runner.table: one per scenario, or 0 (unknown) when a Monte Carlo
// scenario shares the year, whose blocks copy the table on their own.
//
// TODO(memory): a worker among several sees only some of a year's tasks,
// so its last one still copies; the plan could tell each task how many of
// its year are left.
func usesPerYear(job *spec.Job) int {
	for _, sc := range job.Scenarios {
		if sc.MonteCarlo != nil {
			return 0
		}
	}
	return len(job.Scenarios)
}

// prepare reads a table, fetched when it lives in a store, keeps the
// stressors named (all when none) and turns it into coefficients. want,
// when it lists files, are the files the coordinator checked: a table
// whose files differ fails with ErrChanged.
func (r *Runner) prepare(ctx context.Context, tb spec.Table, want *plan.Input, stressors []string) (*prepared, error) {
	t, files, err := r.open(ctx, tb, want)
	if err != nil {
		return nil, err
	}
	if err := t.SelectStressors(stressors); err != nil {
		return nil, err
	}
	p, err := coefficients(t)
	if err != nil {
		return nil, err
	}
	p.files = files
	return p, nil
}

// open reads the table of tb, from local disk or from the fetcher's
// copy of a table in a store, and returns the checksums of the files
// read: those of the copy, or, when want lists files, those of a local
// table, hashed as it is read (readHashed); nil for a local table read
// without want.
func (r *Runner) open(ctx context.Context, tb spec.Table, want *plan.Input) (*table.Table, []plan.File, error) {
	lt, err := r.fetch.local(ctx, tb.Path, want)
	if err != nil {
		return nil, nil, err
	}
	defer lt.remove()
	var t *table.Table
	err = lt.readLocal(func() (err error) {
		t, err = formats.Open(tb.Format, lt.path, tb.Options)
		return err
	}, checked(want), want)
	if err != nil && isURL(tb.Path) {
		// Errors name the files of the copy; the user knows the URL.
		err = renamed{err, lt.path, tb.Path}
	}
	switch {
	case err != nil && lt.changed != nil:
		return nil, nil, fmt.Errorf("%w; %w", err, lt.changed)
	case err != nil:
		return nil, nil, err
	case lt.changed != nil:
		return nil, nil, fmt.Errorf("%s: %w", tb.Path, lt.changed)
	}
	size := int64(0)
	for _, f := range lt.files {
		size += f.Bytes
	}
	if lt.files == nil {
		size = dirSize(lt.path)
	}
	r.opts.Metrics.add(bytesRead, size)
	return t, lt.files, nil
}

// coefficients turns a table in flow form into coefficient form, keeping
// the stressors that drop out with zero output; a table in coefficient
// form passes as it is.
func coefficients(t *table.Table) (*prepared, error) {
	p := &prepared{t: t}
	if t.Z != nil {
		var err error
		if p.zero, err = accounts.Coefficients(t); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// computeGroups sums the regional flows of res into the job's groups.
func computeGroups(res *accounts.Result, groups spec.Groups) ([]*accounts.Groups, error) {
	names := make([]string, len(groups))
	of := map[string]string{}
	for i, g := range groups {
		names[i] = g.Name
		for _, region := range g.Regions {
			of[region] = g.Name
		}
	}
	return accounts.ComputeGroups(res, names, of)
}

func zeroWarnings(zero []accounts.ZeroOutput) []plan.Warning {
	var out []plan.Warning
	for _, z := range zero {
		out = append(out, plan.Warning{
			Kind: plan.ZeroOutput, Extension: z.Extension, Stressor: z.Stressor,
			Region: z.Region, Sector: z.Sector, Amount: z.Amount,
			Message: fmt.Sprintf("sector %s/%s has zero output; its %s (%g) drops out of every account", z.Region, z.Sector, z.Stressor, z.Amount),
		})
	}
	return out
}

// shocks turns a spec scenario's shocks into the scenario package's.
func shocks(sc spec.Scenario) []scenario.Shock {
	out := make([]scenario.Shock, len(sc.Shocks))
	for i, s := range sc.Shocks {
		out[i] = scenario.Shock{
			Target: s.Target, Region: s.Region, Sector: s.Sector,
			FromRegion: s.FromRegion, FromSector: s.FromSector, Scale: s.Scale,
		}
	}
	return out
}
