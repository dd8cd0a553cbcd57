package runner_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/internal/testenv"
	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// flaky is a store whose Puts fail while failing is above zero, counting
// down, as a server that is down would.
type flaky struct {
	store.Store
	failing atomic.Int64
}

var errDown = errors.New("connection refused (the test's store is down)")

func (f *flaky) Put(ctx context.Context, key string, data []byte) error {
	if f.failing.Add(-1) >= 0 {
		return errDown
	}
	return f.Store.Put(ctx, key, data)
}

// flakyRunner is a Runner writing through a flaky store failing n Puts.
func flakyRunner(n int64) (*runner.Runner, *flaky) {
	f := &flaky{}
	f.failing.Store(n)
	r := runner.New(runner.Options{Store: func(ctx context.Context, location string) (store.Store, error) {
		st, err := store.Open(ctx, location, store.Options{})
		f.Store = st
		return f, err
	}})
	return r, f
}

// reports collects the reports a worker publishes.
type reports struct{ ch chan plan.Report }

func newReports() *reports { return &reports{ch: make(chan plan.Report, 16)} }

func (r *reports) add(rep plan.Report) { r.ch <- rep }

func (r *reports) next(t *testing.T) plan.Report {
	t.Helper()
	select {
	case rep := <-r.ch:
		return rep
	case <-time.After(30 * time.Second):
		t.Fatal("no report within 30s")
		return plan.Report{}
	}
}

