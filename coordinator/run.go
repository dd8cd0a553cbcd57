package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// runFlags are the flags of the run command.
type runFlags struct {
	workers     int
	nats        string
	output      string
	format      string
	restart     bool
	recompute   bool
	threshold   float64
	lease       time.Duration
	maxAttempts int
	drawsPer    int
	blocks      int
	backend     string
	logs        logFlags
	bus         bus.Options
	process     runner.ProcessFlags
}

func (f *runFlags) parse(args []string, stderr io.Writer) (jobFile string, err error) {
	fs := flag.NewFlagSet("coordinator run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: coordinator run JOB.yaml [flags]")
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), envHelp)
	}
	fs.IntVar(&f.workers, "workers", runtime.NumCPU(), "`number` of workers in this process; 0 leaves the tasks to outside workers (needs --nats)")
	fs.StringVar(&f.nats, "nats", "", "`URL` of a NATS server with JetStream (or $"+bus.EnvURL+"); none starts one in this process, whose state ends with it")
	fs.StringVar(&f.output, "output", "", "output `location`, a folder (relative to the working folder) or s3://bucket/prefix; overrides the spec's")
	fs.StringVar(&f.format, "output-format", "", "output `format`, arrow or parquet; overrides the spec's")
	fs.BoolVar(&f.restart, "restart", false, "drop the job's unfinished run, if any, and start afresh (without it, an unfinished run of the same job file is resumed)")
	fs.BoolVar(&f.recompute, "recompute-all", false, "compute every task, even those the previous complete run did from the same tables and spec (by default their outputs are reused)")
	fs.Float64Var(&f.threshold, "change-threshold", runner.DefaultChangeThreshold, "relative change of production, consumption or net exports beyond which changes.json flags a row (0.1 is 10 %)")
	fs.DurationVar(&f.lease, "lease", 20*time.Second, "how long this coordinator may fall silent before another may take the job over")
	fs.IntVar(&f.maxAttempts, "max-attempts", 5, "how many times a task may be handed out before it fails with its last error")
	fs.IntVar(&f.blocks, "blocks-per-year", 0, "split each (year, scenario) into this `number` of tasks over blocks of consuming regions, merged by the coordinator; 0 or 1 does not split (each block factorizes again: worth it only with several machines)")
	fs.IntVar(&f.drawsPer, "draws-per-task", plan.DrawsPerTask, "`number` of draws of a Monte Carlo scenario in one task")
	fs.DurationVar(&f.bus.AckWait, "ack-wait", 2*time.Minute, "how long a worker may hold a task without a sign of life before it goes to another (set on the server for every worker)")
	fs.StringVar(&f.backend, "backend", "auto", "factorization `backend` of the workers in this process: auto (system LAPACK when present), gonum or lapack")
	f.logs.add(fs)
	f.process.AddFlags(fs)
	f.bus.AddFlags(fs)

	pos, err := parseArgs(fs, args)
	if err != nil {
		return "", err
	}
	f.nats = bus.URLFromEnv(f.nats)
	f.bus.FromEnv()
	switch {
	case len(pos) != 1:
		err = fmt.Errorf("want one job file, got %d arguments", len(pos))
	case f.workers < 0:
		err = fmt.Errorf("--workers %d: want 0 or more", f.workers)
	case f.workers == 0 && f.nats == "":
		err = errors.New("--workers 0 needs --nats: with the embedded server nobody else would run the tasks")
	case f.format != "" && f.format != spec.OutputArrow && f.format != spec.OutputParquet:
		err = fmt.Errorf("--output-format %q: want arrow or parquet", f.format)
	case !(f.threshold > 0) || math.IsInf(f.threshold, 0):
		err = fmt.Errorf("--change-threshold %g: want a number above 0", f.threshold)
	case f.lease < time.Second:
		err = fmt.Errorf("--lease %s: want a second or more", f.lease)
	case f.maxAttempts < 1:
		err = fmt.Errorf("--max-attempts %d: want 1 or more", f.maxAttempts)
	case f.drawsPer < 1:
		err = fmt.Errorf("--draws-per-task %d: want 1 or more", f.drawsPer)
	case f.blocks < 0 || f.blocks > plan.MaxBlocksPerYear:
		err = fmt.Errorf("--blocks-per-year %d: want 0 to %d", f.blocks, plan.MaxBlocksPerYear)
	case f.bus.AckWait < time.Second:
		err = fmt.Errorf("--ack-wait %s: want a second or more", f.bus.AckWait)
	}
	if err != nil {
		fmt.Fprintf(stderr, "coordinator run: %v\n", err)
		fs.Usage()
		return "", err
	}
	return pos[0], nil
}

