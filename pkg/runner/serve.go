package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/plan"
)

// ServeOptions configure Serve. The zero value is usable; each field
// documents its default.
type ServeOptions struct {
	// Worker names this worker in reports and task states.
	Worker string
	// Abort, when it ends, gives the task at hand back to the queue at
	// once and makes Serve return without waiting for it. Nil means a
	// task started is finished.
	Abort context.Context
	// RetryDelay is how long a task that failed in a way that may pass
	// (TaskError.Temporary) waits before it is handed out again, on its
	// first attempt; the wait doubles with each attempt, up to 32 times
	// RetryDelay. Default 5 seconds.
	RetryDelay time.Duration
	// AnswerFor bounds how long a worker keeps trying to publish the
	// report of a finished task and to acknowledge it while the server
	// cannot be reached; after that the task is handed out again once
	// the server is back. Default 2 minutes.
	AnswerFor time.Duration
	// Metrics, when not nil, counts the tasks.
	Metrics *Metrics

	// OnStart is called when a task starts, OnReport after its final
	// report is published, OnRetry when it is given back to be tried
	// again, and OnError on an error that does not stop the worker (a
	// message that is not a task, a lost connection, at most every 30
	// seconds, a report that could not be published). Each may be nil;
	// the binaries log with them. They are called from Serve's goroutine.
	OnStart  func(t plan.Task, attempt int)
	OnReport func(plan.Report)
	OnRetry  func(t plan.Task, attempt int, delay time.Duration, err error)
	OnError  func(error)
}

func (o ServeOptions) withDefaults() ServeOptions {
	if o.Abort == nil {
		o.Abort = context.Background()
	}
	if o.RetryDelay == 0 {
		o.RetryDelay = 5 * time.Second
	}
	if o.AnswerFor == 0 {
		o.AnswerFor = 2 * time.Minute
	}
	if o.OnError == nil {
		o.OnError = func(error) {}
	}
	return o
}

// ackFor bounds the attempts to acknowledge a task once its report is
// published and recorded.
const ackFor = 20 * time.Second

// pullErrorEvery is how often a run of failed pulls reaches OnError.
const pullErrorEvery = 30 * time.Second

// Serve pulls tasks from b and runs them with r, one at a time, until ctx
// ends; then it stops pulling, finishes the task at hand (or gives it back
// when opts.Abort ends) and returns nil.
//
// For each task it marks the task Running, signals progress to the server
// while it works, and then:
//
//   - done: publishes a Done report, records it in the state bucket and
//     acknowledges the task, in that order, so that a worker that dies in
//     between leaves a task that is run again rather than one that is
//     lost, and the outputs are written before anything says so;
//   - failed in the data (a table that does not validate, a singular
//     system): publishes a Failed report with the task's error and
//     terminates the task, so it is not handed out again;
//   - failed in a way that may pass (a store that stayed down): records
//     the error and gives the task back to be handed out again after a
//     growing delay, unless this was its last attempt (Task.MaxAttempts),
//     which fails it with that error.
//
// A task handed out more than MaxAttempts times (its workers died) is
// failed by the worker that receives it once more, with the last error
// recorded, without running it. A task already final for its run (a
// redelivery that crossed an answer) is acknowledged without running.
func Serve(ctx context.Context, b *bus.Bus, r *Runner, opts ServeOptions) error {
	opts = opts.withDefaults()
	var lastPull time.Time // when a failed pull was last passed to OnError
	for {
		d, err := b.Next(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, bus.ErrBadTask):
			opts.OnError(err)
			continue
		case err != nil:
			// A lost connection fails every second; say so now and then.
			if time.Since(lastPull) >= pullErrorEvery {
				opts.OnError(err)
				lastPull = time.Now()
			}
			select { // wait a little, then ask again
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
			}
			continue
		}
		s := &serving{b: b, r: r, d: d, opts: opts}
		if !s.serve(ctx) {
			return nil // aborted
		}
	}
}

// serving is one delivered task being served.
type serving struct {
	b    *bus.Bus
	r    *Runner
	d    *bus.Delivery
	opts ServeOptions
}

// AbortCleanup is how long an aborted task may take to undo its writes
// before it is given back and its worker goes on stopping.
var AbortCleanup = 5 * time.Second

