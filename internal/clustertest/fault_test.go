//go:build unix

package clustertest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/plan"
)

// A worker killed in the middle of a task: its task goes to the other
// worker once the ack deadline passes; nothing is missing or written
// twice.
func TestKillWorkerMidTask(t *testing.T) {
	want := undisturbed(t)
	c := newCluster(t)
	w1 := c.worker("w1")
	w2 := c.worker("w2", "--http", "127.0.0.1:0")
	coord := c.coordinator("c1")
	m := w1.waitFor(t, taskStarted, time.Minute)
	time.Sleep(200 * time.Millisecond) // into the read or the solve
	w1.kill()
	killed := m[1]
	if code := coord.wait(t, jobTime); code != 0 {
		t.Fatalf("coordinator: exit %d", code)
	}
	got := c.result()
	same(t, got, want)
	// The killed task was finished by the other worker, on a later
	// attempt.
	for _, r := range got.manifest.Tasks {
		if r.Task == killed && (r.Worker != "w2" || r.Attempt < 2) {
			t.Errorf("task %s killed on w1: record %+v, want it done by w2 on a later attempt", killed, r)
		}
	}
	// The surviving worker's metrics count its tasks and its bytes.
	addr := w2.waitFor(t, regexp.MustCompile(`msg="health and metrics" address=(\S+)`), time.Second)[1]
	metrics := get(t, "http://"+addr+"/metrics")
	for _, name := range []string{"mrioflow_tasks_done_total", "mrioflow_input_bytes_fetched_total", "mrioflow_output_bytes_written_total"} {
		if v := sample(t, metrics, name); v <= 0 {
			t.Errorf("%s = %v on the surviving worker, want more than 0", name, v)
		}
	}
}

// The coordinator killed in the middle of the job and started again with
// the same command: it resumes the run, and the tasks done are not
// computed again.
func TestRestartCoordinator(t *testing.T) {
	want := undisturbed(t)
	c := newCluster(t)
	w1, w2 := c.worker("w1"), c.worker("w2")
	first := c.coordinator("c1")
	w1.waitFor(t, regexp.MustCompile(`msg="task done"`), time.Minute)
	first.kill()
	second := c.coordinator("c2")
	if code := second.wait(t, jobTime); code != 0 {
		t.Fatalf("second coordinator: exit %d", code)
	}
	m := second.waitFor(t, regexp.MustCompile(`msg="resuming the job's unfinished run" run=\S+ tasks=6 final=(\d+)`), time.Second)
	if n, _ := strconv.Atoi(m[1]); n < 1 {
		t.Errorf("resumed with %d tasks final, want at least the one seen done", n)
	}
	same(t, c.result(), want)
	for _, id := range allTasks() {
		if n := w1.count(startedOf(id)) + w2.count(startedOf(id)); n != 1 {
			t.Errorf("task %s started %d times, want once", id, n)
		}
	}
}

// The NATS server killed in the middle of the job and started again on
// its store: workers and coordinator reconnect, and the job completes.
func TestRestartNATS(t *testing.T) {
	want := undisturbed(t)
	c := newCluster(t)
	w1, w2 := c.worker("w1"), c.worker("w2")
	coord := c.coordinator("c1")
	w1.waitFor(t, taskStarted, time.Minute)
	time.Sleep(300 * time.Millisecond)
	c.stopNATS(syscall.SIGKILL)
	time.Sleep(2 * time.Second)
	c.startNATS()
	if code := coord.wait(t, jobTime); code != 0 {
		t.Fatalf("coordinator: exit %d", code)
	}
	same(t, c.result(), want)
	for _, p := range []*proc{w1, w2, coord} {
		p.waitFor(t, regexp.MustCompile(`NATS connection back`), time.Second)
	}
}

