package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/pkg/plan"
)

// TestProgressLine follows a run of ten tasks, two of them final when it
// was planned (resumed), and checks what the bar says as reports come.
func TestProgressLine(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &progress{w: &bytes.Buffer{}, now: func() time.Time { return clock }}
	p.start(10, 2, 3)
	if got, want := p.line(), "2/10 tasks, 0s"; got != want {
		t.Errorf("at start: %q, want %q", got, want)
	}
	steps := []struct {
		after time.Duration
		final int
		r     plan.Report
		want  string
	}{
		{10 * time.Second, 3, plan.Report{Status: plan.Done, Block: plan.DrawBlock(0, 250)},
			"3/10 tasks, 25 draws/s, 10s, about 1m10s left"},
		{10 * time.Second, 4, plan.Report{Status: plan.Failed, Block: plan.DrawBlock(250, 250)},
			"4/10 tasks, 1 failed, 12 draws/s, 20s, about 1m0s left"},
		{0, 5, plan.Report{Status: plan.Done, Block: plan.DrawBlock(500, 250), Reused: true},
			"5/10 tasks, 1 failed, 12 draws/s, 20s, about 33s left"},
		{20 * time.Second, 10, plan.Report{Status: plan.Done, Block: plan.Block},
			"10/10 tasks, 1 failed, 6 draws/s, 40s; writing 3 merges and summaries"},
	}
	for _, s := range steps {
		clock = clock.Add(s.after)
		p.update(s.final, s.r)
		if got := p.line(); got != s.want {
			t.Errorf("after %d tasks: %q, want %q", s.final, got, s.want)
		}
	}
	// Not a terminal: nothing is drawn.
	if out := p.w.(*bytes.Buffer).String(); strings.Contains(out, "tasks") {
		t.Errorf("drew %q on a writer that is not a terminal", out)
	}
}

// TestSteps counts one merge or summary per (year, scenario) split into
// blocks, none for a whole task.
func TestSteps(t *testing.T) {
	task := func(year, scenario, block string) plan.Task {
		return plan.Task{Job: "j", Year: year, Scenario: scenario, Block: block}
	}
	tasks := []plan.Task{
		task("2019", "baseline", plan.Block),
		task("2019", "split", plan.ConsumerBlock(0, 2)), task("2019", "split", plan.ConsumerBlock(1, 2)),
		task("2020", "split", plan.ConsumerBlock(0, 2)), task("2020", "split", plan.ConsumerBlock(1, 2)),
		task("2019", "mc", plan.DrawBlock(0, 250)), task("2019", "mc", plan.DrawBlock(250, 250)),
	}
	if got := steps(tasks); got != 3 {
		t.Errorf("steps = %d, want 3 (two merges, one summary)", got)
	}
	if got := steps(tasks[:1]); got != 0 {
		t.Errorf("steps of a whole task = %d, want 0", got)
	}
}
