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
	url := fs.String("nats", "", "`URL` of the NATS server the job ran on (or $"+bus.EnvURL+"; required)")
	var opts bus.Options
	opts.AddFlags(fs)
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	*url = bus.URLFromEnv(*url)
	opts.FromEnv()
	opts.Bind = true // a status changes nothing on the server
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
	writeStatus(stdout, run, tasks, time.Now())
	return exitOK
}

// writeStatus writes a run and its tasks: who holds it, counts,
// throughput, then every task running or failed.
func writeStatus(w io.Writer, run bus.JobState, tasks []bus.TaskState, now time.Time) {
	fmt.Fprintf(w, "job %s, run %s, %s, started %s", run.Job, run.Run, run.Status, run.Started.Format(time.RFC3339))
	if !run.Finished.IsZero() {
		fmt.Fprintf(w, ", finished %s", run.Finished.Format(time.RFC3339))
	}
	fmt.Fprintln(w)
	switch {
	case run.Held(now):
		fmt.Fprintf(w, "coordinator: %s, heard from %s ago\n", run.Owner, now.Sub(run.Heartbeat).Round(time.Second))
	case run.Status == plan.Running:
		fmt.Fprintln(w, "coordinator: none; the same coordinator run command resumes the run")
	}
	n := map[plan.Status]int{}
	var solve float64
	for _, t := range tasks {
		n[t.Status]++
		if t.Report != nil && t.Status == plan.Done {
			solve += t.Report.Timings.Solve
		}
	}
	fmt.Fprintf(w, "tasks: %d: done %d, running %d, queued %d, failed %d\n",
		run.Tasks, n[plan.Done], n[plan.Running], n[plan.Queued], n[plan.Failed])
	end := now
	if !run.Finished.IsZero() {
		end = run.Finished
	}
	if elapsed := end.Sub(run.Started); n[plan.Done] > 0 && elapsed > 0 {
		perMin := float64(n[plan.Done]) / elapsed.Minutes()
		fmt.Fprintf(w, "throughput: %.3g tasks/min over %s, %.3gs of solve per task", perMin, elapsed.Round(time.Second), solve/float64(n[plan.Done]))
		if left := run.Tasks - n[plan.Done] - n[plan.Failed]; left > 0 && run.Finished.IsZero() {
			fmt.Fprintf(w, ", about %s left", time.Duration(float64(left)/perMin*float64(time.Minute)).Round(time.Second))
		}
		fmt.Fprintln(w)
	}
	for _, t := range tasks {
		switch {
		case t.Status == plan.Running:
			fmt.Fprintf(w, "running %s on %s (attempt %d, since %s)\n", t.Task, t.Worker, t.Attempt, t.Updated.Format(time.RFC3339))
		case t.Status == plan.Failed:
			fmt.Fprintf(w, "failed  %s: %s\n", t.Task, t.Error)
		case t.Status == plan.Queued && t.Error != "":
			fmt.Fprintf(w, "retry   %s: %s\n", t.Task, t.Error)
		}
	}
}
