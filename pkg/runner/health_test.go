package runner_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
)

func TestMetricsExposition(t *testing.T) {
	m := &runner.Metrics{}
	m.Observe(plan.Report{Status: plan.Done, Timings: plan.Timings{Read: 1, Solve: 2.5, Write: 0.25},
		Outputs: []plan.Output{{Bytes: 100}, {Bytes: 23}}})
	m.Observe(plan.Report{Status: plan.Failed, Timings: plan.Timings{Solve: 0.5}})
	var buf bytes.Buffer
	n, err := m.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo: %d, %v; wrote %d", n, err, buf.Len())
	}
	text := buf.String()
	for _, want := range []string{
		"mrioflow_tasks_done_total 1\n",
		"mrioflow_tasks_failed_total 1\n",
		`mrioflow_task_seconds_sum{step="solve"} 3` + "\n",
		`mrioflow_task_seconds_count{step="solve"} 2` + "\n",
		"mrioflow_output_bytes_written_total 123\n",
		"# TYPE mrioflow_task_seconds summary\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
	// Every line is a comment of HELP or TYPE, or a sample of a metric
	// declared above it.
	sampleLine := regexp.MustCompile(`^([a-z_]+?)(_sum|_count)?(\{[a-z]+="[a-z]+"\})? [-+0-9.eEInfNa]+$`)
	declared := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			declared[strings.Fields(rest)[0]] = true
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		g := sampleLine.FindStringSubmatch(line)
		if g == nil || !declared[g[1]] {
			t.Errorf("line %q is not a sample of a declared metric", line)
		}
	}
}

func TestHealthHandler(t *testing.T) {
	ready := errors.New("not connected to NATS")
	h := runner.HealthHandler(&runner.Metrics{}, func() error { return ready })
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body, _ := io.ReadAll(rec.Body)
		return rec.Code, string(body)
	}
	tests := []struct {
		path string
		code int
		body string
	}{
		{"/healthz", 200, "ok"},
		{"/readyz", 503, "not connected"},
		{"/metrics", 200, "mrioflow_tasks_done_total 0"},
		{"/nothing", 404, ""},
	}
	for _, tt := range tests {
		code, body := get(tt.path)
		if code != tt.code || !strings.Contains(body, tt.body) {
			t.Errorf("GET %s: %d %q; want %d with %q", tt.path, code, body, tt.code, tt.body)
		}
	}
	ready = nil
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("ready: %d, want 200", code)
	}
}

func TestServeHealth(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addr, err := runner.ServeHealth(ctx, "127.0.0.1:0", runner.HealthHandler(nil, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("readyz: %d", resp.StatusCode)
	}
	cancel()
	if _, err := runner.ServeHealth(context.Background(), "127.0.0.1:bad", nil, nil); err == nil {
		t.Error("a bad address was accepted")
	}
}
