package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
)

// TestSummaryInterrupted: the summary of an interrupted run names its
// partial manifest only when it was written.
func TestSummaryInterrupted(t *testing.T) {
	m := plan.NewManifest("test", []plan.Task{{Job: "j", Run: "r", Year: "2010", Scenario: "a", Block: "all"}}, nil)
	m.Output, m.Interrupted = "out", true
	tests := []struct {
		name      string
		err       error
		want, not string
	}{
		{"written", fmt.Errorf("x: %w", runner.ErrInterrupted), "partial manifest: out", ""},
		{"kept", fmt.Errorf("x: %w; %w", runner.ErrInterrupted, runner.ErrManifestKept), "interrupted with 0 of 1", "manifest:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			summary(&b, m, tt.err)
			if !strings.Contains(b.String(), tt.want) || (tt.not != "" && strings.Contains(b.String(), tt.not)) {
				t.Errorf("summary %q: want %q, not %q", b.String(), tt.want, tt.not)
			}
		})
	}
}

// TestLogRunWarning: notes and stale objects reach the log with their
// table or key.
func TestLogRunWarning(t *testing.T) {
	tests := []struct {
		name string
		w    plan.TaskWarning
		want []string
	}{
		{"note", plan.TaskWarning{Year: "2010", Warning: plan.Warning{Kind: plan.Note, Table: "tables/2010", Message: "dropped row X"}},
			[]string{"level=INFO", "year=2010", "table=tables/2010", `note="dropped row X"`}},
		{"stale", plan.TaskWarning{Warning: plan.Warning{Kind: plan.Stale, Key: "j/year=2010/scenario=old/flows.arrow"}},
			[]string{"level=WARN", "stale output", "j/year=2010/scenario=old/flows.arrow"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			logRunWarning(slog.New(slog.NewTextHandler(&b, nil)), tt.w)
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("log %q does not hold %q", b.String(), w)
				}
			}
		})
	}
}