// runCommand runs a job and returns the exit status.
func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f runFlags
	jobFile, err := f.parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	bar := newProgress(stderr)
	log, err := f.logs.logger(bar)
	if err != nil {
		fmt.Fprintf(stderr, "coordinator run: %v\n", err)
		return exitUsage
	}
	fail := func(err error) int {
		bar.finish()
		fmt.Fprintf(stderr, "coordinator: %v\n", err)
		return exitFail
	}

	backend, err := runner.Backend(f.backend)
	if err != nil {
		fmt.Fprintf(stderr, "coordinator run: %v\n", err)
		return exitUsage
	}
	job, err := spec.Load(jobFile)
	if err != nil {
		return fail(err)
	}
	output := f.output
	if output != "" && !strings.Contains(output, "://") {
		if output, err = filepath.Abs(output); err != nil {
			return fail(err)
		}
	}

	url := f.nats
	if url == "" {
		if loc := outputFolder(output, job.Output); loc != "" {
			release, err := lockJob(loc, job.Job)
			if err != nil {
				return fail(err)
			}
			defer release()
		}
		srv, err := bus.StartServer()
		if err != nil {
			return fail(err)
		}
		defer func() {
			if err := srv.Shutdown(); err != nil {
				log.Warn("embedded NATS server", "err", err)
			}
		}()
		url = srv.URL()
	}
	f.bus.OnConnection = connectionLogger(log)
	b, err := bus.Connect(ctx, url, f.bus)
	if err != nil {
		return fail(err)
	}
	defer b.Close()
	metrics := &runner.Metrics{}
	if err := serveHealth(ctx, f.process.HTTP, metrics, b, log); err != nil {
		return fail(err)
	}
	attrs := []any{"job", job.Job, "file", jobFile, "tables", len(job.Tables),
		"scenarios", len(job.Scenarios), "workers", f.workers,
		"nats", bus.RedactURL(url), "embedded", f.nats == "", "ack_wait", f.bus.AckWait,
		"max_attempts", f.maxAttempts, "restart", f.restart, "recompute_all", f.recompute}
	if f.workers > 0 {
		attrs = append(attrs, "backend", backend.Name())
	}
	log.Info("starting", attrs...)

	// In-process workers serve until the job is over; a signal aborts
	// their tasks, which go back to the queue.
	cached := 1 // the first table, kept by the check for the workers
	if f.workers == 0 {
		cached = -1
	}
	rn := runner.New(runner.Options{
		Backend: backend, CacheTables: cached, Store: f.process.StoreOpener(),
		CacheDir: f.process.CacheDir, Metrics: metrics,
		CacheMax: f.process.CacheMax, OnCacheWarning: func(err error) { log.Warn("table cache", "err", err) },
	})
	workCtx, stopWorkers := context.WithCancel(ctx)
	var wg sync.WaitGroup
	host, _ := os.Hostname()
	for i := range f.workers {
		name := fmt.Sprintf("%s/%d/%d", host, os.Getpid(), i+1)
		wg.Go(func() {
			runner.Serve(workCtx, b, rn, runner.ServeOptions{
				Worker: name,
				Abort:  ctx,
				OnStart: func(t plan.Task, attempt int) {
					log.Debug("task started", "task", t.ID(), "worker", name, "attempt", attempt)
				},
				OnRetry: func(t plan.Task, attempt int, delay time.Duration, err error) {
					log.Warn("task given back to be tried again", "task", t.ID(), "worker", name, "attempt", attempt, "delay", delay, "err", err)
				},
				OnError: func(err error) { log.Warn("worker", "worker", name, "err", err) },
			})
		})
	}

	counts := newTaskCount()
	m, err := runner.Coordinate(ctx, b, job, runner.CoordinateOptions{
		Version:         version(),
		Output:          output,
		Format:          f.format,
		Restart:         f.restart,
		RecomputeAll:    f.recompute,
		ChangeThreshold: f.threshold,
		Lease:           f.lease,
		MaxAttempts:     f.maxAttempts,
		DrawsPerTask:    f.drawsPer,
		BlocksPerYear:   f.blocks,
		Merger:          rn,
		Ephemeral:       f.nats == "",
		Store:           f.process.StoreOpener(),
		Check:           rn.Check, // tables from S3 land in the workers' cache
		OnWait: func(h bus.JobState) {
			log.Info("another coordinator holds the job; waiting until it lets go or falls silent",
				"job", h.Job, "run", h.Run, "holder", h.Owner, "lease", h.Lease)
		},
		OnPlan: func(tasks, open []plan.Task, inputs []plan.Input, resumed bool) {
			counts.plan(open)
			final := len(tasks) - len(open)
			if resumed {
				log.Info("resuming the job's unfinished run", "run", tasks[0].Run, "tasks", len(tasks), "final", final)
			} else {
				log.Info("tables checked, publishing tasks", "run", tasks[0].Run, "tasks", len(tasks), "reused", final, "output", tasks[0].Output, "format", tasks[0].Format)
			}
			bar.start(len(tasks), final, steps(tasks))
		},
		OnReport: func(r plan.Report, final, total int) {
			metrics.Observe(r)
			logReport(log, r)
			bar.update(final, r)
			if done, failed, over := counts.report(r.Year+"\x00"+r.Scenario, r); over {
				log.Info("year and scenario finished", "year", r.Year, "scenario", r.Scenario, "tasks_done", done, "tasks_failed", failed)
			}
			if done, failed, over := counts.report(r.Year, r); over {
				log.Info("year finished", "year", r.Year, "tasks_done", done, "tasks_failed", failed)
			}
		},
		OnError:   func(err error) { log.Warn("coordinator", "err", err) },
		OnWarning: func(w plan.TaskWarning) { logRunWarning(log, w) },
	})
	stopWorkers()
	wg.Wait()
	bar.finish()
	if m != nil {
		summary(stdout, m, err)
	}
	if err != nil {
		return fail(err)
	}
	log.Info("job finished", "job", job.Job, "run", m.Run, "tasks", len(m.Tasks), "seconds", fmt.Sprintf("%.2f", m.Timings.Total))
	return exitOK
}

