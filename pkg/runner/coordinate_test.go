package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
)

func connect(t *testing.T) *bus.Bus {
	t.Helper()
	srv, err := bus.StartServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown() })
	b, err := bus.Connect(context.Background(), srv.URL(), bus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// worker serves b in the background until the test ends, and records
// the tasks it started.
type worker struct {
	mu      sync.Mutex
	started []string
	stop    context.CancelFunc
	done    chan error
}

func serveBus(t *testing.T, b *bus.Bus, r *runner.Runner, opts runner.ServeOptions) *worker {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{stop: cancel, done: make(chan error, 1)}
	onStart := opts.OnStart
	opts.OnStart = func(tk plan.Task, attempt int) {
		w.mu.Lock()
		w.started = append(w.started, tk.ID())
		w.mu.Unlock()
		if onStart != nil {
			onStart(tk, attempt)
		}
	}
	go func() { w.done <- runner.Serve(ctx, b, r, opts) }()
	t.Cleanup(func() { w.halt(t) })
	return w
}

// halt stops the worker once and waits for it.
func (w *worker) halt(t *testing.T) {
	if w.stop == nil {
		return
	}
	w.stop()
	w.stop = nil
	if err := <-w.done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

func (w *worker) tasks() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.started)
}

func TestCoordinateServe(t *testing.T) {
	b := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := serveBus(t, b, runner.New(runner.Options{}), runner.ServeOptions{Worker: "w"})
	j := pymrioJob(t)
	var finals []int
	m, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{
		Version:  "test",
		OnReport: func(_ plan.Report, final, total int) { finals = append(finals, final, total) },
	})
	w.halt(t)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Complete() || len(w.tasks()) != 2 || len(finals) != 4 || finals[2] != 2 || finals[3] != 2 {
		t.Errorf("complete %v, started %v, reports (final, total) %v", m.Complete(), w.tasks(), finals)
	}
	run, states, err := b.State(ctx, j.Job)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != plan.Done || run.Owner != "" || len(states) != 2 || states[0].Status != plan.Done || states[1].Worker != "w" || states[1].Report == nil {
		t.Errorf("state: %+v %+v", run, states)
	}
}

