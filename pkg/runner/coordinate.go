package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// CoordinateOptions configure Coordinate. The zero value is usable.
type CoordinateOptions struct {
	// Version is recorded in the manifest.
	Version string
	// Output overrides the spec's output location; Format its output
	// format (see plan.Options).
	Output, Format string
	// Run names the run; empty draws a fresh name from the clock and
	// random bits.
	Run string
	// Force starts the run even when the job's last run is still recorded
	// as running (a coordinator that died leaves that behind).
	Force bool
	// Store opens the output location; default store.Open.
	Store StoreOpener
	// Check checks the tables before anything is published; default
	// Check. A coordinator with in-process workers passes their
	// Runner.Check, which keeps the first table for them.
	Check func(context.Context, *spec.Job) ([]plan.Input, error)

	// OnPlan is called once the tables are checked and the tasks made,
	// before any is published; OnReport on each task's final report with
	// the number of tasks final so far. Either may be nil.
	OnPlan   func(tasks []plan.Task, inputs []plan.Input)
	OnReport func(r plan.Report, final, total int)
}

// ErrFailed is wrapped by the error Coordinate returns when some task
// failed; the manifest lists which and why.
var ErrFailed = errors.New("tasks failed")

// Coordinate runs job through b: it checks the output location and every
// table (Check), plans the tasks, publishes them, waits for a final report
// on each, and writes <job>/manifest.json last, after every output.
//
// Workers must serve b meanwhile (Serve); Coordinate does no task itself.
//
// A problem found before publishing (the spec, the output location, a
// table, a name the spec gives that a table lacks) returns an error and
// writes nothing. Otherwise Coordinate returns the manifest it wrote, and
// an error wrapping ErrFailed when a task failed (the other tasks' outputs
// stay), or ctx's error when ctx ended before every task was final (the
// manifest then records the tasks still open, and the tasks left in the
// queue are removed). An error writing the manifest is returned as well,
// with the manifest.
func Coordinate(ctx context.Context, b *bus.Bus, job *spec.Job, opts CoordinateOptions) (*plan.Manifest, error) {
	started := time.Now()
	run := opts.Run
	if run == "" {
		run = newRun(started)
	}
	tasks, err := plan.Make(job, plan.Options{Run: run, Output: opts.Output, Format: opts.Format})
	if err != nil {
		return nil, err
	}
	// The output location is checked before the tables without writing
	// anything: a local folder by its path, a bucket by a probe that
	// leaves nothing behind. A local folder is made only once the tables
	// pass.
	location := tasks[0].Output
	if err := CheckOutput(location); err != nil {
		return nil, err
	}
	open := opts.Store
	if open == nil {
		open = openStore
	}
	st, err := open(ctx, location)
	if err != nil {
		return nil, err
	}
	_, local := localPath(location)
	if !local {
		if err := st.Check(ctx); err != nil {
			return nil, err
		}
	}
	check := opts.Check
	if check == nil {
		check = Check
	}
	inputs, err := check(ctx, job)
	if err != nil {
		return nil, err
	}
	if local {
		if err := st.Check(ctx); err != nil {
			return nil, err
		}
	}
	if opts.OnPlan != nil {
		opts.OnPlan(tasks, inputs)
	}
	planned := time.Since(started)

	watch, err := b.Watch(ctx, job.Job, run)
	if err != nil {
		return nil, err
	}
	defer watch.Close()
	state := bus.JobState{Job: job.Job, Run: run, Tasks: len(tasks), Status: plan.Running, Started: started.UTC()}
	if err := b.StartJob(ctx, state, tasks, opts.Force); err != nil {
		return nil, err
	}

	m := plan.NewManifest(opts.Version, tasks, inputs)
	m.Started = started.UTC()
	waitErr := publishAndWait(ctx, b, watch, tasks, m, opts.OnReport)

	m.Finished = time.Now().UTC()
	m.Timings = plan.JobTimings{Plan: planned.Seconds(), Total: m.Finished.Sub(started).Seconds()}
	// The manifest goes out even after ctx ended, to record what was done.
	writeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var purgeErr error
	if m.Pending() > 0 {
		// Nobody waits for these any more.
		purgeErr = b.PurgeTasks(writeCtx, job.Job)
	}
	data, err := m.Encode()
	if err == nil {
		err = st.Put(writeCtx, plan.ManifestKey(job.Job), data)
	}
	state.Status, state.Finished = plan.Done, m.Finished
	if !m.Complete() {
		state.Status = plan.Failed
	}
	if serr := b.SetJob(writeCtx, state); err == nil {
		err = serr
	}
	if err == nil {
		err = purgeErr
	}
	if err != nil {
		return m, fmt.Errorf("runner: job %s: manifest: %w", job.Job, errors.Join(err, waitErr))
	}
	if waitErr != nil {
		return m, fmt.Errorf("runner: job %s: %w", job.Job, waitErr)
	}
	if len(m.Failures) > 0 {
		var which []string
		for _, f := range m.Failures {
			which = append(which, f.Task)
		}
		return m, fmt.Errorf("runner: job %s: %w: %d of %d (%s)", job.Job, ErrFailed, len(m.Failures), len(tasks), strings.Join(which, ", "))
	}
	return m, nil
}

// publishAndWait publishes the tasks and feeds their final reports to m
// until none is open or ctx ends.
func publishAndWait(ctx context.Context, b *bus.Bus, watch *bus.Watch, tasks []plan.Task, m *plan.Manifest, onReport func(plan.Report, int, int)) error {
	for _, t := range tasks {
		if _, _, err := b.Publish(ctx, t); err != nil {
			return err
		}
	}
	for m.Pending() > 0 {
		r, err := watch.Next(ctx)
		if err != nil {
			return err
		}
		if !m.Add(r) {
			continue
		}
		// A worker records its own outcome; this covers a task whose
		// workers were lost, and costs one write otherwise.
		if err := b.SetTask(ctx, bus.ReportState(r)); err != nil {
			return err
		}
		if onReport != nil {
			onReport(r, len(tasks)-m.Pending(), len(tasks))
		}
	}
	return nil
}

// newRun names a run: its start time and six random hex digits.
func newRun(t time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