// The S3 server unreachable for ten seconds in the middle of the job:
// the stores retry, and the job completes.
func TestS3Outage(t *testing.T) {
	want := undisturbed(t)
	c := newCluster(t)
	c.worker("w1")
	w2 := c.worker("w2")
	coord := c.coordinator("c1")
	w2.waitFor(t, taskStarted, time.Minute)
	c.s3.Stop()
	time.Sleep(10 * time.Second)
	c.s3.Start()
	if code := coord.wait(t, jobTime); code != 0 {
		t.Fatalf("coordinator: exit %d", code)
	}
	same(t, c.result(), want)
}

// A poison task: one year's table is damaged after the coordinator
// checked it. Its tasks fail once, naming the year; the job fails with a
// manifest that records it; the other years' outputs are intact.
func TestPoisonTask(t *testing.T) {
	want := undisturbed(t)
	c := newCluster(t)
	w1, w2 := c.worker("w1"), c.worker("w2")
	coord := c.coordinator("c1")
	coord.waitFor(t, regexp.MustCompile(`msg="tables checked, publishing tasks"`), time.Minute)
	// The last year's tasks run last, after the damage.
	if err := c.bucket.Put(context.Background(), "tables/2021/Z.txt", []byte("region\tR000\nsector\ts000\nbroken\n")); err != nil {
		t.Fatal(err)
	}
	if code := coord.wait(t, jobTime); code != 1 {
		t.Fatalf("coordinator: exit %d, want 1", code)
	}
	if out := coord.out.String(); !strings.Contains(out, "failed: faults/2021/baseline/all") || !strings.Contains(out, "tasks failed") {
		t.Errorf("the coordinator does not name the failed year's tasks")
	}
	got := c.result()
	if len(got.manifest.Failures) != 2 {
		t.Fatalf("failures %+v, want the two tasks of 2021", got.manifest.Failures)
	}
	for _, f := range got.manifest.Failures {
		if f.Year != "2021" || !strings.Contains(f.Error, "year 2021") || !strings.Contains(f.Error, "tables/2021/Z.txt") ||
			!strings.Contains(f.Error, "changed since the job was planned") || strings.Contains(f.Error, c.dir) {
			t.Errorf("failure %+v, want 2021's, naming the year and the file in S3, not its copy", f)
		}
	}
	for k, w := range want.outputs {
		g, ok := got.outputs[k]
		switch {
		case strings.Contains(k, "year=2021/"):
			if ok {
				t.Errorf("output %s of the poisoned year written", k)
			}
		case string(g) != string(w):
			t.Errorf("output %s missing or changed", k)
		}
	}
	for _, id := range []string{task("2021", "baseline"), task("2021", "low")} {
		if n := w1.count(startedOf(id)) + w2.count(startedOf(id)); n != 1 {
			t.Errorf("poisoned task %s started %d times, want once", id, n)
		}
	}
	for _, r := range got.manifest.Tasks {
		if r.Year == "2021" && (r.Status != plan.Failed || r.Attempt != 1) {
			t.Errorf("task record %+v, want failed on attempt 1", r)
		}
	}
}

// A worker frozen past its ack deadline while the other takes its task
// over: both finish it, and the outputs are the same whichever answer
// the server takes.
func TestWorkerPastAckDeadline(t *testing.T) {
	want := undisturbed(t)
	c := newCluster(t)
	w1, w2 := c.worker("w1"), c.worker("w2")
	coord := c.coordinator("c1")
	m := w1.waitFor(t, taskStarted, time.Minute)
	frozen := m[1]
	w1.signal(t, syscall.SIGSTOP)
	w2.waitFor(t, startedAttempt(frozen, 2), ackWait+40*time.Second)
	w1.signal(t, syscall.SIGCONT)
	if code := coord.wait(t, jobTime); code != 0 {
		t.Fatalf("coordinator: exit %d", code)
	}
	same(t, c.result(), want)
	// The frozen worker woke up and finished its copy too.
	w1.waitFor(t, regexp.MustCompile(`msg="task done" task=`+regexp.QuoteMeta(frozen)+` attempt=1`), 30*time.Second)
}

