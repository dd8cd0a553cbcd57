package bus_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/plan"
)

// connect starts an embedded server for one test and connects to it.
func connect(t *testing.T, opts bus.Options) *bus.Bus {
	t.Helper()
	srv, err := bus.StartServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Shutdown(); err != nil {
			t.Error(err)
		}
	})
	b, err := bus.Connect(context.Background(), srv.URL(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

func task(job, run, year, scenario string) plan.Task {
	return plan.Task{
		Job: job, Run: run, Year: year, Scenario: scenario, Block: plan.Block,
		Spec: []byte(`{"job":"` + job + `"}`), Output: "out", Format: "arrow",
	}
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// publish queues tasks that must be new.
func publish(t *testing.T, b *bus.Bus, tasks ...plan.Task) {
	t.Helper()
	for _, tk := range tasks {
		if _, dup, err := b.Publish(context.Background(), tk); err != nil || dup {
			t.Fatalf("publish %s: duplicate %v, %v", tk.ID(), dup, err)
		}
	}
}

// next takes the next task, which must come.
func next(t *testing.T, b *bus.Bus) *bus.Delivery {
	t.Helper()
	d, err := b.Next(ctxFor(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// must fails the test on an error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// empty asserts that no task is waiting.
func empty(t *testing.T, b *bus.Bus) {
	t.Helper()
	d, err := b.Next(ctxFor(t, 300*time.Millisecond))
	if err == nil {
		t.Fatalf("queue not empty: got %s, attempt %d", d.Task.ID(), d.Attempt)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next on an empty queue: %v, want the context's deadline", err)
	}
}

func TestPublishConsumeAck(t *testing.T) {
	b := connect(t, bus.Options{})
	ctx := ctxFor(t, 10*time.Second)
	want := []plan.Task{task("ga", "r1", "2019", "baseline"), task("ga", "r1", "2019", "low"), task("other job", "r1", "2020", "baseline")}
	publish(t, b, want...)
	for i, w := range want {
		d := next(t, b)
		if d.Task.ID() != w.ID() || d.Attempt != 1 || string(d.Task.Spec) != string(w.Spec) {
			t.Errorf("delivery %d: got %s attempt %d spec %s, want %s attempt 1 spec %s", i, d.Task.ID(), d.Attempt, d.Task.Spec, w.ID(), w.Spec)
		}
		must(t, d.Ack(ctx))
	}
	empty(t, b)
}

func TestDuplicateDropped(t *testing.T) {
	b := connect(t, bus.Options{})
	ctx := ctxFor(t, 10*time.Second)
	tk := task("ga", "r1", "2019", "baseline")
	seq1, dup1, err1 := b.Publish(ctx, tk)
	seq2, dup2, err2 := b.Publish(ctx, tk)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if dup1 || !dup2 || seq1 != seq2 {
		t.Fatalf("publish twice: (seq %d, duplicate %v), (seq %d, duplicate %v); want the second a duplicate of the first", seq1, dup1, seq2, dup2)
	}
	// Another run of the same job is new work, not a repeat.
	publish(t, b, task("ga", "r2", "2019", "baseline"))
	for range 2 {
		must(t, next(t, b).Ack(ctx))
	}
	empty(t, b)
}

func TestNakRedelivers(t *testing.T) {
	b := connect(t, bus.Options{})
	ctx := ctxFor(t, 10*time.Second)
	publish(t, b, task("ga", "r1", "2019", "baseline"))
	if d := next(t, b); d.Attempt != 1 {
		t.Fatalf("first delivery: attempt %d", d.Attempt)
	} else {
		must(t, d.Nak())
	}
	d := next(t, b)
	if d.Attempt != 2 {
		t.Fatalf("after a nak: attempt %d, want 2", d.Attempt)
	}
	must(t, d.Ack(ctx))
	empty(t, b)
}

func TestTermNotRedelivered(t *testing.T) {
	b := connect(t, bus.Options{})
	publish(t, b, task("ga", "r1", "2019", "baseline"))
	must(t, next(t, b).Term("singular"))
	empty(t, b)
}

func TestAckWaitAndKeepAlive(t *testing.T) {
	const ackWait = time.Second
	b := connect(t, bus.Options{AckWait: ackWait})
	ctx := ctxFor(t, 10*time.Second)
	publish(t, b, task("ga", "r1", "2019", "baseline"))
	d := next(t, b)
	// Held with progress signals for twice AckWait: not handed out.
	stop := d.KeepAlive(ctx, ackWait/8)
	empty(t, b)
	time.Sleep(2 * ackWait)
	empty(t, b)
	stop()
	stop()
	// Silent: handed out again once AckWait passes.
	again := next(t, b)
	if again.Task.ID() != d.Task.ID() || again.Attempt != 2 {
		t.Fatalf("after AckWait: got %s attempt %d, want %s attempt 2", again.Task.ID(), again.Attempt, d.Task.ID())
	}
}

func TestReportsOfOneRun(t *testing.T) {
	b := connect(t, bus.Options{})
	ctx := ctxFor(t, 10*time.Second)
	mine := plan.NewReport(task("ga", "r1", "2019", "baseline"))
	mine.Status = plan.Done
	mine.Outputs = []plan.Output{{Account: "regions", Key: "ga/year=2019/scenario=baseline/regions.arrow", Rows: 12, Bytes: 100, SHA256: "ab"}}
	other := plan.NewReport(task("ga", "r0", "2019", "baseline"))
	other.Status = plan.Failed
	// One report stored before the watch starts: the watch still sees it.
	if err := b.Report(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := b.Report(ctx, mine); err != nil {
		t.Fatal(err)
	}
	w, err := b.Watch(ctx, "ga", "r1")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	late := plan.NewReport(task("ga", "r1", "2020", "baseline"))
	late.Status, late.Error = plan.Failed, "2020/baseline: singular"
	if err := b.Report(ctx, late); err != nil {
		t.Fatal(err)
	}
	for i, want := range []plan.Report{mine, late} {
		got, err := w.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || len(got.Outputs) != len(want.Outputs) {
			t.Errorf("report %d: got %+v, want %+v", i, got, want)
		}
	}
	if got, err := w.Next(ctxFor(t, 300*time.Millisecond)); err == nil {
		t.Errorf("a report of another run came through: %+v", got)
	}
}

func TestMaxDeliverBecomesFailure(t *testing.T) {
	b := connect(t, bus.Options{MaxDeliver: 2})
	ctx := ctxFor(t, 10*time.Second)
	w, err := b.Watch(ctx, "ga", "r1")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// A task of another job reaching MaxDeliver is not this run's failure.
	for _, tk := range []plan.Task{task("other", "r1", "2019", "baseline"), task("ga", "r1", "2019", "baseline")} {
		publish(t, b, tk)
		for range 2 {
			must(t, next(t, b).Nak())
		}
	}
	// The server notices the exceeded count when a worker asks for more.
	empty(t, b)
	got, err := w.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Task != "ga/2019/baseline/all" || got.Status != plan.Failed || got.Error == "" {
		t.Fatalf("got %+v, want a failure of ga/2019/baseline/all", got)
	}
}

func TestJobState(t *testing.T) {
	b := connect(t, bus.Options{})
	ctx := ctxFor(t, 10*time.Second)
	if _, _, err := b.State(ctx, "ga"); !errors.Is(err, bus.ErrNoJob) {
		t.Fatalf("state of an unknown job: %v, want ErrNoJob", err)
	}
	tasks := []plan.Task{task("ga", "r1", "2019", "baseline"), task("ga", "r1", "2020", "baseline")}
	run := bus.JobState{Job: "ga", Run: "r1", Tasks: 2, Status: plan.Running, Started: time.Now()}
	if err := b.StartJob(ctx, run, tasks, false); err != nil {
		t.Fatal(err)
	}
	running := bus.NewTaskState(tasks[1], plan.Running)
	running.Worker = "w1"
	if err := b.SetTask(ctx, running); err != nil {
		t.Fatal(err)
	}
	gotRun, states, err := b.State(ctx, "ga")
	if err != nil {
		t.Fatal(err)
	}
	if gotRun.Run != "r1" || gotRun.Tasks != 2 {
		t.Errorf("run: got %+v", gotRun)
	}
	if got := count(states); got != "queued=1 running=1" {
		t.Errorf("states: got %s, want queued=1 running=1", got)
	}

	// A second run while the first runs is refused, unless forced.
	run2 := bus.JobState{Job: "ga", Run: "r2", Tasks: 1, Status: plan.Running, Started: time.Now()}
	if err := b.StartJob(ctx, run2, tasks[:1], false); err == nil {
		t.Fatal("a second run of a running job started")
	}
	// What the first run left queued goes with it; other jobs' tasks stay.
	publish(t, b, tasks[0], task("other", "r1", "2019", "baseline"))
	run2Tasks := []plan.Task{task("ga", "r2", "2019", "baseline")}
	if err := b.StartJob(ctx, run2, run2Tasks, true); err != nil {
		t.Fatal(err)
	}
	if d := next(t, b); d.Task.Job != "other" {
		t.Errorf("after a new run of ga: got %s, want the other job's task", d.Task.ID())
	}
	empty(t, b)
	_, states, err = b.State(ctx, "ga")
	if err != nil {
		t.Fatal(err)
	}
	if got := count(states); got != "queued=1" {
		t.Errorf("states after a new run: got %s, want queued=1 (the old run forgotten)", got)
	}
}

func count(states []bus.TaskState) string {
	n := map[plan.Status]int{}
	for _, s := range states {
		n[s.Status]++
	}
	var out string
	for _, s := range []plan.Status{plan.Queued, plan.Running, plan.Done, plan.Failed} {
		if n[s] > 0 {
			if out != "" {
				out += " "
			}
			out += fmt.Sprintf("%s=%d", s, n[s])
		}
	}
	return out
}
