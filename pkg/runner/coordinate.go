package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/output"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/spec"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// CoordinateOptions configure Coordinate. The zero value is usable; each
// field documents its default.
type CoordinateOptions struct {
	// Version is recorded in the manifest.
	Version string
	// Output overrides the spec's output location; Format its output
	// format (see plan.Options).
	Output, Format string
	// Restart drops the job's unfinished run, if there is one, with its
	// queued tasks, and starts a new run. Without it an unfinished run of
	// the same plan is resumed.
	Restart bool
	// Owner names this coordinator in the job's record. Default
	// host/pid/random.
	Owner string
	// Lease is how long this coordinator may stay silent before another
	// one may take the job over; it renews its hold four times as often.
	// Default 20 seconds.
	Lease time.Duration
	// MaxAttempts is how many times each task may be handed out (see
	// plan.Task.MaxAttempts). Default 5.
	MaxAttempts int
	// DrawsPerTask is how many draws of a Monte Carlo scenario one task
	// computes (see plan.Options). Default plan.DrawsPerTask.
	DrawsPerTask int
	// BlocksPerYear splits each (year, scenario) that is not Monte Carlo
	// into that many tasks over blocks of consumers, merged by Merger
	// once all are done (see plan.Options). Default 0: no split.
	BlocksPerYear int
	// Merger reads the tables of split years for their merge
	// (Runner.Merge). Default: a Runner with Store. A coordinator with
	// in-process workers passes theirs, whose cache may hold the table.
	Merger *Runner
	// RecomputeAll runs every task. Without it a new run reuses the
	// outputs of a task that the previous complete run (its manifest)
	// did with the same plan.TaskDigest, when each of them is still in
	// the store with its recorded SHA-256: the task is not published and
	// its outputs are carried into the manifest as reused. A block of
	// consumers or of draws is reused alike, and the merge or summary of
	// a (year, scenario) whose blocks all are, when its files are in
	// place.
	RecomputeAll bool
	// ChangeThreshold is the relative change of a headline account
	// beyond which the change report (plan.ChangesKey) flags its row.
	// Default DefaultChangeThreshold.
	ChangeThreshold float64
	// Ephemeral says the server's state dies with this process (an
	// embedded server), so an interrupted run cannot be resumed: it is
	// closed as failed, its queued tasks removed and a partial manifest
	// written. Otherwise an interrupted run is left as it stands for the
	// next coordinator to resume.
	Ephemeral bool
	// Store opens the output location; default store.Open.
	Store StoreOpener
	// Check checks the tables before anything is published; default
	// Check. A coordinator with in-process workers passes their
	// Runner.Check, which keeps the first table for them.
	Check func(context.Context, *spec.Job) ([]plan.Input, error)

	// OnPlan is called once the tasks are ready to go, with those of
	// them still open (not final already in a resumed run, nor reused),
	// before any is published;
	// OnWait when another coordinator holds the job and Coordinate waits
	// for it to let go; OnReport on each task's final report with the
	// number of tasks final so far; OnError on an error that does not
	// stop the run (a renewal of the lease that failed, the report
	// stream followed again); OnWarning on each warning of the whole run
	// as the manifest records it, before any task is published: a
	// table's notes (plan.Note) and the objects of earlier runs this run
	// does not write (plan.Stale). Each may be nil.
	OnPlan    func(tasks, open []plan.Task, inputs []plan.Input, resumed bool)
	OnWait    func(holder bus.JobState)
	OnReport  func(r plan.Report, final, total int)
	OnError   func(error)
	OnWarning func(plan.TaskWarning)
}