func logReport(log *slog.Logger, r plan.Report) {
	if r.Status == plan.Failed {
		log.Warn("task failed", "task", r.Task, "worker", r.Worker, "err", r.Error)
		return
	}
	log.Debug("task done", "task", r.Task, "worker", r.Worker, "outputs", len(r.Outputs),
		"read_s", r.Timings.Read, "solve_s", r.Timings.Solve, "write_s", r.Timings.Write)
	for _, w := range r.Warnings {
		log.Warn("warning", "task", r.Task, "kind", w.Kind, "msg", w.Message)
	}
}

// logRunWarning logs a warning of the whole run: a table's note, an
// object an earlier run left.
func logRunWarning(log *slog.Logger, w plan.TaskWarning) {
	switch w.Kind {
	case plan.Note:
		log.Info("table note", "year", w.Year, "table", w.Table, "note", w.Message)
	case plan.Stale:
		log.Warn("stale output: not written by this run, left in place", "key", w.Key)
	case plan.Change:
		log.Info("change report", "key", w.Key, "flagged", int(w.Amount), "msg", w.Message)
	default:
		log.Warn("warning", "kind", w.Kind, "msg", w.Message)
	}
}

// summary writes what the run produced to w; err is Coordinate's.
func summary(w io.Writer, m *plan.Manifest, err error) {
	if errors.Is(err, bus.ErrLost) {
		fmt.Fprintf(w, "job %s, run %s: taken over by another coordinator\n", m.Job, m.Run)
		return
	}
	done := len(m.Tasks) - len(m.Failures) - m.Pending()
	if m.Interrupted {
		fmt.Fprintf(w, "job %s, run %s: interrupted with %d of %d tasks done, %d failed, %d open\n",
			m.Job, m.Run, done, len(m.Tasks), len(m.Failures), m.Pending())
		if !errors.Is(err, runner.ErrManifestKept) {
			fmt.Fprintf(w, "partial manifest: %s\n", join(m.Output, plan.ManifestKey(m.Job)))
		}
		return
	}
	if m.Finished.IsZero() {
		fmt.Fprintf(w, "job %s, run %s: stopped with %d of %d tasks done, %d failed, %d open; the same command resumes it, --restart starts afresh\n",
			m.Job, m.Run, done, len(m.Tasks), len(m.Failures), m.Pending())
		return
	}
	fmt.Fprintf(w, "job %s, run %s: %d of %d tasks done, %d reused, %d failed, %d outputs, %d warnings, %.2fs\n",
		m.Job, m.Run, done, len(m.Tasks), m.Reused(), len(m.Failures), len(m.Outputs), len(m.Warnings), m.Timings.Total)
	fmt.Fprintf(w, "manifest: %s\n", join(m.Output, plan.ManifestKey(m.Job)))
	for _, f := range m.Failures {
		fmt.Fprintf(w, "failed: %s: %s\n", f.Task, f.Error)
	}
	if n := m.Pending(); n > 0 {
		fmt.Fprintf(w, "not finished: %d tasks\n", n)
	}
}

