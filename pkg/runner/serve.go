package runner

import (
	"context"
	"errors"
	"time"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/plan"
)

// ServeOptions configure Serve. The zero value is usable.
type ServeOptions struct {
	// Worker names this worker in reports and task states.
	Worker string
	// Abort, when it ends, stops the task at hand at its next step and
	// gives it back to the queue. Nil means a task started is finished.
	Abort context.Context
	// OnStart is called when a task starts, OnReport after its report is
	// published, and OnError on an error that does not stop the worker (a
	// message that is not a task, a lost connection, at most every 30
	// seconds, a report that could not be published). Each may be nil; the
	// binaries log with them. They are called from Serve's goroutine.
	OnStart  func(plan.Task, int)
	OnReport func(plan.Report)
	OnError  func(error)
}

const (
	// answerTimeout bounds the calls that answer a task after ctx ended.
	answerTimeout = 10 * time.Second
	// pullErrorEvery is how often a run of failed pulls reaches OnError.
	pullErrorEvery = 30 * time.Second
)

// Serve pulls tasks from b and runs them with r, one at a time, until ctx
// ends; then it stops pulling, finishes the task at hand (or gives it back
// when opts.Abort ends) and returns nil.
//
// For each task it marks the task Running, signals progress to the server
// while it works, publishes a Done report and acknowledges the task, or
// publishes a Failed report with the task's error and terminates it so it
// is not handed out again. The report goes out before the answer, so a
// worker that dies between the two leaves a task that is run again rather
// than one that is lost.
func Serve(ctx context.Context, b *bus.Bus, r *Runner, opts ServeOptions) error {
	abort := opts.Abort
	if abort == nil {
		abort = context.Background()
	}
	onErr := func(err error) {
		if opts.OnError != nil {
			opts.OnError(err)
		}
	}
	var lastPull time.Time // when a failed pull was last passed to onErr
	for {
		d, err := b.Next(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, bus.ErrBadTask):
			onErr(err)
			continue
		case err != nil:
			// A lost connection fails every second; say so now and then.
			if time.Since(lastPull) >= pullErrorEvery {
				onErr(err)
				lastPull = time.Now()
			}
			select { // wait a little, then ask again
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
			}
			continue
		}
		serveOne(ctx, abort, b, r, d, opts, onErr)
	}
}

// serveOne runs one delivered task and answers it.
func serveOne(ctx, abort context.Context, b *bus.Bus, r *Runner, d *bus.Delivery, opts ServeOptions, onErr func(error)) {
	// The task finishes even when ctx ends, unless abort ends.
	taskCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stopAbort := context.AfterFunc(abort, cancel)
	defer stopAbort()

	state := bus.NewTaskState(d.Task, plan.Running)
	state.Worker, state.Attempt = opts.Worker, d.Attempt
	if err := b.SetTask(taskCtx, state); err != nil {
		onErr(err)
	}
	if opts.OnStart != nil {
		opts.OnStart(d.Task, d.Attempt)
	}
	stopKeepAlive := d.KeepAlive(taskCtx, b.Options().AckWait/3)
	rep, err := r.Run(taskCtx, d.Task)
	stopKeepAlive()

	if taskCtx.Err() != nil {
		// Aborted: give it back for another worker.
		if err := d.Nak(); err != nil {
			onErr(err)
		}
		return
	}
	rep.Worker, rep.Attempt = opts.Worker, d.Attempt
	rep.Status = plan.Done
	// TODO(retry): every failure is final, also a passing one such as a
	// store that stayed down longer than its own retries; a TaskError
	// could say whether another attempt may help, and the task be given
	// back (Nak) while attempts remain.
	if err != nil {
		rep.Status, rep.Error = plan.Failed, err.Error()
	}

	answerCtx, cancelAnswer := context.WithTimeout(context.WithoutCancel(ctx), answerTimeout)
	defer cancelAnswer()
	if err := b.SetTask(answerCtx, bus.ReportState(rep)); err != nil {
		onErr(err)
	}
	if err := b.Report(answerCtx, rep); err != nil {
		// Without a report the coordinator cannot learn the outcome:
		// give the task back rather than answer it.
		onErr(err)
		if err := d.Nak(); err != nil {
			onErr(err)
		}
		return
	}
	if opts.OnReport != nil {
		opts.OnReport(rep)
	}
	if rep.Status == plan.Failed {
		err = d.Term(rep.Error)
	} else {
		err = d.Ack(answerCtx)
	}
	if err != nil {
		onErr(err)
	}
}