// A worker told to stop in the middle of a task, with no grace: it gives
// the task back at once and exits 0; another worker finishes the job.
func TestWorkerSIGTERM(t *testing.T) {
	want := undisturbed(t)
	c := newCluster(t)
	w1 := c.worker("w1", "--grace", "0s")
	c.worker("w2")
	coord := c.coordinator("c1")
	m := w1.waitFor(t, taskStarted, time.Minute)
	w1.signal(t, syscall.SIGTERM)
	start := time.Now()
	if code := w1.wait(t, 10*time.Second); code != 0 {
		t.Errorf("worker exit %d after SIGTERM, want 0", code)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the worker took %s to stop", d)
	}
	w1.waitFor(t, regexp.MustCompile(`the task at hand was given back`), time.Second)
	if code := coord.wait(t, jobTime); code != 0 {
		t.Fatalf("coordinator: exit %d", code)
	}
	same(t, c.result(), want)
	for _, r := range c.result().manifest.Tasks {
		if r.Task == m[1] && r.Worker != "w2" {
			t.Errorf("task %s given back by w1: record %+v, want it done by w2", m[1], r)
		}
	}
}

// NATS with authentication: a worker with a wrong password is refused at
// once, with a message that says so and no password in it.
func TestWrongCredentials(t *testing.T) {
	c := newCluster(t)
	for _, tt := range []struct{ name, user, password string }{
		{"wrong password", "worker", "not-the-password"},
		{"no user", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := start(t, "intruder", "worker", c.env(tt.user, tt.password), "--nats", c.url())
			if code := p.wait(t, 10*time.Second); code != 1 {
				t.Fatalf("exit %d, want 1", code)
			}
			out := p.out.String()
			if !strings.Contains(out, "refused") || !strings.Contains(out, "credentials") {
				t.Errorf("the message does not say the credentials were refused:\n%s", out)
			}
			if tt.password != "" && strings.Contains(out, tt.password) {
				t.Errorf("the password shows in the output")
			}
		})
	}
}

// An output location that escapes its prefix, an absolute key, or a
// bucket that does not exist: a clear error before any work starts.
func TestBadOutputLocation(t *testing.T) {
	c := newCluster(t)
	tests := []struct{ name, output, says string }{
		{"dot-dot", "s3://" + c.s3.Bucket + "/out/../../etc", `".."`},
		{"absolute key", "s3://" + c.s3.Bucket + "//etc/out", "starts with a slash"},
		{"no such bucket", "s3://no-such-bucket/out", `bucket "no-such-bucket" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := c.coordinator("c-"+strings.ReplaceAll(tt.name, " ", "-"), "--output", tt.output)
			if code := p.wait(t, 30*time.Second); code != 1 {
				t.Fatalf("exit %d, want 1", code)
			}
			if !strings.Contains(p.out.String(), tt.says) {
				t.Errorf("output does not say %s", tt.says)
			}
		})
	}
	// Nothing started: no job recorded, no task queued, nothing written.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := bus.Connect(ctx, c.url(), bus.Options{User: "coordinator", Password: coordinatorPassword, Bind: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, _, err := b.State(ctx, jobName); !errors.Is(err, bus.ErrNoJob) {
		t.Errorf("job state: %v, want none", err)
	}
	if keys, err := c.bucket.List(ctx, ""); err != nil || len(keys) != c.uploaded {
		t.Errorf("bucket holds %d keys (%v), want only the tables' %d", len(keys), err, c.uploaded)
	}
}

// get returns the body of a GET of url.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d, %v", url, resp.StatusCode, err)
	}
	return string(body)
}

// sample is the value of an unlabelled sample in a metrics exposition.
func sample(t *testing.T, text, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no sample %s in:\n%s", name, text)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
