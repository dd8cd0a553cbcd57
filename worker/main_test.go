package main

import (
	"bytes"
	"context"
	"github.com/mrioflow/mrioflow/internal/shareddata"
	"strings"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

func TestWorkerRunsAJobAndStops(t *testing.T) {
	saved := shareddata.Dir(t, "pymrio-test-mrio", "saved")
	srv, err := bus.StartServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	stop, stopWorker := context.WithCancel(ctx)
	var logs bytes.Buffer
	exit := make(chan int)
	go func() { exit <- serve(stop, ctx, []string{"--nats", srv.URL(), "--name", "w1"}, &logs) }()

	b, err := bus.Connect(ctx, srv.URL(), bus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	job := &spec.Job{
		Job: "w", Output: t.TempDir(),
		Tables: []spec.Table{{Year: "2010", Format: "pymrio", Path: saved}},
	}
	job.SetDefaults()
	m, err := runner.Coordinate(ctx, b, job, runner.CoordinateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Tasks[0].Worker != "w1" || len(m.Outputs) != len(job.Accounts) {
		t.Errorf("task %+v, %d outputs; want it done by w1 with %d outputs", m.Tasks[0], len(m.Outputs), len(job.Accounts))
	}

	stopWorker()
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit %d after the stop, want 0", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the worker did not stop")
	}
	if !strings.Contains(logs.String(), "task done") || !strings.Contains(logs.String(), "worker stopped") {
		t.Errorf("logs:\n%s", logs.String())
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no server", nil, 2},
		{"bad level", []string{"--nats", "nats://127.0.0.1:1", "--log-level", "loud"}, 2},
		{"unknown backend", []string{"--nats", "nats://127.0.0.1:1", "--backend", "cuda"}, 2},
		{"stray argument", []string{"--nats", "nats://127.0.0.1:1", "job.yaml"}, 2},
		{"cache limit not a size", []string{"--nats", "nats://127.0.0.1:1", "--cache-max", "20XB"}, 2},
		{"help", []string{"-h"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			if code := serve(context.Background(), context.Background(), tt.args, &logs); code != tt.want {
				t.Errorf("exit %d, want %d; output:\n%s", code, tt.want, logs.String())
			}
		})
	}
}
