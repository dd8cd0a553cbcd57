package runner

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"

	"github.com/mrioflow/mrioflow/pkg/plan"
)

// Metrics counts what a process did, for Prometheus. A nil *Metrics
// counts nothing, so the code that feeds it need not check. Metrics is
// safe for concurrent use.
type Metrics struct {
	counts [numCounters]atomic.Int64

	mu      sync.Mutex
	seconds [3]float64 // read, solve, write: sums over final reports
	timed   int64      // reports in the sums
}

// The counters of a Metrics.
type counter int

const (
	tasksDone counter = iota
	tasksFailed
	tasksRetried
	tasksRunning // a gauge
	bytesRead
	bytesFetched
	bytesWritten
	cacheHits
	cacheMisses
	cacheEvictions
	cacheBytes // a gauge
	numCounters
)

// add adds n to counter c.
func (m *Metrics) add(c counter, n int64) {
	if m != nil {
		m.counts[c].Add(n)
	}
}

// set sets gauge c to n.
func (m *Metrics) set(c counter, n int64) {
	if m != nil {
		m.counts[c].Store(n)
	}
}

// Observe counts a final report: done or failed, the seconds of its
// steps, and the bytes of its outputs.
func (m *Metrics) Observe(r plan.Report) {
	if m == nil {
		return
	}
	if r.Status == plan.Failed {
		m.add(tasksFailed, 1)
	} else {
		m.add(tasksDone, 1)
	}
	for _, o := range r.Outputs {
		m.add(bytesWritten, o.Bytes)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seconds[0] += r.Timings.Read
	m.seconds[1] += r.Timings.Solve
	m.seconds[2] += r.Timings.Write
	m.timed++
}

// metric is one line of the exposition: a name, its help and type, and
// its samples.
type metric struct {
	name, help, kind string
	samples          []sample
}

type sample struct {
	suffix, labels string
	value          float64
}

// WriteTo writes the metrics in Prometheus' text exposition format
// (version 0.0.4).
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	m.mu.Lock()
	secs, timed := m.seconds, m.timed
	m.mu.Unlock()
	count := func(name, help string, c counter) metric {
		return metric{name, help, "counter", []sample{{value: float64(m.counts[c].Load())}}}
	}
	steps := metric{name: "mrioflow_task_seconds", kind: "summary",
		help: "Seconds finished tasks spent in each step: read (fetch and prepare the table), solve (scenario, factorization, accounts), write (encode and store)."}
	for i, step := range []string{"read", "solve", "write"} {
		labels := `{step="` + step + `"}`
		steps.samples = append(steps.samples,
			sample{"_sum", labels, secs[i]}, sample{"_count", labels, float64(timed)})
	}
	all := []metric{
		count("mrioflow_tasks_done_total", "Tasks finished with every output written.", tasksDone),
		count("mrioflow_tasks_failed_total", "Tasks that failed for good.", tasksFailed),
		count("mrioflow_tasks_retried_total", "Tasks given back after an error that may pass, to be tried again.", tasksRetried),
		{"mrioflow_tasks_running", "Tasks being worked on now.", "gauge", []sample{{value: float64(m.counts[tasksRunning].Load())}}},
		steps,
		count("mrioflow_input_bytes_read_total", "Bytes of input tables read, from local disk or the table cache.", bytesRead),
		count("mrioflow_input_bytes_fetched_total", "Bytes of input tables downloaded from a store.", bytesFetched),
		count("mrioflow_output_bytes_written_total", "Bytes of outputs written by finished tasks.", bytesWritten),
		count("mrioflow_table_cache_hits_total", "Tables in a store found in the local cache.", cacheHits),
		count("mrioflow_table_cache_misses_total", "Tables in a store that had to be downloaded.", cacheMisses),
		count("mrioflow_table_cache_evictions_total", "Tables taken out of the local cache to keep it within its limit.", cacheEvictions),
		{"mrioflow_table_cache_bytes", "Bytes of the local table cache after this process's last download.", "gauge", []sample{{value: float64(m.counts[cacheBytes].Load())}}},
	}
	cw := &countWriter{w: bufio.NewWriter(w)}
	for _, mt := range all {
		fmt.Fprintf(cw, "# HELP %s %s\n# TYPE %s %s\n", mt.name, mt.help, mt.name, mt.kind)
		for _, s := range mt.samples {
			fmt.Fprintf(cw, "%s%s%s %s\n", mt.name, s.suffix, s.labels, formatValue(s.value))
		}
	}
	err := cw.w.Flush()
	if cw.err != nil {
		err = cw.err
	}
	return cw.n, err
}

// formatValue writes a sample value as the exposition format wants it.
func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return fmt.Sprint(v)
}

// countWriter counts the bytes written and keeps the first error.
type countWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
