package plan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/plan"
)

func TestManifest(t *testing.T) {
	tasks, err := plan.Make(job(), plan.Options{Run: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	m := plan.NewManifest("v1", tasks, []plan.Input{{Year: "2019", Format: "pymrio", Path: "p"}})
	if m.Pending() != 4 || m.Complete() {
		t.Fatalf("new manifest: pending %d, complete %v", m.Pending(), m.Complete())
	}

	done := func(tk plan.Task) plan.Report {
		r := plan.NewReport(tk)
		r.Status = plan.Done
		r.Outputs = []plan.Output{{Account: "regions", Key: tk.ID() + "/regions.arrow", Rows: 6, SHA256: "aa"}}
		r.Warnings = []plan.Warning{{Kind: plan.ZeroOutput, Stressor: "CO2", Amount: 2, Message: "zero output"}}
		return r
	}
	failed := plan.NewReport(tasks[1])
	failed.Status, failed.Error = plan.Failed, "2019/clean: I - A is singular"
	stale := done(tasks[0])
	stale.Run = "r0"
	running := done(tasks[0])
	running.Status = plan.Running

	steps := []struct {
		name string
		r    plan.Report
		want bool
	}{
		{"last task first", done(tasks[3]), true},
		{"another run", stale, false},
		{"not final", running, false},
		{"a failure", failed, true},
		{"the failed task again, done", done(tasks[1]), false},
		{"first task", done(tasks[0]), true},
		{"first task again", done(tasks[0]), false},
	}
	for _, s := range steps {
		if got := m.Add(s.r); got != s.want {
			t.Errorf("%s: Add = %v, want %v", s.name, got, s.want)
		}
	}
	if m.Pending() != 1 || m.Complete() {
		t.Errorf("pending %d, complete %v; want 1, false", m.Pending(), m.Complete())
	}
	if !m.Add(done(tasks[2])) || m.Pending() != 0 || m.Complete() {
		t.Errorf("all reported with one failure: pending %d, complete %v; want 0, false", m.Pending(), m.Complete())
	}

	data, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var back plan.Manifest
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range back.Outputs {
		keys = append(keys, o.Task)
	}
	if got, want := strings.Join(keys, " "), "ga/2019/base/all ga/2020/base/all ga/2020/clean/all"; got != want {
		t.Errorf("outputs in task order: got %s, want %s", got, want)
	}
	if len(back.Failures) != 1 || back.Failures[0].Error != failed.Error || back.Failures[0].Year != "2019" {
		t.Errorf("failures: got %+v", back.Failures)
	}
	if len(back.Warnings) != 3 || back.Warnings[0].Amount != 2 {
		t.Errorf("warnings: got %+v, want three with amount 2", back.Warnings)
	}
	if back.Tasks[1].Status != plan.Failed || back.Spec == nil || back.Version != "v1" {
		t.Errorf("tasks or header: %+v", back)
	}
}