// join puts a key below a location: a folder or a URL.
func join(location, key string) string {
	if strings.Contains(location, "://") {
		return strings.TrimSuffix(location, "/") + "/" + key
	}
	return filepath.Join(location, filepath.FromSlash(key))
}

// yearCount tells when every task of a year is final.
// steps counts the merges and summaries the coordinator writes after the
// tasks: one per (year, scenario) split into blocks of consumers or of
// draws.
func steps(tasks []plan.Task) int {
	seen := map[string]bool{}
	for _, t := range tasks {
		_, _, consumers := plan.ParseConsumerBlock(t.Block)
		_, _, draws := plan.ParseDrawBlock(t.Block)
		if consumers || draws {
			seen[t.Year+"\x00"+t.Scenario] = true
		}
	}
	return len(seen)
}

type taskCount struct {
	open, done, failed map[string]int
}

func newTaskCount() *taskCount {
	return &taskCount{open: map[string]int{}, done: map[string]int{}, failed: map[string]int{}}
}

// plan counts the tasks still to run, by year and by year and scenario.
func (c *taskCount) plan(open []plan.Task) {
	for _, t := range open {
		c.open[t.Year]++
		c.open[t.Year+"\x00"+t.Scenario]++
	}
}

// report counts a final report against key (a year, or a year and a
// scenario) and says whether the tasks of key are over.
func (c *taskCount) report(key string, r plan.Report) (done, failed int, over bool) {
	c.open[key]--
	if r.Status == plan.Failed {
		c.failed[key]++
	} else {
		c.done[key]++
	}
	return c.done[key], c.failed[key], c.open[key] == 0
}

// outputFolder returns the absolute local folder a run writes to, from the
// --output flag or else the spec's output; "" for an object store.
func outputFolder(flagOutput, specOutput string) string {
	loc := flagOutput
	if loc == "" {
		loc = specOutput
	}
	if loc == "" || strings.Contains(loc, "://") {
		return ""
	}
	abs, err := filepath.Abs(loc)
	if err != nil {
		return ""
	}
	return abs
}