// serve runs the task and answers it. It returns false when the task was
// aborted and given back.
func (s *serving) serve(ctx context.Context) bool {
	d, opts := s.d, s.opts
	// Answers go out even when ctx ends; only Abort cuts a task short.
	base := context.WithoutCancel(ctx)
	ackWait := s.b.AckWait(base)
	stopKeepAlive := d.KeepAlive(base, ackWait/3)
	defer stopKeepAlive()

	prev, err := s.b.TaskState(base, d.Task)
	if err != nil {
		opts.OnError(err)
	}
	if prev != nil && prev.Status.Final() {
		// Answered already by another delivery; nothing to do twice.
		if err := d.Ack(base); err != nil {
			opts.OnError(err)
		}
		return true
	}
	if max := d.Task.MaxAttempts; max > 0 && d.Attempt > max {
		rep := plan.NewReport(d.Task)
		rep.Worker, rep.Attempt, rep.Status = opts.Worker, d.Attempt, plan.Failed
		last := "no answer from the workers that took it (stopped or lost)"
		if prev != nil && prev.Error != "" {
			last = prev.Error
		}
		rep.Error = fmt.Sprintf("runner: year %s, scenario %s: given up after %d attempts; last error: %s", d.Task.Year, d.Task.Scenario, max, last)
		s.answer(base, rep)
		return true
	}

	state := bus.NewTaskState(d.Task, plan.Running)
	state.Worker, state.Attempt = opts.Worker, d.Attempt
	if err := s.b.SetTask(base, state); err != nil {
		opts.OnError(err)
	}
	if opts.OnStart != nil {
		opts.OnStart(d.Task, d.Attempt)
	}
	opts.Metrics.add(tasksRunning, 1)
	defer opts.Metrics.add(tasksRunning, -1)

	taskCtx, cancel := context.WithCancel(base)
	defer cancel()
	type result struct {
		rep plan.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := s.r.Run(taskCtx, d.Task)
		done <- result{rep, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-opts.Abort.Done():
		// A write under way stops at once and removes what the task put
		// (its temporary file, its upload, its earlier accounts): wait
		// for that, a little, before the task goes back, so no other
		// worker writes the same keys meanwhile. A solve under way is
		// left to die with the process (a factorization cannot be
		// interrupted).
		cancel()
		select {
		case <-done:
		case <-time.After(AbortCleanup):
		}
		s.giveBack(base, 0, fmt.Errorf("given back by %s, stopping", opts.Worker))
		return false
	}

	rep, err := res.rep, res.err
	rep.Worker, rep.Attempt = opts.Worker, d.Attempt
	rep.Status = plan.Done
	if err != nil {
		var te *TaskError
		last := d.Task.MaxAttempts > 0 && d.Attempt >= d.Task.MaxAttempts
		if errors.As(err, &te) && te.Temporary() && !last {
			delay := s.delay()
			s.giveBack(base, delay, err)
			opts.Metrics.add(tasksRetried, 1)
			if opts.OnRetry != nil {
				opts.OnRetry(d.Task, d.Attempt, delay, err)
			}
			return true
		}
		rep.Status, rep.Error = plan.Failed, err.Error()
		if last && errors.As(err, &te) && te.Temporary() {
			rep.Error = fmt.Sprintf("%v (attempt %d of %d)", err, d.Attempt, d.Task.MaxAttempts)
		}
	}
	s.answer(base, rep)
	return true
}

// delay is the wait before the next attempt of the task.
func (s *serving) delay() time.Duration {
	shift := min(s.d.Attempt-1, 5)
	return s.opts.RetryDelay << shift
}

// giveBack records why the task did not finish and hands it back, to be
// handed out again after delay.
func (s *serving) giveBack(ctx context.Context, delay time.Duration, cause error) {
	state := bus.NewTaskState(s.d.Task, plan.Queued)
	state.Worker, state.Attempt = s.opts.Worker, s.d.Attempt
	state.Error = fmt.Sprintf("attempt %d on %s: %v", s.d.Attempt, s.opts.Worker, cause)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.b.SetTask(ctx, state); err != nil {
		s.opts.OnError(err)
	}
	var err error
	if delay > 0 {
		err = s.d.Retry(delay)
	} else {
		err = s.d.Nak()
	}
	if err != nil {
		s.opts.OnError(err)
	}
}

// answer publishes a final report, records it and acknowledges (done) or
// terminates (failed) the task, trying each step again while the server
// cannot be reached, for up to AnswerFor in all. When the report cannot be
// published the task is left unanswered: it is handed out again.
func (s *serving) answer(ctx context.Context, rep plan.Report) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.AnswerFor)
	defer cancel()
	if err := persist(ctx, s.opts.AnswerFor, func(ctx context.Context) error { return s.b.Report(ctx, rep) }); err != nil {
		s.opts.OnError(err)
		return
	}
	if err := persist(ctx, s.opts.AnswerFor, func(ctx context.Context) error { return s.b.SetTask(ctx, bus.ReportState(rep)) }); err != nil {
		s.opts.OnError(err)
	}
	s.opts.Metrics.Observe(rep)
	if s.opts.OnReport != nil {
		s.opts.OnReport(rep)
	}
	// A lost answer costs little now: whoever receives the task again
	// finds it final and only acknowledges it.
	err := persist(ctx, ackFor, func(ctx context.Context) error {
		if rep.Status == plan.Failed {
			return s.d.Term(rep.Error)
		}
		return s.d.Ack(ctx)
	})
	if err != nil {
		s.opts.OnError(err)
	}
}

// persist calls op until it succeeds, ctx ends or the next attempt would
// start more than budget after the first, pausing between attempts from a
// quarter second up to four seconds, each attempt bounded by ten seconds.
// It returns op's last error.
func persist(ctx context.Context, budget time.Duration, op func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	wait := 250 * time.Millisecond
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := op(attemptCtx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 4*time.Second)
	}
}