func (o CoordinateOptions) withDefaults() CoordinateOptions {
	if o.Owner == "" {
		host, _ := os.Hostname()
		var b [3]byte
		rand.Read(b[:])
		o.Owner = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	if o.Lease == 0 {
		o.Lease = 20 * time.Second
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = 5
	}
	if o.ChangeThreshold == 0 {
		o.ChangeThreshold = DefaultChangeThreshold
	}
	if o.Store == nil {
		o.Store = openStore
	}
	if o.Merger == nil {
		o.Merger = New(Options{Store: o.Store})
	}
	if o.Check == nil {
		o.Check = Check
	}
	if o.OnError == nil {
		o.OnError = func(error) {}
	}
	if o.OnWarning == nil {
		o.OnWarning = func(plan.TaskWarning) {}
	}
	return o
}

var (
	// ErrFailed is wrapped by the error Coordinate returns when some task
	// failed; the manifest lists which and why.
	ErrFailed = errors.New("tasks failed")
	// ErrInterrupted is wrapped by the error Coordinate returns when ctx
	// ended before the run did, and the run was left to be resumed.
	ErrInterrupted = errors.New("interrupted")
	// ErrPlanChanged is returned when the job's unfinished run was planned
	// from another job file, output or format.
	ErrPlanChanged = errors.New("the job's unfinished run was planned differently")
	// ErrFinishedMeanwhile is returned when another coordinator held the
	// job and finished its run while this one waited.
	ErrFinishedMeanwhile = errors.New("another coordinator finished the run")
	// ErrManifestKept is wrapped by the error of an interrupted run with
	// an embedded server that found the manifest of a complete earlier
	// run and left it in place instead of writing its own partial one.
	ErrManifestKept = errors.New("the manifest of an earlier complete run is left in place, this run's partial one is not written")
)

// Coordinate runs job through b: it checks the output location and every
// table (Check), plans the tasks, records the run in the state bucket,
// publishes the tasks, waits for a final report on each, and writes
// <job>/manifest.json last, after every output. Before publishing it
// records the tables' notes and the objects under <job>/ that the run
// will not write (left by earlier runs; kept) as warnings of the whole
// run (opts.OnWarning).
//
// Workers must serve b meanwhile (Serve); Coordinate does no task itself.
//
// Reuse and changes. Each task gets a plan.TaskDigest. A new run does
// not publish a task that the previous complete run did with the same
// digest and whose outputs are all still in the store with the recorded
// SHA-256: it carries them into the manifest as reused
// (opts.RecomputeAll runs everything); a (year, scenario) run as blocks,
// of consumers or of draws, whose blocks are all reused reuses the
// previous run's merge or summary as well, when its files are in place.
// Before publishing, it reads the regions output the previous run
// recorded for each (year, scenario) it will compute, written by a whole
// task or a merge, or the summary of a Monte Carlo scenario; after the
// run, and after the merges and summaries, it writes plan.ChangesKey
// comparing the headline accounts (Headlines, of a summary their means)
// old against new, and records it as a warning of kind plan.Change with
// the number of rows flagged (opts.ChangeThreshold).
//
// Runs and resumption. A job has one record in the state bucket, held by
// one coordinator at a time (opts.Lease). When the job's latest run is
// unfinished and was planned alike (same job file, output and format),
// Coordinate resumes it: it takes the inputs that run checked, counts the
// tasks already final and publishes only those neither final nor queued,
// so finished tasks are not computed again. Otherwise (no run, a finished
// one, or opts.Restart) it checks the tables and starts a new run. When
// another coordinator holds the job, Coordinate waits until it lets go or
// falls silent for its lease.
//
// A problem found before publishing (the spec, the output location, a
// table, a name the spec gives that a table lacks) returns an error and
// writes nothing. Otherwise Coordinate returns the manifest, and an error
// wrapping ErrFailed when a task failed (the other tasks' outputs stay).
// When ctx ends first, the run is left to be resumed and the error wraps
// ErrInterrupted (no manifest is written), unless opts.Ephemeral: then
// the run is closed and a partial manifest, marked interrupted, is
// written, but only where no manifest of a complete earlier run is; such
// a manifest stays and the error says so. It
// returns an error wrapping bus.ErrLost when another coordinator took the
// job over.
func Coordinate(ctx context.Context, b *bus.Bus, job *spec.Job, opts CoordinateOptions) (*plan.Manifest, error) {
	opts = opts.withDefaults()
	started := time.Now()
	tasks, err := plan.Make(job, plan.Options{Run: newRun(started), Output: opts.Output, Format: opts.Format, DrawsPerTask: opts.DrawsPerTask, BlocksPerYear: opts.BlocksPerYear})
	if err != nil {
		return nil, err
	}
	for i := range tasks {
		tasks[i].MaxAttempts = opts.MaxAttempts
	}
	digest := plan.Digest(tasks)

	// The output location is checked before the tables without writing
	// anything: a local folder by its path, a bucket by a probe that
	// leaves nothing behind. A local folder is made only once the tables
	// pass.
	location := tasks[0].Output
	if err := CheckOutput(location); err != nil {
		return nil, err
	}
	st, err := opts.Store(ctx, location)
	if err != nil {
		return nil, err
	}
	_, local := localPath(location)
	if !local {
		if err := st.Check(ctx); err != nil {
			return nil, err
		}
	}

	c := &coordination{b: b, job: job, opts: opts, tasks: tasks, store: st}
	if err := c.claim(ctx, digest, started, local); err != nil {
		return nil, err
	}
	return c.run(ctx)
}

// coordination is one run of Coordinate once the job is claimed.
type coordination struct {
	b      *bus.Bus
	job    *spec.Job
	opts   CoordinateOptions
	tasks  []plan.Task
	inputs []plan.Input
	store  store.Store

	lease   *bus.Lease
	resumed bool
	planned time.Duration

	// previous is the manifest of the run before this one, nil if none;
	// headlines the regions it recorded for the (year, scenario) pairs
	// this run computes.
	previous  *plan.Manifest
	headlines []oldHeadlines
}

// claim takes the job's record: resuming its unfinished run, or checking
// the tables and starting a new one.
func (c *coordination) claim(ctx context.Context, digest string, started time.Time, local bool) error {
	name := c.job.Job
	checked := false
	var waitedFor string // the run of a live coordinator this one waited for
	onWait := func(h bus.JobState) {
		waitedFor = h.Run
		if c.opts.OnWait != nil {
			c.opts.OnWait(h)
		}
	}
	for {
		prev, rev, err := c.b.Wait(ctx, name, onWait)
		if err != nil {
			return err
		}
		if prev != nil && prev.Run == waitedFor && prev.Status.Final() && prev.Digest == digest && !c.opts.Restart {
			// Two coordinators of one job at once: the other finished it.
			return fmt.Errorf("runner: job %s: %w: run %s ended %s while this coordinator waited for it; run again to start a new run",
				name, ErrFinishedMeanwhile, prev.Run, prev.Status)
		}
		if prev != nil && prev.Status == plan.Running && !c.opts.Restart {
			if prev.Digest != digest {
				return fmt.Errorf("runner: job %s: %w (run %s, started %s): the job file, output or format changed; run with --restart to drop it and start afresh",
					name, ErrPlanChanged, prev.Run, prev.Started.Format(time.RFC3339))
			}
			s := *prev
			s.Owner, s.Lease = c.opts.Owner, c.opts.Lease
			c.lease, err = c.b.Claim(ctx, s, rev)
			if errors.Is(err, bus.ErrConflict) {
				continue
			}
			if err != nil {
				return err
			}
			if c.inputs, err = c.b.Inputs(ctx, name, prev.Run); err != nil {
				c.release(ctx, plan.Running)
				return err
			}
			c.setRun(prev.Run)
			c.resumed = true
			return nil
		}

		if !checked {
			if c.inputs, err = c.opts.Check(ctx, c.job); err != nil {
				return err
			}
			if local {
				if err := c.store.Check(ctx); err != nil {
					return err
				}
			}
			checked = true
			c.planned = time.Since(started)
		}
		run := newRun(started)
		s := bus.JobState{
			Job: name, Run: run, Tasks: len(c.tasks), Status: plan.Running, Digest: digest,
			Started: started.UTC(), Owner: c.opts.Owner, Lease: c.opts.Lease,
		}
		c.lease, err = c.b.Claim(ctx, s, rev)
		if errors.Is(err, bus.ErrConflict) {
			continue
		}
		if err != nil {
			return err
		}
		c.setRun(run)
		return nil
	}
}

// setRun gives every task the run and its input.
func (c *coordination) setRun(run string) {
	for i := range c.tasks {
		c.tasks[i].Run = run
	}
	plan.Pin(c.tasks, c.inputs)
}

// release lets go of the job, leaving its run with status.
func (c *coordination) release(ctx context.Context, status plan.Status) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return c.lease.Release(ctx, func(s *bus.JobState) {
		s.Status = status
		if status.Final() {
			s.Finished = time.Now().UTC()
		}
	})
}

