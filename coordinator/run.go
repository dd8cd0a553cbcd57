package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// runFlags are the flags of the run command.
type runFlags struct {
	workers int
	nats    string
	output  string
	format  string
	force   bool
	backend string
	logs    logFlags
	bus     bus.Options
}

func (f *runFlags) parse(args []string, stderr io.Writer) (jobFile string, err error) {
	fs := flag.NewFlagSet("coordinator run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: coordinator run JOB.yaml [flags]")
		fs.PrintDefaults()
	}
	fs.IntVar(&f.workers, "workers", runtime.NumCPU(), "`number` of workers in this process; 0 leaves the tasks to outside workers (needs --nats)")
	fs.StringVar(&f.nats, "nats", "", "`URL` of a NATS server with JetStream; empty starts one in this process")
	fs.StringVar(&f.output, "output", "", "output `location`, a folder (relative to the working folder) or s3://bucket/prefix; overrides the spec's")
	fs.StringVar(&f.format, "output-format", "", "output `format`, arrow or parquet; overrides the spec's")
	fs.BoolVar(&f.force, "force", false, "start even when the job's last run is recorded as still running")
	fs.StringVar(&f.backend, "backend", "auto", "factorization `backend`: auto (system LAPACK when present), gonum or lapack")
	f.logs.add(fs)
	f.bus.AddFlags(fs)

	pos, err := parseArgs(fs, args)
	if err != nil {
		return "", err
	}
	switch {
	case len(pos) != 1:
		err = fmt.Errorf("want one job file, got %d arguments", len(pos))
	case f.workers < 0:
		err = fmt.Errorf("--workers %d: want 0 or more", f.workers)
	case f.workers == 0 && f.nats == "":
		err = errors.New("--workers 0 needs --nats: with the embedded server nobody else would run the tasks")
	case f.format != "" && f.format != spec.OutputArrow && f.format != spec.OutputParquet:
		err = fmt.Errorf("--output-format %q: want arrow or parquet", f.format)
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
	b, err := bus.Connect(ctx, url, f.bus)
	if err != nil {
		return fail(err)
	}
	defer b.Close()
	log.Info("starting", "job", job.Job, "file", jobFile, "tables", len(job.Tables),
		"scenarios", len(job.Scenarios), "workers", f.workers, "backend", backend.Name(),
		"nats", url, "embedded", f.nats == "")

	// In-process workers serve until the job is over; a signal aborts
	// their tasks, which go back to the queue.
	rn := runner.New(runner.Options{Backend: backend})
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
				OnError: func(err error) { log.Warn("worker", "worker", name, "err", err) },
			})
		})
	}

	check := runner.Check
	if f.workers > 0 {
		check = rn.Check // the first table stays read for the workers
	}
	years := newYearCount()
	m, err := runner.Coordinate(ctx, b, job, runner.CoordinateOptions{
		Version: version(),
		Output:  output,
		Format:  f.format,
		Force:   f.force,
		Check:   check,
		OnPlan: func(tasks []plan.Task, inputs []plan.Input) {
			years.plan(tasks)
			log.Info("tables checked, publishing tasks", "tasks", len(tasks), "output", tasks[0].Output, "format", tasks[0].Format)
			bar.start(len(tasks))
		},
		OnReport: func(r plan.Report, final, total int) {
			logReport(log, r)
			bar.update(final, r.Status == plan.Failed)
			if done, failed, over := years.report(r); over {
				log.Info("year finished", "year", r.Year, "done", done, "failed", failed)
			}
		},
	})
	stopWorkers()
	wg.Wait()
	bar.finish()
	if m != nil {
		summary(stdout, m)
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
		log.Debug("warning", "task", r.Task, "kind", w.Kind, "msg", w.Message)
	}
}

// summary writes what the run produced to w.
func summary(w io.Writer, m *plan.Manifest) {
	done := len(m.Tasks) - len(m.Failures) - m.Pending()
	fmt.Fprintf(w, "job %s, run %s: %d of %d tasks done, %d failed, %d outputs, %d warnings, %.2fs\n",
		m.Job, m.Run, done, len(m.Tasks), len(m.Failures), len(m.Outputs), len(m.Warnings), m.Timings.Total)
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
type yearCount struct {
	open, done, failed map[string]int
}

func newYearCount() *yearCount {
	return &yearCount{open: map[string]int{}, done: map[string]int{}, failed: map[string]int{}}
}

func (y *yearCount) plan(tasks []plan.Task) {
	for _, t := range tasks {
		y.open[t.Year]++
	}
}

// report counts a final report and says whether its year is over.
func (y *yearCount) report(r plan.Report) (done, failed int, over bool) {
	y.open[r.Year]--
	if r.Status == plan.Failed {
		y.failed[r.Year]++
	} else {
		y.done[r.Year]++
	}
	return y.done[r.Year], y.failed[r.Year], y.open[r.Year] == 0
}
