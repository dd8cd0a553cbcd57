//go:build unix

package clustertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/internal/testenv"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// The job every fault test runs: three years of synthetic tables in S3,
// two scenarios each, six tasks, outputs to S3.
const (
	jobName = "faults"
	outPath = "out" // the output prefix in the bucket
)

// Timings of the cluster, short so that faults show quickly.
const (
	ackWait = 4 * time.Second // a silent worker loses its task after this
	lease   = 3 * time.Second // a silent coordinator loses the job after this
	jobTime = 3 * time.Minute // bound on one job, faults included
)

// The passwords of deploy/nats.conf's users, for every cluster.
const (
	coordinatorPassword = "coordinator-secret-for-tests"
	workerPassword      = "worker-secret-for-tests"
)

// cluster is a NATS server and an S3 server holding the job's tables,
// each a process of its own, and the workers and coordinators a test
// starts on them.
type cluster struct {
	t        *testing.T
	dir      string
	s3       *testenv.S3Server
	bucket   store.Store
	natsPort int
	natsDir  string
	nats     *proc
	jobFile  string
	uploaded int     // table files in the bucket
	procs    []*proc // every process started, for the check of secrets
}

// newCluster starts the servers, uploads the tables and writes the job.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("the fault tests run processes for minutes; skipped with -short")
	}
	c := &cluster{t: t, dir: t.TempDir(), s3: testenv.StartS3(t)}
	// No process may print a secret, whatever happened.
	t.Cleanup(func() {
		for _, p := range c.procs {
			<-p.done // killed by its own cleanup, which ran first
			for _, secret := range []string{c.s3.SecretKey, coordinatorPassword, workerPassword} {
				if strings.Contains(p.out.String(), secret) {
					t.Errorf("%s printed a secret", p.name)
				}
			}
		}
	})
	var err error
	c.bucket, err = store.Open(context.Background(), "s3://"+c.s3.Bucket, store.Options{
		Endpoint: c.s3.Endpoint, AccessKey: c.s3.AccessKey, SecretKey: c.s3.SecretKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.upload()
	c.writeJob()
	c.natsPort = freePort(t)
	c.natsDir = filepath.Join(c.dir, "nats")
	if err := os.MkdirAll(c.natsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	c.startNATS()
	return c
}

// upload puts the synthetic tables below tables/<year>/ in the bucket.
func (c *cluster) upload() {
	ctx := context.Background()
	err := filepath.WalkDir(tables, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tables, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		c.uploaded++
		return c.bucket.Put(ctx, "tables/"+filepath.ToSlash(rel), data)
	})
	if err != nil {
		c.t.Fatal(err)
	}
}

// writeJob writes the job file.
func (c *cluster) writeJob() {
	var b strings.Builder
	fmt.Fprintf(&b, "job: %s\noutput: s3://%s/%s\ntables:\n", jobName, c.s3.Bucket, outPath)
	for _, y := range years {
		fmt.Fprintf(&b, "  - {year: %q, format: pymrio, path: s3://%s/tables/%s}\n", y.year, c.s3.Bucket, y.year)
	}
	b.WriteString("scenarios:\n  - name: baseline\n  - name: low\n    shocks: [{target: S, region: R001, scale: 0.5}]\n")
	c.jobFile = filepath.Join(c.dir, "job.yaml")
	if err := os.WriteFile(c.jobFile, []byte(b.String()), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// url is the NATS server's address.
func (c *cluster) url() string { return "nats://127.0.0.1:" + strconv.Itoa(c.natsPort) }

// natsEnv is the environment of the NATS server: the passwords its
// configuration reads.
func natsEnv() []string {
	return []string{
		"MRIOFLOW_COORDINATOR_PASSWORD=" + coordinatorPassword,
		"MRIOFLOW_WORKER_PASSWORD=" + workerPassword,
		"NATS_SYSTEM_PASSWORD=system-secret-for-tests",
	}
}

// natsConf writes deploy/nats.conf with its store folder moved to dir
// (the server refuses -sd beside a store_dir) and returns its path.
func natsConf(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "deploy", "nats.conf"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^(\s*store_dir:).*$`)
	if !re.Match(data) {
		t.Fatal("deploy/nats.conf sets no store_dir")
	}
	conf := filepath.Join(dir, "nats.conf")
	data = re.ReplaceAll(data, []byte("${1} "+strconv.Quote(filepath.Join(dir, "jetstream"))))
	if err := os.WriteFile(conf, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return conf
}

// startNATS starts the NATS server with deploy/nats.conf, on the
// cluster's port and store folder, and waits until it listens.
func (c *cluster) startNATS() {
	c.nats = start(c.t, "nats", "natsd", natsEnv(),
		"-c", natsConf(c.t, c.natsDir), "-a", "127.0.0.1", "-p", strconv.Itoa(c.natsPort))
	c.procs = append(c.procs, c.nats)
	waitPort(c.t, fmt.Sprintf("127.0.0.1:%d", c.natsPort), 20*time.Second)
}

// env is the environment of the workers and coordinators: where S3 is,
// its keys, and the NATS user.
func (c *cluster) env(user, password string) []string {
	return []string{
		"AWS_ENDPOINT_URL_S3=" + c.s3.Endpoint,
		"AWS_ACCESS_KEY_ID=" + c.s3.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + c.s3.SecretKey,
		"MRIOFLOW_NATS_USER=" + user,
		"MRIOFLOW_NATS_PASSWORD=" + password,
	}
}

// worker starts a worker process named name, with a table cache of its
// own.
func (c *cluster) worker(name string, args ...string) *proc {
	c.t.Helper()
	all := append([]string{"--nats", c.url(), "--name", name, "--backend", "gonum",
		"--cache", filepath.Join(c.dir, "cache-"+name), "-v"}, args...)
	p := start(c.t, name, "worker", c.env("worker", workerPassword), all...)
	c.procs = append(c.procs, p)
	return p
}

// coordinator starts `coordinator run` on the job with outside workers.
func (c *cluster) coordinator(name string, args ...string) *proc {
	c.t.Helper()
	all := append([]string{"run", c.jobFile, "--nats", c.url(), "--workers", "0",
		"--ack-wait", ackWait.String(), "--lease", lease.String(), "--cache", filepath.Join(c.dir, "cache-"+name), "-v"}, args...)
	p := start(c.t, name, "coordinator", c.env("coordinator", coordinatorPassword), all...)
	c.procs = append(c.procs, p)
	return p
}

// run runs the job undisturbed on two workers and waits for its end.
func (c *cluster) run() {
	c.t.Helper()
	c.worker("w1")
	c.worker("w2")
	if code := c.coordinator("c1").wait(c.t, jobTime); code != 0 {
		c.t.Fatalf("coordinator: exit %d", code)
	}
}

// result is what a run left in the bucket: every output by its key below
// the job, and the manifest with what differs between runs cleared.
type result struct {
	outputs  map[string][]byte
	manifest plan.Manifest
}

// result reads what the job left in the bucket.
func (c *cluster) result() result {
	c.t.Helper()
	ctx := context.Background()
	prefix := outPath + "/" + jobName + "/"
	keys, err := c.bucket.List(ctx, prefix)
	if err != nil {
		c.t.Fatal(err)
	}
	r := result{outputs: map[string][]byte{}}
	for _, k := range keys {
		data, err := c.bucket.Get(ctx, k)
		if err != nil {
			c.t.Fatal(err)
		}
		rel := strings.TrimPrefix(k, prefix)
		if rel == "manifest.json" {
			if err := json.Unmarshal(data, &r.manifest); err != nil {
				c.t.Fatal(err)
			}
			continue
		}
		r.outputs[rel] = data
	}
	if r.manifest.Job == "" {
		c.t.Fatalf("no manifest among %v", keys)
	}
	return r
}

// normalized is the manifest without what changes from run to run: the
// run, the clock, the timings, and which worker did what on which
// attempt.
func normalized(m plan.Manifest) string {
	m.Run, m.Version = "", ""
	m.Started, m.Finished = time.Time{}, time.Time{}
	m.Timings = plan.JobTimings{}
	m.Tasks = slices.Clone(m.Tasks)
	for i := range m.Tasks {
		m.Tasks[i].Timings = plan.Timings{}
		m.Tasks[i].Worker, m.Tasks[i].Attempt = "", 0
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	return string(b)
}

// reference is the result of an undisturbed run, made once.
var reference = struct {
	once sync.Once
	r    result
	ok   bool
}{}

func undisturbed(t *testing.T) result {
	t.Helper()
	if testing.Short() {
		t.Skip("the fault tests run processes for minutes; skipped with -short")
	}
	reference.once.Do(func() {
		c := newCluster(t)
		c.run()
		reference.r = c.result()
		reference.ok = len(reference.r.outputs) > 0 && reference.r.manifest.Complete()
	})
	if !reference.ok {
		t.Fatal("the undisturbed run failed")
	}
	return reference.r
}

// same checks that got holds exactly the outputs of want, byte for byte,
// and the same manifest but for timings, workers and attempts.
func same(t *testing.T, got, want result) {
	t.Helper()
	for k, w := range want.outputs {
		g, ok := got.outputs[k]
		switch {
		case !ok:
			t.Errorf("output %s missing", k)
		case string(g) != string(w):
			t.Errorf("output %s differs from the undisturbed run's (%d bytes, want %d)", k, len(g), len(w))
		}
	}
	for k := range got.outputs {
		if _, ok := want.outputs[k]; !ok {
			t.Errorf("output %s not in the undisturbed run", k)
		}
	}
	if g, w := normalized(got.manifest), normalized(want.manifest); g != w {
		t.Errorf("manifest differs from the undisturbed run's:\n%s", firstDifference(g, w))
	}
}

// firstDifference shows where two texts first differ, line by line.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("got %d lines, want %d", len(g), len(w))
}

// task is the id of a task of the job.
func task(year, scenario string) string { return jobName + "/" + year + "/" + scenario + "/all" }

// allTasks are the ids of the job's tasks.
func allTasks() []string {
	var out []string
	for _, y := range years {
		for _, s := range []string{"baseline", "low"} {
			out = append(out, task(y.year, s))
		}
	}
	return out
}

// stopNATS stops the NATS server with sig and waits for it.
func (c *cluster) stopNATS(sig syscall.Signal) {
	c.nats.signal(c.t, sig)
	c.nats.wait(c.t, 30*time.Second)
}