// run publishes what is left of the run, gathers the reports and ends
// the run.
func (c *coordination) run(ctx context.Context) (*plan.Manifest, error) {
	state := c.lease.State()
	m := plan.NewManifest(c.opts.Version, c.tasks, c.inputs)
	m.Started = state.Started
	c.digests(m)
	c.previous = c.previousManifest(ctx)
	c.warnRun(ctx, m)

	// The run goes on while the lease holds; the renewal stops before the
	// lease is let go.
	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	renewCtx, cancelRenew := context.WithCancel(runCtx)
	var renewing sync.WaitGroup
	renewing.Go(func() { c.renew(renewCtx, stop) })
	stopRenewing := func() { cancelRenew(); renewing.Wait() }
	defer stopRenewing()

	var waitErr error
	if !c.resumed {
		reused, steps := c.reuse(runCtx, c.previous, m)
		if err := c.b.StartRun(runCtx, state.Run, c.tasks, c.inputs); err != nil {
			stopRenewing()
			c.release(ctx, plan.Failed)
			return nil, err
		}
		c.carry(runCtx, m, reused, steps)
	}
	waitErr = c.follow(runCtx, m)
	stopRenewing()
	if cause := context.Cause(runCtx); errors.Is(cause, bus.ErrLost) {
		return m, fmt.Errorf("runner: job %s: %w", c.job.Job, cause)
	}
	leave := func(waitErr error) (*plan.Manifest, error) {
		if err := c.release(ctx, plan.Running); err != nil {
			c.opts.OnError(err)
		}
		if ctx.Err() != nil {
			waitErr = fmt.Errorf("%w (%w)", ErrInterrupted, waitErr)
		}
		return m, fmt.Errorf("runner: job %s, run %s: %w; %d of %d tasks final, the run is left for the same command to resume",
			c.job.Job, state.Run, waitErr, len(c.tasks)-m.Pending(), len(c.tasks))
	}
	if waitErr != nil && !c.opts.Ephemeral {
		return leave(waitErr)
	}
	if waitErr == nil {
		// Monte Carlo scenarios: their summaries, once every block is final.
		Summarize(ctx, c.store, m, c.opts.Owner)
		// Split years: their accounts, once every block is final.
		c.opts.Merger.Merge(ctx, m, c.tasks, c.opts.Owner)
		if err := ctx.Err(); err != nil {
			// A signal during the summaries or merges: a step it cut
			// short wrote nothing and did not fail on its own. The run
			// is interrupted, not failed; a resumed one redoes the steps.
			waitErr = err
			m.Interrupted = true
			if !c.opts.Ephemeral {
				return leave(waitErr)
			}
		} else {
			c.reportChanges(ctx, c.previous, m, c.headlines)
		}
	}
	return m, c.finish(ctx, m, waitErr)
}

