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
	must(t, b.Report(ctx, other))
	must(t, b.Report(ctx, mine))
	// The same report again (a retry after a lost confirmation) is kept once.
	must(t, b.Report(ctx, mine))
	w, err := b.Watch(ctx, "ga", "r1", func(err error) { t.Errorf("watch: %v", err) })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	late := plan.NewReport(task("ga", "r1", "2020", "baseline"))
	late.Status, late.Error = plan.Failed, "2020/baseline: singular"
	must(t, b.Report(ctx, late))
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
		t.Errorf("a report of another run, or a duplicate, came through: %+v", got)
	}
	stored, err := b.Reports(ctx, "ga", "r1")
	if err != nil || len(stored) != 2 || stored[0].Task != mine.Task || stored[1].Error != late.Error {
		t.Errorf("Reports: %+v, %v; want the two of run r1", stored, err)
	}
	if none, err := b.Reports(ctx, "ga", "r9"); err != nil || len(none) != 0 {
		t.Errorf("Reports of a run without any: %+v, %v", none, err)
	}
}

func TestQueuedAndRequeue(t *testing.T) {
	b := connect(t, bus.Options{})
	ctx := ctxFor(t, 10*time.Second)
	tk := task("ga", "r1", "2019", "baseline")
	queued := func(want bool) {
		t.Helper()
		got, err := b.Queued(ctx, tk)
		if err != nil || got != want {
			t.Fatalf("Queued = %v, %v; want %v", got, err, want)
		}
	}
	queued(false)
	publish(t, b, tk)
	queued(true)
	// Taken but not answered: still queued.
	d := next(t, b)
	queued(true)
	must(t, d.Ack(ctx))
	queued(false)
	// Published again within the window: dropped, so Requeue is needed.
	if _, dup, err := b.Publish(ctx, tk); err != nil || !dup {
		t.Fatalf("re-publish: duplicate %v, %v", dup, err)
	}
	queued(false)
	must(t, b.Requeue(ctx, tk))
	queued(true)
	// Another run's task under the same name is not this run's.
	other := tk
	other.Run = "r2"
	if got, err := b.Queued(ctx, other); err != nil || got {
		t.Errorf("Queued for run r2 = %v, %v; want false", got, err)
	}
}

func TestRetryWaits(t *testing.T) {
	b := connect(t, bus.Options{})
	ctx := ctxFor(t, 10*time.Second)
	publish(t, b, task("ga", "r1", "2019", "baseline"))
	must(t, next(t, b).Retry(time.Second))
	empty(t, b) // not before the delay
	start := time.Now()
	d := next(t, b)
	if d.Attempt != 2 {
		t.Errorf("after Retry: attempt %d, want 2", d.Attempt)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("handed out again after %s, want about a second", waited)
	}
	must(t, d.Ack(ctx))
}

