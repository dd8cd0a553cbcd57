package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
)

func main() {
	stop, abort := signals()
	os.Exit(serve(stop, abort, os.Args[1:], os.Stderr))
}

// signals returns a context that ends at the first SIGINT or SIGTERM and
// one that ends at the second.
func signals() (stop, abort context.Context) {
	stop, stopCancel := context.WithCancel(context.Background())
	abort, abortCancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		stopCancel()
		<-ch
		abortCancel()
	}()
	return stop, abort
}

// connectWait bounds how long a worker waits for a NATS server that does
// not answer yet.
const connectWait = time.Minute

// flags are the worker's command line.
type flags struct {
	url, name, level, backend string
	verbose                   bool
	grace                     time.Duration
	bus                       bus.Options
	process                   runner.ProcessFlags
}

// parse reads the command line; it returns the exit status when the
// worker must not start (0 after -h, 2 for a usage error).
func (f *flags) parse(args []string, stderr io.Writer) (int, bool) {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: worker --nats URL [flags]")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\nEnvironment: %s stand in for the NATS flags;\n%s configure S3.\n",
			strings.Join(bus.EnvVars, ", "), strings.Join(runner.EnvVars, ", "))
	}
	fs.StringVar(&f.url, "nats", "", "`URL` of the NATS server (or $"+bus.EnvURL+"; required)")
	host, _ := os.Hostname()
	fs.StringVar(&f.name, "name", fmt.Sprintf("%s/%d", host, os.Getpid()), "worker `name` in reports")
	fs.StringVar(&f.level, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.BoolVar(&f.verbose, "v", false, "log at debug level")
	fs.StringVar(&f.backend, "backend", "auto", "factorization `backend`: auto (system LAPACK when present), gonum or lapack")
	fs.DurationVar(&f.grace, "grace", 20*time.Second, "after SIGTERM, how long the task at hand may take to finish before it is given back (a second signal gives it back at once)")
	f.bus.AddFlags(fs)
	f.process.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	f.url = bus.URLFromEnv(f.url)
	f.bus.FromEnv()
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(f.level)); err != nil || f.url == "" || fs.NArg() > 0 || f.grace < 0 {
		fs.Usage()
		return 2, false
	}
	return 0, true
}

// serve runs the worker until stop ends and returns the exit status: 0
// after a signal, 1 when it cannot connect, 2 for a usage error.
func serve(stop, abort context.Context, args []string, stderr io.Writer) int {
	var f flags
	if code, ok := f.parse(args, stderr); !ok {
		return code
	}
	var lvl slog.Level
	lvl.UnmarshalText([]byte(f.level))
	if f.verbose {
		lvl = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	backend, err := runner.Backend(f.backend)
	if err != nil {
		log.Error("backend", "err", err)
		return 2
	}

	// The task at hand is given back at a second signal, or once the
	// grace period after the first has passed.
	abort, cancelAbort := context.WithCancel(abort)
	defer cancelAbort()
	context.AfterFunc(stop, func() {
		timer := time.AfterFunc(f.grace, cancelAbort)
		context.AfterFunc(abort, func() { timer.Stop() })
	})

	f.bus.Bind = true // the coordinator sets AckWait for everyone
	f.bus.OnConnection = func(up bool, err error) {
		if up {
			log.Info("NATS connection back")
		} else {
			log.Warn("NATS connection lost; reconnecting", "err", err)
		}
	}
	connectCtx, cancel := context.WithTimeout(stop, connectWait)
	b, err := bus.Connect(connectCtx, f.url, f.bus)
	cancel()
	if err != nil {
		if errors.Is(err, bus.ErrRefused) {
			log.Error("NATS refused this worker's credentials; check --user/--password, --token, --creds or --nkey", "err", err)
		} else {
			log.Error("connect", "err", err)
		}
		return 1
	}
	defer b.Close()

	metrics := &runner.Metrics{}
	if f.process.HTTP != "" {
		h := runner.HealthHandler(metrics, func() error {
			if !b.Connected() {
				return errors.New("not connected to NATS")
			}
			return nil
		})
		at, err := runner.ServeHealth(stop, f.process.HTTP, h, func(err error) { log.Warn("health endpoint", "err", err) })
		if err != nil {
			log.Error("health endpoint", "err", err)
			return 1
		}
		log.Info("health and metrics", "address", at)
	}
	log.Info("worker started", "name", f.name, "nats", bus.RedactURL(f.url), "backend", backend.Name(),
		"ack_wait", b.AckWait(stop), "cache", cacheDir(f.process.CacheDir), "cache_max", f.process.CacheMax)
	rn := runner.New(runner.Options{
		Backend: backend, Store: f.process.StoreOpener(), CacheDir: f.process.CacheDir, Metrics: metrics,
		CacheMax: f.process.CacheMax, OnCacheWarning: func(err error) { log.Warn("table cache", "err", err) },
	})
	runner.Serve(stop, b, rn, runner.ServeOptions{
		Worker:  f.name,
		Abort:   abort,
		Metrics: metrics,
		OnStart: func(t plan.Task, attempt int) {
			log.Debug("task started", "task", t.ID(), "attempt", attempt)
		},
		OnReport: func(r plan.Report) {
			if r.Status == plan.Failed {
				log.Warn("task failed", "task", r.Task, "attempt", r.Attempt, "err", r.Error)
				return
			}
			log.Info("task done", "task", r.Task, "attempt", r.Attempt, "outputs", len(r.Outputs),
				"read_s", r.Timings.Read, "solve_s", r.Timings.Solve, "write_s", r.Timings.Write)
		},
		OnRetry: func(t plan.Task, attempt int, delay time.Duration, err error) {
			log.Warn("task given back to be tried again", "task", t.ID(), "attempt", attempt, "delay", delay, "err", err)
		},
		OnError: func(err error) { log.Warn("worker", "err", err) },
	})
	if abort.Err() != nil {
		log.Info("worker stopped; the task at hand was given back", "name", f.name)
	} else {
		log.Info("worker stopped", "name", f.name)
	}
	return 0
}

// cacheDir is the table cache in effect.
func cacheDir(flag string) string {
	if flag != "" {
		return flag
	}
	return runner.DefaultCacheDir()
}