// follow gathers what a resumed run has done, publishes the tasks left
// and waits for their reports.
func (c *coordination) follow(ctx context.Context, m *plan.Manifest) error {
	watch, err := c.b.Watch(ctx, c.job.Job, m.Run, c.opts.OnError)
	if err != nil {
		return err
	}
	defer watch.Close()
	if c.resumed {
		if err := persist(ctx, serverOutage, func(ctx context.Context) error { return c.gather(ctx, m) }); err != nil {
			return err
		}
	}
	// Before any task is published, while the previous outputs are in
	// place.
	c.headlines = c.before(ctx, c.previous, m)
	if c.opts.OnPlan != nil {
		var open []plan.Task
		for i, t := range c.tasks {
			if !m.Tasks[i].Status.Final() {
				open = append(open, t)
			}
		}
		c.opts.OnPlan(c.tasks, open, c.inputs, c.resumed)
	}
	if err := c.publish(ctx, m); err != nil {
		return err
	}
	return c.wait(ctx, watch, m)
}

// renew renews the lease until ctx ends; it stops the run when another
// coordinator took the job over.
func (c *coordination) renew(ctx context.Context, stop context.CancelCauseFunc) {
	every := c.opts.Lease / 4
	var lastWarn time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		renewCtx, cancel := context.WithTimeout(ctx, every)
		err := c.lease.Renew(renewCtx)
		cancel()
		switch {
		case errors.Is(err, bus.ErrLost):
			stop(err)
			return
		case err != nil && ctx.Err() == nil && time.Since(lastWarn) > c.opts.Lease:
			c.opts.OnError(fmt.Errorf("runner: renew the hold on job %s: %w", c.job.Job, err))
			lastWarn = time.Now()
		}
	}
}

// gather feeds m the final reports of a resumed run: from the state
// bucket, then from the report stream.
func (c *coordination) gather(ctx context.Context, m *plan.Manifest) error {
	_, states, err := c.b.State(ctx, c.job.Job)
	if err != nil {
		return err
	}
	for _, s := range states {
		if s.Report != nil && s.Run == m.Run {
			m.Add(*s.Report)
		}
	}
	reports, err := c.b.Reports(ctx, c.job.Job, m.Run)
	if err != nil {
		return err
	}
	for _, r := range reports {
		m.Add(r)
	}
	return nil
}