func TestBindKeepsTheServersSettings(t *testing.T) {
	srv, err := bus.StartServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown() })
	ctx := ctxFor(t, 10*time.Second)
	// A worker that comes first creates what it needs.
	w, err := bus.Connect(ctx, srv.URL(), bus.Options{Bind: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got := w.AckWait(ctx); got != 2*time.Minute {
		t.Errorf("AckWait of a worker first on the server: %s, want the default", got)
	}
	c, err := bus.Connect(ctx, srv.URL(), bus.Options{AckWait: 7 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The coordinator sets it; a worker reads it, whatever it was told.
	w2, err := bus.Connect(ctx, srv.URL(), bus.Options{Bind: true, AckWait: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	for _, b := range []*bus.Bus{w, w2} {
		if got := b.AckWait(ctx); got != 7*time.Second {
			t.Errorf("AckWait seen by a worker: %s, want the coordinator's 7s", got)
		}
	}
}

func TestRunState(t *testing.T) {
	b := connect(t, bus.Options{})
	ctx := ctxFor(t, 10*time.Second)
	if _, _, err := b.State(ctx, "ga"); !errors.Is(err, bus.ErrNoJob) {
		t.Fatalf("state of an unknown job: %v, want ErrNoJob", err)
	}
	old := []plan.Task{task("ga", "r0", "2019", "baseline")}
	claim(t, b, "r0", 0)
	must(t, b.StartRun(ctx, "r0", old, nil))
	publish(t, b, old[0], task("other", "r1", "2019", "baseline"))

	tasks := []plan.Task{task("ga", "r1", "2019", "baseline"), task("ga", "r1", "2020", "baseline")}
	inputs := []plan.Input{{Year: "2019", Format: "pymrio", Path: "s3://b/2019", Files: []plan.File{{Path: "Z.txt", Bytes: 3, SHA256: "ab"}}}}
	_, rev, err := b.Job(ctx, "ga")
	must(t, err)
	claim(t, b, "r1", rev)
	must(t, b.StartRun(ctx, "r1", tasks, inputs))
	running := bus.NewTaskState(tasks[1], plan.Running)
	running.Worker = "w1"
	must(t, b.SetTask(ctx, running))
	// A worker of the old run cannot touch the new run's states.
	must(t, b.SetTask(ctx, bus.NewTaskState(old[0], plan.Done)))

	run, states, err := b.State(ctx, "ga")
	must(t, err)
	if run.Run != "r1" || run.Tasks != 2 || run.Owner != "me" {
		t.Errorf("run: got %+v", run)
	}
	if got := count(states); got != "queued=1 running=1" {
		t.Errorf("states: got %s, want queued=1 running=1", got)
	}
	got, err := b.Inputs(ctx, "ga", "r1")
	if err != nil || fmt.Sprint(got) != fmt.Sprint(inputs) {
		t.Errorf("inputs: %+v, %v; want %+v", got, err, inputs)
	}
	if s, err := b.TaskState(ctx, tasks[1]); err != nil || s == nil || s.Worker != "w1" {
		t.Errorf("TaskState: %+v, %v", s, err)
	}
	if s, err := b.TaskState(ctx, task("ga", "r1", "1999", "baseline")); err != nil || s != nil {
		t.Errorf("TaskState of an unknown task: %+v, %v; want none", s, err)
	}
	// The old run's queued task went with it; the other job's stays.
	if d := next(t, b); d.Task.Job != "other" {
		t.Errorf("after a new run of ga: got %s, want the other job's task", d.Task.ID())
	}
	empty(t, b)
}

// claim claims job ga for owner "me" with run, at revision rev.
func claim(t *testing.T, b *bus.Bus, run string, rev uint64) *bus.Lease {
	t.Helper()
	l, err := b.Claim(ctxFor(t, 5*time.Second), bus.JobState{
		Job: "ga", Run: run, Tasks: 2, Status: plan.Running, Started: time.Now(), Owner: "me", Lease: time.Minute,
	}, rev)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLease(t *testing.T) {
	b := connect(t, bus.Options{})
	ctx := ctxFor(t, 20*time.Second)
	s := bus.JobState{Job: "ga", Run: "r1", Status: plan.Running, Owner: "a", Lease: time.Second}
	l, err := b.Claim(ctx, s, 0)
	must(t, err)
	// A second claim from what was read before loses.
	if _, err := b.Claim(ctx, bus.JobState{Job: "ga", Run: "r2", Owner: "b", Lease: time.Second}, 0); !errors.Is(err, bus.ErrConflict) {
		t.Fatalf("a claim of a held job: %v, want ErrConflict", err)
	}
	must(t, l.Renew(ctx))
	must(t, l.Update(ctx, func(s *bus.JobState) { s.Tasks = 9 }))

	// Wait waits while a renews, and returns once a falls silent.
	var waitedFor []string
	renewing := make(chan struct{})
	go func() {
		defer close(renewing)
		for range 4 {
			time.Sleep(300 * time.Millisecond)
			if err := l.Renew(ctx); err != nil {
				t.Error(err)
			}
		}
	}()
	start := time.Now()
	got, rev, err := b.Wait(ctx, "ga", func(h bus.JobState) { waitedFor = append(waitedFor, h.Owner) })
	must(t, err)
	<-renewing
	if waited := time.Since(start); waited < 1200*time.Millisecond {
		t.Errorf("Wait returned after %s while the holder renewed", waited)
	}
	if got.Tasks != 9 || len(waitedFor) != 1 || waitedFor[0] != "a" {
		t.Errorf("Wait: %+v, told of %v", got, waitedFor)
	}
	// b takes over; a learns it has lost the job.
	taken := *got
	taken.Owner = "b"
	lb, err := b.Claim(ctx, taken, rev)
	must(t, err)
	if err := l.Renew(ctx); !errors.Is(err, bus.ErrLost) {
		t.Errorf("renewal of a lease taken over: %v, want ErrLost", err)
	}
	// Released: no wait at all.
	must(t, lb.Release(ctx, func(s *bus.JobState) { s.Status = plan.Done }))
	start = time.Now()
	got, _, err = b.Wait(ctx, "ga", nil)
	must(t, err)
	if got.Owner != "" || got.Status != plan.Done || time.Since(start) > 500*time.Millisecond {
		t.Errorf("after release: %+v, waited %s", got, time.Since(start))
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
