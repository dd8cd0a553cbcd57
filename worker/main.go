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
	"syscall"

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

// serve runs the worker until stop ends and returns the exit status: 0
// after a signal, 1 when it cannot connect, 2 for a usage error.
func serve(stop, abort context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("nats", "", "`URL` of the NATS server (required)")
	host, _ := os.Hostname()
	name := fs.String("name", fmt.Sprintf("%s/%d", host, os.Getpid()), "worker `name` in reports")
	level := fs.String("log-level", "info", "log `level`: debug, info, warn or error")
	verbose := fs.Bool("v", false, "log at debug level")
	backendName := fs.String("backend", "auto", "factorization `backend`: auto (system LAPACK when present), gonum or lapack")
	var opts bus.Options
	opts.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil || *url == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: worker --nats URL [flags]")
		fs.PrintDefaults()
		return 2
	}
	if *verbose {
		lvl = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	backend, err := runner.Backend(*backendName)
	if err != nil {
		log.Error("backend", "err", err)
		return 2
	}

	b, err := bus.Connect(stop, *url, opts)
	if err != nil {
		log.Error("connect", "err", err)
		return 1
	}
	defer b.Close()
	log.Info("worker started", "name", *name, "nats", *url, "backend", backend.Name())
	runner.Serve(stop, b, runner.New(runner.Options{Backend: backend}), runner.ServeOptions{
		Worker: *name,
		Abort:  abort,
		OnStart: func(t plan.Task, attempt int) {
			log.Debug("task started", "task", t.ID(), "attempt", attempt)
		},
		OnReport: func(r plan.Report) {
			if r.Status == plan.Failed {
				log.Warn("task failed", "task", r.Task, "err", r.Error)
				return
			}
			log.Info("task done", "task", r.Task, "outputs", len(r.Outputs),
				"read_s", r.Timings.Read, "solve_s", r.Timings.Solve, "write_s", r.Timings.Write)
		},
		OnError: func(err error) { log.Warn("worker", "err", err) },
	})
	log.Info("worker stopped", "name", *name)
	return 0
}
