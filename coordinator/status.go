package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/plan"
)

// statusCommand shows the task states of a job's latest run.
func statusCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("coordinator status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: coordinator status JOB --nats URL [flags]")
		fs.PrintDefaults()
	}
	url := fs.String("nats", "", "`URL` of the NATS server the job ran on (required)")
	var opts bus.Options
	opts.AddFlags(fs)
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err == nil && (len(pos) != 1 || *url == "") {
		err = errors.New("want one job name and --nats")
		fmt.Fprintf(stderr, "coordinator status: %v\n", err)
		fs.Usage()
	}
	if err != nil {
		return exitUsage
	}

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	b, err := bus.Connect(ctx, *url, opts)
	if err != nil {
		fmt.Fprintf(stderr, "coordinator: %v\n", err)
		return exitFail
	}
	defer b.Close()
	run, tasks, err := b.State(ctx, pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "coordinator: %v\n", err)
		return exitFail
	}
	writeStatus(stdout, run, tasks)
	return exitOK
}

// writeStatus writes a run and its tasks: counts first, then every task
// not done.
func writeStatus(w io.Writer, run bus.JobState, tasks []bus.TaskState) {
	fmt.Fprintf(w, "job %s, run %s, %s, started %s", run.Job, run.Run, run.Status, run.Started.Format(time.RFC3339))
	if !run.Finished.IsZero() {
		fmt.Fprintf(w, ", finished %s", run.Finished.Format(time.RFC3339))
	}
	fmt.Fprintln(w)
	n := map[plan.Status]int{}
	for _, t := range tasks {
		n[t.Status]++
	}
	fmt.Fprintf(w, "tasks: %d: done %d, running %d, queued %d, failed %d\n",
		run.Tasks, n[plan.Done], n[plan.Running], n[plan.Queued], n[plan.Failed])
	for _, t := range tasks {
		switch t.Status {
		case plan.Running:
			fmt.Fprintf(w, "running %s on %s (attempt %d, since %s)\n", t.Task, t.Worker, t.Attempt, t.Updated.Format(time.RFC3339))
		case plan.Failed:
			fmt.Fprintf(w, "failed  %s: %s\n", t.Task, t.Error)
		}
	}
}