func TestCoordinateInterruptedEphemeral(t *testing.T) {
	b := connect(t)
	j := pymrioJob(t)
	// No worker serves: the wait ends with the context.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	m, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{Ephemeral: true})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's deadline", err)
	}
	if m == nil || m.Pending() != 2 || m.Complete() {
		t.Fatalf("manifest %+v, want two tasks still open", m)
	}
	data, err := os.ReadFile(filepath.Join(j.Output, j.Job, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var written plan.Manifest
	if err := json.Unmarshal(data, &written); err != nil {
		t.Fatal(err)
	}
	if len(written.Tasks) != 2 || written.Tasks[0].Status != plan.Queued || !written.Interrupted {
		t.Errorf("manifest written: interrupted %v, %+v", written.Interrupted, written.Tasks)
	}
	// The tasks left the queue with the run.
	next, cancelNext := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancelNext()
	if d, err := b.Next(next); err == nil {
		t.Errorf("task %s still queued", d.Task.ID())
	}
	if run, _, err := b.State(context.Background(), j.Job); err != nil || run.Status != plan.Failed {
		t.Errorf("job state %+v, %v; want failed", run, err)
	}
}

func TestCoordinateResumes(t *testing.T) {
	b := connect(t)
	j := pymrioJob(t)

	// A first coordinator is stopped before any task is done: nothing is
	// written, the run stays for the next one, and nobody holds it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	first, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{})
	if !errors.Is(err, runner.ErrInterrupted) {
		t.Fatalf("got %v, want ErrInterrupted", err)
	}
	if _, err := os.Stat(filepath.Join(j.Output, j.Job, "manifest.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a manifest was written: %v", err)
	}
	run, _, err := b.State(context.Background(), j.Job)
	if err != nil || run.Status != plan.Running || run.Owner != "" || run.Run != first.Run {
		t.Fatalf("state after the stop: %+v, %v", run, err)
	}

	// A worker does one task while no coordinator runs.
	r := runner.New(runner.Options{})
	one, stopOne := context.WithCancel(context.Background())
	defer stopOne()
	if err := runner.Serve(one, b, r, runner.ServeOptions{Worker: "early", OnReport: func(plan.Report) { stopOne() }}); err != nil {
		t.Fatal(err)
	}

	// The second coordinator resumes: the task done is not run again.
	w := serveBus(t, b, r, runner.ServeOptions{Worker: "late"})
	var resumed bool
	var final int
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Minute)
	defer cancel2()
	m, err := runner.Coordinate(ctx2, b, j, runner.CoordinateOptions{
		OnPlan: func(tasks, open []plan.Task, _ []plan.Input, r bool) { resumed, final = r, len(tasks)-len(open) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !resumed || final != 1 || m.Run != first.Run || !m.Complete() {
		t.Errorf("resumed %v with %d final, run %s (first %s), complete %v", resumed, final, m.Run, first.Run, m.Complete())
	}
	if got := w.tasks(); len(got) != 1 {
		t.Errorf("the resumed run started %v; want only the task not done", got)
	}
	workers := map[string]int{}
	for _, tr := range m.Tasks {
		workers[tr.Worker]++
	}
	if workers["early"] != 1 || workers["late"] != 1 || len(m.Outputs) != 2*len(j.Accounts) {
		t.Errorf("tasks by worker %v, %d outputs", workers, len(m.Outputs))
	}

	// Finished: the next run is a new one.
	m2, err := runner.Coordinate(ctx2, b, j, runner.CoordinateOptions{})
	if err != nil || m2.Run == m.Run {
		t.Errorf("run after a finished one: %v, run %s (was %s)", err, m2.Run, m.Run)
	}
}

func TestCoordinatePlanChangedAndRestart(t *testing.T) {
	b := connect(t)
	j := pymrioJob(t)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	first, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{})
	if !errors.Is(err, runner.ErrInterrupted) {
		t.Fatalf("got %v, want ErrInterrupted", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Minute)
	defer cancel2()
	if _, err := runner.Coordinate(ctx2, b, j, runner.CoordinateOptions{Format: "parquet"}); !errors.Is(err, runner.ErrPlanChanged) {
		t.Fatalf("another format over an unfinished run: %v, want ErrPlanChanged", err)
	}
	serveBus(t, b, runner.New(runner.Options{}), runner.ServeOptions{})
	m, err := runner.Coordinate(ctx2, b, j, runner.CoordinateOptions{Format: "parquet", Restart: true})
	if err != nil {
		t.Fatal(err)
	}
	if m.Run == first.Run || m.Format != "parquet" || !m.Complete() {
		t.Errorf("restarted run %s (first %s), format %s, complete %v", m.Run, first.Run, m.Format, m.Complete())
	}
}

func TestCoordinateWaitsForTheHolder(t *testing.T) {
	b := connect(t)
	j := pymrioJob(t)
	ts := tasks(t, j)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// A coordinator claimed the job and died without a word.
	if _, err := b.Claim(ctx, bus.JobState{
		Job: j.Job, Run: "dead", Tasks: len(ts), Status: plan.Running, Digest: "other plan",
		Started: time.Now(), Owner: "ghost", Lease: 2 * time.Second,
	}, 0); err != nil {
		t.Fatal(err)
	}
	serveBus(t, b, runner.New(runner.Options{}), runner.ServeOptions{})
	var waited []string
	start := time.Now()
	m, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{
		Restart: true,
		OnWait:  func(h bus.JobState) { waited = append(waited, h.Owner) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(waited) != 1 || waited[0] != "ghost" || time.Since(start) < 1500*time.Millisecond || !m.Complete() {
		t.Errorf("waited for %v, %s; complete %v", waited, time.Since(start), m.Complete())
	}
}

func TestCoordinateAfterAnotherFinished(t *testing.T) {
	b := connect(t)
	j := pymrioJob(t)
	ts := tasks(t, j)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Another coordinator holds the job with the same plan, and finishes
	// it while this one waits.
	l, err := b.Claim(ctx, bus.JobState{
		Job: j.Job, Run: "other", Tasks: len(ts), Status: plan.Running, Digest: plan.Digest(ts),
		Started: time.Now(), Owner: "busy", Lease: 10 * time.Second,
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var waited bool
	done := make(chan error, 1)
	go func() {
		_, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{OnWait: func(bus.JobState) { waited = true }})
		done <- err
	}()
	time.Sleep(500 * time.Millisecond)
	if err := l.Release(ctx, func(s *bus.JobState) { s.Status = plan.Done }); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, runner.ErrFinishedMeanwhile) || !waited {
		t.Errorf("got %v (waited %v), want ErrFinishedMeanwhile after a wait", err, waited)
	}
}
