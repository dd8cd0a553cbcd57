package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
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

func TestCoordinateServe(t *testing.T) {
	b := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	workCtx, stop := context.WithCancel(ctx)
	served := make(chan error)
	var started []string
	go func() {
		served <- runner.Serve(workCtx, b, runner.New(runner.Options{}), runner.ServeOptions{
			Worker:  "w",
			OnStart: func(t plan.Task, _ int) { started = append(started, t.ID()) },
		})
	}()
	j := pymrioJob(t)
	var finals []int
	m, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{
		Version:  "test",
		OnReport: func(_ plan.Report, final, total int) { finals = append(finals, final, total) },
	})
	stop()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !m.Complete() || len(started) != 2 || len(finals) != 4 || finals[2] != 2 || finals[3] != 2 {
		t.Errorf("complete %v, started %v, reports (final, total) %v", m.Complete(), started, finals)
	}
	run, states, err := b.State(ctx, j.Job)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != plan.Done || len(states) != 2 || states[0].Status != plan.Done || states[1].Worker != "w" {
		t.Errorf("state: %+v %+v", run, states)
	}
}

func TestCoordinateInterrupted(t *testing.T) {
	b := connect(t)
	j := pymrioJob(t)
	// No worker serves: the wait ends with the context.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	m, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{})
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
	if len(written.Tasks) != 2 || written.Tasks[0].Status != plan.Queued {
		t.Errorf("manifest written: %+v", written.Tasks)
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