// publishOne publishes the first task of the pymrio job, with attempts
// as its MaxAttempts, on a new server.
func publishOne(t *testing.T, attempts int) (*bus.Bus, plan.Task) {
	t.Helper()
	b := connect(t)
	task := tasks(t, pymrioJob(t))[0]
	task.MaxAttempts = attempts
	if _, _, err := b.Publish(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	return b, task
}

// hasMetrics checks that m's exposition holds each line of want.
func hasMetrics(t *testing.T, m *runner.Metrics, want ...string) {
	t.Helper()
	var text strings.Builder
	m.WriteTo(&text)
	for _, w := range want {
		if !strings.Contains(text.String(), w+"\n") {
			t.Errorf("metrics lack %q:\n%s", w, text.String())
		}
	}
}

func TestServeRetriesWhatMayPass(t *testing.T) {
	b, _ := publishOne(t, 3)
	r, _ := flakyRunner(1)
	got := newReports()
	var retried []error
	m := &runner.Metrics{}
	serveBus(t, b, r, runner.ServeOptions{
		Worker: "w", RetryDelay: 100 * time.Millisecond, Metrics: m,
		OnReport: got.add,
		OnRetry:  func(_ plan.Task, _ int, _ time.Duration, err error) { retried = append(retried, err) },
	})
	rep := got.next(t)
	if rep.Status != plan.Done || rep.Attempt != 2 || len(retried) != 1 || !errors.Is(retried[0], errDown) {
		t.Fatalf("report %+v after retries %v; want done on attempt 2 after one retry", rep, retried)
	}
	hasMetrics(t, m, "mrioflow_tasks_retried_total 1", "mrioflow_tasks_done_total 1")
}

func TestServeGivesUpAfterMaxAttempts(t *testing.T) {
	b, task := publishOne(t, 2)
	r, _ := flakyRunner(100)
	got := newReports()
	serveBus(t, b, r, runner.ServeOptions{RetryDelay: 50 * time.Millisecond, OnReport: got.add})
	rep := got.next(t)
	if rep.Status != plan.Failed || rep.Attempt != 2 || !strings.Contains(rep.Error, "refused") || !strings.Contains(rep.Error, "attempt 2 of 2") {
		t.Fatalf("report %+v; want a failure on attempt 2 with the store's error", rep)
	}
	if s, err := b.TaskState(context.Background(), task); err != nil || s.Status != plan.Failed || s.Report == nil {
		t.Errorf("state %+v, %v; want failed with the report", s, err)
	}
}

func TestServeFailsATaskItsWorkersLost(t *testing.T) {
	b, task := publishOne(t, 1)
	ctx := context.Background()
	// The one attempt allowed goes to a worker that records an error and
	// dies.
	d, err := b.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lost := bus.NewTaskState(task, plan.Queued)
	lost.Error = "attempt 1 on w0: out of memory"
	if err := b.SetTask(ctx, lost); err != nil {
		t.Fatal(err)
	}
	if err := d.Nak(); err != nil {
		t.Fatal(err)
	}
	got := newReports()
	w := serveBus(t, b, runner.New(runner.Options{}), runner.ServeOptions{OnReport: got.add})
	rep := got.next(t)
	if rep.Status != plan.Failed || !strings.Contains(rep.Error, "given up after 1 attempts") || !strings.Contains(rep.Error, "out of memory") {
		t.Fatalf("report %+v; want given up, with the last error", rep)
	}
	if len(w.tasks()) != 0 {
		t.Errorf("the task was run: %v", w.tasks())
	}
}

func TestServeSkipsATaskAlreadyFinal(t *testing.T) {
	b := connect(t)
	ctx := context.Background()
	j := pymrioJob(t)
	task := tasks(t, j)[0]
	done := plan.NewReport(task)
	done.Status = plan.Done
	if err := b.SetTask(ctx, bus.ReportState(done)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Publish(ctx, task); err != nil {
		t.Fatal(err)
	}
	w := serveBus(t, b, runner.New(runner.Options{}), runner.ServeOptions{})
	deadline := time.Now().Add(10 * time.Second)
	for {
		queued, err := b.Queued(ctx, task)
		if err != nil {
			t.Fatal(err)
		}
		if !queued {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the task was not answered")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(w.tasks()) != 0 {
		t.Errorf("a task final already was run again: %v", w.tasks())
	}
}

func TestServeAbortGivesTheTaskBack(t *testing.T) {
	b, task := publishOne(t, 0)
	ctx := context.Background()
	abort, doAbort := context.WithCancel(ctx)
	served := make(chan error)
	go func() {
		served <- runner.Serve(ctx, b, runner.New(runner.Options{}), runner.ServeOptions{
			Worker: "w", Abort: abort,
			OnStart: func(plan.Task, int) { doAbort() },
		})
	}()
	select {
	case err := <-served:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the abort")
	}
	next, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	d, err := b.Next(next)
	if err != nil || d.Attempt != 2 {
		t.Fatalf("after the abort: %v, %+v; want the task again, attempt 2", err, d)
	}
	s, err := b.TaskState(ctx, task)
	if err != nil || s.Status != plan.Queued || !strings.Contains(s.Error, "given back by w") {
		t.Errorf("state %+v, %v", s, err)
	}
}

// blockingPut is a store whose Put of a key holding marker waits for its
// context to end, calling arrived first, and takes a while more to give
// up: a write under way when the worker is told to stop.
type blockingPut struct {
	store.Store
	marker  string
	arrived func()
}

func (s *blockingPut) Put(ctx context.Context, key string, data []byte) error {
	if strings.Contains(key, s.marker) {
		s.arrived()
		<-ctx.Done()
		time.Sleep(300 * time.Millisecond)
		return ctx.Err()
	}
	return s.Store.Put(ctx, key, data)
}

// TestServeAbortUndoesWrites: a worker told to stop in the middle of a
// task's writes removes what the task had put before it gives the task
// back, so neither a file nor the task's earlier accounts stay behind.
func TestServeAbortUndoesWrites(t *testing.T) {
	b := connect(t)
	j := pymrioJob(t)
	task := tasks(t, j)[0]
	if _, _, err := b.Publish(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	abort, doAbort := context.WithCancel(ctx)
	open := func(ctx context.Context, location string) (store.Store, error) {
		st, err := store.Open(ctx, location, store.Options{})
		if err != nil {
			return nil, err
		}
		return &blockingPut{Store: st, marker: "multipliers", arrived: doAbort}, nil
	}
	served := make(chan error)
	go func() {
		served <- runner.Serve(ctx, b, runner.New(runner.Options{Store: open}), runner.ServeOptions{Worker: "w", Abort: abort})
	}()
	select {
	case err := <-served:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not return after the abort")
	}
	if left := testenv.FilesBelow(t, j.Output); len(left) != 0 {
		t.Errorf("files left by the aborted task: %v", left)
	}
	s, err := b.TaskState(ctx, task)
	if err != nil || s.Status != plan.Queued {
		t.Errorf("state %+v, %v; want the task queued again", s, err)
	}
}