// publish queues every task of m not final: all of a new run; in a
// resumed run, those not queued already.
func (c *coordination) publish(ctx context.Context, m *plan.Manifest) error {
	final := map[string]bool{}
	for _, r := range m.Tasks {
		final[r.Task] = r.Status.Final()
	}
	for _, t := range c.tasks {
		if final[t.ID()] {
			continue
		}
		// Each step is tried again while the server restarts; a message
		// id seen already is dropped, so a publication repeated after a
		// lost confirmation is harmless.
		err := persist(ctx, serverOutage, func(ctx context.Context) error {
			if !c.resumed {
				_, _, err := c.b.Publish(ctx, t)
				return err
			}
			queued, err := c.b.Queued(ctx, t)
			if err != nil || queued {
				return err
			}
			// Neither final nor queued: never published, or lost. A
			// message id seen within the Duplicates window would be
			// dropped.
			_, dup, err := c.b.Publish(ctx, t)
			if err == nil && dup {
				err = c.b.Requeue(ctx, t)
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// wait feeds the run's final reports to m until none is open or ctx ends.
func (c *coordination) wait(ctx context.Context, watch *bus.Watch, m *plan.Manifest) error {
	total := len(c.tasks)
	for m.Pending() > 0 {
		r, err := watch.Next(ctx)
		if err != nil {
			return err
		}
		if !m.Add(r) {
			continue
		}
		// The worker records its own outcome; this covers one that died
		// right after its report.
		if err := c.b.SetTask(ctx, bus.ReportState(r)); err != nil {
			c.opts.OnError(err)
		}
		if c.opts.OnReport != nil {
			c.opts.OnReport(r, total-m.Pending(), total)
		}
	}
	return nil
}

// finish writes the manifest, records how the run ended and lets go of
// the job.
func (c *coordination) finish(ctx context.Context, m *plan.Manifest, waitErr error) error {
	name, total := c.job.Job, len(c.tasks)
	m.Finished = time.Now().UTC()
	m.Timings = plan.JobTimings{Plan: c.planned.Seconds(), Total: m.Finished.Sub(m.Started).Seconds()}
	// The manifest goes out even after ctx ended, to record what was done.
	writeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var purgeErr error
	if m.Pending() > 0 {
		// Nobody waits for these any more.
		purgeErr = c.b.PurgeTasks(writeCtx, name)
	}
	m.Interrupted = m.Interrupted || m.Pending() > 0
	kept := m.Interrupted && c.completeManifest(writeCtx)
	data, err := m.Encode()
	if err == nil && !kept {
		err = c.store.Put(writeCtx, plan.ManifestKey(name), data)
	}
	status := plan.Done
	if !m.Complete() {
		status = plan.Failed
	}
	if rerr := c.release(writeCtx, status); err == nil {
		err = rerr
	}
	if err == nil {
		err = purgeErr
	}
	if err != nil {
		return fmt.Errorf("runner: job %s: manifest: %w", name, errors.Join(err, waitErr))
	}
	if ctx.Err() != nil && waitErr != nil {
		waitErr = fmt.Errorf("%w (%w)", ErrInterrupted, waitErr)
	}
	if kept {
		return fmt.Errorf("runner: job %s: %w; %w", name, waitErr, ErrManifestKept)
	}
	if waitErr != nil {
		return fmt.Errorf("runner: job %s: %w", name, waitErr)
	}
	if len(m.Failures) > 0 {
		var which []string
		for _, f := range m.Failures {
			which = append(which, f.Task)
		}
		return fmt.Errorf("runner: job %s: %w: %d of %d (%s)", name, ErrFailed, len(m.Failures), total, strings.Join(which, ", "))
	}
	return nil
}

// completeManifest reports whether the job's manifest in the store is
// the record of a complete run: one that an interrupted run must not
// replace. A manifest that cannot be read for another reason than its
// absence counts as complete, so that it is kept.
func (c *coordination) completeManifest(ctx context.Context) bool {
	data, err := c.store.Get(ctx, plan.ManifestKey(c.job.Job))
	if errors.Is(err, store.ErrNotExist) {
		return false
	}
	if err != nil {
		c.opts.OnError(fmt.Errorf("runner: job %s: read the manifest in place: %w", c.job.Job, err))
		return true
	}
	var old plan.Manifest
	if json.Unmarshal(data, &old) != nil {
		return false // damaged: not a record worth keeping
	}
	return !old.Interrupted && !old.Finished.IsZero() && old.Pending() == 0
}

// SweepAfter is how long a temporary file of a local output folder must
// have gone unwritten before a new run of its job removes it as the
// leftover of a killed writer.
var SweepAfter = 10 * time.Minute

// warnRun records the warnings of the whole run in m and passes each to
// OnWarning: the notes of every table, once per table, and the objects
// under the job's folder that the run does not write. Before the listing
// it sweeps a local folder's temporary files older than SweepAfter. A
// listing or sweep that fails is reported to OnError.
func (c *coordination) warnRun(ctx context.Context, m *plan.Manifest) {
	add := func(w plan.TaskWarning) {
		m.Warnings = append(m.Warnings, w)
		c.opts.OnWarning(w)
	}
	for _, in := range c.inputs {
		for _, note := range in.Notes {
			add(plan.TaskWarning{Year: in.Year, Warning: plan.Warning{Kind: plan.Note, Table: in.Path, Message: note}})
		}
	}
	// Temporary files that writers killed in an earlier run left in a
	// folder; one written to in the last ten minutes may still have a
	// writer.
	if sw, ok := c.store.(store.Sweeper); ok {
		if _, err := sw.Sweep(ctx, c.job.Job+"/", SweepAfter); err != nil {
			c.opts.OnError(fmt.Errorf("runner: job %s: %w", c.job.Job, err))
		}
	}
	keys, err := staleKeys(ctx, c.store, c.tasks)
	if err != nil {
		c.opts.OnError(fmt.Errorf("runner: job %s: list earlier outputs: %w", c.job.Job, err))
	}
	for _, key := range keys {
		add(plan.TaskWarning{Warning: plan.Warning{Kind: plan.Stale, Key: key,
			Message: fmt.Sprintf("%s is left from an earlier run and not written by this one (another output format, a scenario, year or account no longer in the spec, or blocks of another size); it is kept", key)}})
	}
}

// staleKeys lists the objects under the job's folder in st that tasks
// do not write: their account files, the parts of blocks of consumers
// and, with the leontief account, their columns of L, and a Monte Carlo
// scenario's summary, the parts of its blocks of draws, its units and,
// with per_draw, every draw's files. Parts of another number of blocks
// of consumers, or of another size of blocks of draws, are stale, as
// are the files of draws a scenario no longer has.
func staleKeys(ctx context.Context, st store.Store, tasks []plan.Task) ([]string, error) {
	var job spec.Job
	if err := json.Unmarshal(tasks[0].Spec, &job); err != nil {
		return nil, fmt.Errorf("decode the spec: %w", err)
	}
	format, err := output.ParseFormat(tasks[0].Format)
	if err != nil {
		return nil, err
	}
	montecarlo := map[string]*spec.MonteCarlo{}
	for _, sc := range job.Scenarios {
		montecarlo[sc.Name] = sc.MonteCarlo
	}
	planned := map[string]bool{plan.ManifestKey(job.Job): true, plan.ChangesKey(job.Job): true}
	for _, t := range tasks {
		if _, _, ok := plan.ParseConsumerBlock(t.Block); ok {
			planned[plan.BlockKey(t.Job, t.Year, t.Scenario, t.Block)] = true
			if slices.Contains(job.Accounts, spec.AccountLeontief) {
				planned[plan.InverseKey(t.Job, t.Year, t.Scenario, t.Block)] = true
			}
		}
		if first, count, ok := plan.ParseDrawBlock(t.Block); ok {
			planned[plan.PartKey(t.Job, t.Year, t.Scenario, t.Block)] = true
			planned[plan.UnitsKey(t.Job, t.Year, t.Scenario)] = true
			planned[path.Join(t.Job, output.Key(t.Year, t.Scenario, output.Summary, format))] = true
			if mc := montecarlo[t.Scenario]; mc != nil && mc.PerDraw {
				for d := first; d < first+count; d++ {
					for _, acct := range drawAccounts {
						planned[path.Join(t.Job, output.DrawKey(t.Year, t.Scenario, d, acct, format))] = true
					}
				}
			}
			continue
		}
		for _, acct := range job.Accounts {
			planned[path.Join(t.Job, output.Key(t.Year, t.Scenario, acct, format))] = true
		}
	}
	keys, err := st.List(ctx, job.Job+"/")
	if err != nil {
		return nil, err
	}
	var stale []string
	for _, key := range keys {
		if !planned[key] {
			stale = append(stale, key)
		}
	}
	return stale, nil
}

// serverOutage bounds how long a step of the coordinator is tried again
// while the server cannot be reached.
const serverOutage = 2 * time.Minute

// newRun names a run: its start time and six random hex digits.
func newRun(t time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
