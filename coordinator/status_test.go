package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/plan"
)

func TestWriteStatus(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 10, 0, 0, time.UTC)
	started := now.Add(-10 * time.Minute)
	done := func(task string, solve float64) bus.TaskState {
		return bus.TaskState{Task: task, Status: plan.Done, Report: &plan.Report{Timings: plan.Timings{Solve: solve}}}
	}
	tasks := []bus.TaskState{
		done("j/2019/a/all", 2), done("j/2019/b/all", 4),
		{Task: "j/2020/a/all", Status: plan.Running, Worker: "w1", Attempt: 2, Updated: now},
		{Task: "j/2020/b/all", Status: plan.Failed, Error: "year 2020: singular"},
		{Task: "j/2021/a/all", Status: plan.Queued, Error: "attempt 1 on w2: store down"},
		{Task: "j/2021/b/all", Status: plan.Queued},
	}
	tests := []struct {
		name string
		run  bus.JobState
		want []string
	}{
		{
			name: "held",
			run:  bus.JobState{Job: "j", Run: "r1", Tasks: 6, Status: plan.Running, Started: started, Owner: "c1", Heartbeat: now.Add(-2 * time.Second), Lease: 20 * time.Second},
			want: []string{
				"job j, run r1, running, started 2026-03-01T12:00:00Z\n",
				"coordinator: c1, heard from 2s ago\n",
				"tasks: 6: done 2, running 1, queued 2, failed 1\n",
				"throughput: 0.2 tasks/min over 10m0s, 3s of solve per task, about 15m0s left\n",
				"running j/2020/a/all on w1 (attempt 2, since 2026-03-01T12:10:00Z)\n",
				"failed  j/2020/b/all: year 2020: singular\n",
				"retry   j/2021/a/all: attempt 1 on w2: store down\n",
			},
		},
		{
			name: "left to resume",
			run:  bus.JobState{Job: "j", Run: "r1", Tasks: 6, Status: plan.Running, Started: started, Owner: "c1", Heartbeat: now.Add(-time.Minute), Lease: 20 * time.Second},
			want: []string{"coordinator: none; the same coordinator run command resumes the run\n"},
		},
		{
			name: "finished",
			run:  bus.JobState{Job: "j", Run: "r1", Tasks: 6, Status: plan.Failed, Started: started, Finished: now.Add(-5 * time.Minute)},
			want: []string{", finished 2026-03-01T12:05:00Z\n", "throughput: 0.4 tasks/min over 5m0s, 3s of solve per task\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			writeStatus(&out, tt.run, tasks, now)
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("status lacks %q:\n%s", w, out.String())
				}
			}
			if tt.run.Status != plan.Running && strings.Contains(out.String(), "coordinator:") {
				t.Errorf("a finished run names a coordinator:\n%s", out.String())
			}
		})
	}
}
