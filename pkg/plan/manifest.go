package plan

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Manifest is the record of one run of a job, written as
// <job>/manifest.json after every output: what was asked, what was read,
// what was written, what failed and how long it took.
//
// A Manifest is not safe for concurrent use.
type Manifest struct {
	Version string          `json:"version"` // of the program that ran the job
	Job     string          `json:"job"`
	Run     string          `json:"run"`
	Spec    json.RawMessage `json:"spec"` // as the tasks carried it
	Output  string          `json:"output"`
	Format  string          `json:"format"`

	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Interrupted marks the partial record of a run that ended before
	// its tasks did (a signal with an embedded server).
	Interrupted bool `json:"interrupted,omitempty"`

	Inputs   []Input       `json:"inputs"`
	Outputs  []TaskOutput  `json:"outputs"`
	Failures []Failure     `json:"failures"`
	Warnings []TaskWarning `json:"warnings"`
	Tasks    []TaskRecord  `json:"tasks"`
	Timings  JobTimings    `json:"timings"`

	index map[string]int // Task.ID -> position in Tasks
}

// Input is one table the job read, with a checksum of each of its files.
type Input struct {
	Year   string `json:"year"`
	Format string `json:"format"`
	Path   string `json:"path"`
	Files  []File `json:"files"`
	// Notes are what the reader changed or set aside (table.Table.Notes).
	Notes []string `json:"notes,omitempty"`
	// Sigmas are the files of per-entry sigmas of the job's Monte Carlo
	// scenarios (spec.Sigma.Table), each checked against this year's
	// table, with its checksum.
	Sigmas []SigmaInput `json:"sigmas,omitempty"`
}

// SigmaInput is one file of per-entry sigmas a job read.
type SigmaInput struct {
	Scenario string `json:"scenario"`
	Target   string `json:"target"` // S, Y or A
	Path     string `json:"path"`   // resolved, as the task's spec holds it
	File     File   `json:"file"`   // Path "."
}

// Sigma returns the file of sigmas of target of scenario, when in has it.
func (in *Input) Sigma(scenario, target string) (SigmaInput, bool) {
	for _, s := range in.Sigmas {
		if s.Scenario == scenario && s.Target == target {
			return s, true
		}
	}
	return SigmaInput{}, false
}

// File is one file of an input table.
type File struct {
	Path   string `json:"path"` // relative to the table's path; "." when the path is the file
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// TaskOutput is an Output with the task it belongs to.
type TaskOutput struct {
	Task     string `json:"task"`
	Year     string `json:"year"`
	Scenario string `json:"scenario"`
	// Reused marks an output an earlier run wrote and this one kept.
	Reused bool `json:"reused,omitempty"`
	Output
}

// Failure is a task that wrote nothing, with its own message.
type Failure struct {
	Task     string `json:"task"`
	Year     string `json:"year"`
	Scenario string `json:"scenario"`
	Error    string `json:"error"`
}

// TaskWarning is a Warning with the task it belongs to. A warning of the
// whole run (Note, Stale) has no task; a Note has the year of its table.
type TaskWarning struct {
	Task     string `json:"task"`
	Year     string `json:"year"`
	Scenario string `json:"scenario"`
	Warning
}

// TaskRecord is where one task ended and what it took.
type TaskRecord struct {
	Task     string  `json:"task"`
	Year     string  `json:"year"`
	Scenario string  `json:"scenario"`
	Block    string  `json:"block"`
	Status   Status  `json:"status"`
	Worker   string  `json:"worker,omitempty"`
	Attempt  int     `json:"attempt,omitempty"`
	Residual float64 `json:"residual"`
	Timings  Timings `json:"timings"`
	// Digest is TaskDigest of the task: what its outputs depend on.
	Digest string `json:"digest,omitempty"`
	// Reused says the task was not computed: an earlier run of the same
	// digest wrote its outputs, still in place (Report.Reused).
	Reused bool `json:"reused,omitempty"`
}

// JobTimings are the seconds of the whole run.
type JobTimings struct {
	Plan  float64 `json:"plan_s"` // reading and checking the tables, planning
	Total float64 `json:"total_s"`
}

// NewManifest starts the manifest of the run that publishes tasks, every
// one queued. It panics when tasks is empty or mixes jobs or runs.
func NewManifest(version string, tasks []Task, inputs []Input) *Manifest {
	if len(tasks) == 0 {
		panic("plan: NewManifest without tasks")
	}
	first := tasks[0]
	m := &Manifest{
		Version: version, Job: first.Job, Run: first.Run, Spec: first.Spec,
		Output: first.Output, Format: first.Format,
		Inputs:   inputs,
		Outputs:  []TaskOutput{},
		Failures: []Failure{},
		Warnings: []TaskWarning{},
		Tasks:    make([]TaskRecord, len(tasks)),
		index:    make(map[string]int, len(tasks)),
	}
	for i, t := range tasks {
		if t.Job != first.Job || t.Run != first.Run {
			panic(fmt.Sprintf("plan: NewManifest: task %s of run %s among run %s of %s", t.ID(), t.Run, first.Run, first.Job))
		}
		m.Tasks[i] = TaskRecord{Task: t.ID(), Year: t.Year, Scenario: t.Scenario, Block: t.Block, Status: Queued}
		m.index[t.ID()] = i
	}
	return m
}

// Add records a final report. It returns false, and records nothing, when
// the report is of another run, of a task the manifest does not know, not
// final, or about a task already final (a redelivered task reporting
// twice): the first final report wins.
func (m *Manifest) Add(r Report) bool {
	i, ok := m.index[r.Task]
	if !ok || r.Run != m.Run || !r.Status.Final() || m.Tasks[i].Status.Final() {
		return false
	}
	rec := &m.Tasks[i]
	rec.Status, rec.Worker, rec.Attempt = r.Status, r.Worker, r.Attempt
	rec.Residual, rec.Timings = r.Residual, r.Timings
	rec.Reused = r.Reused && r.Status == Done
	if r.Status == Failed {
		m.Failures = append(m.Failures, Failure{Task: r.Task, Year: r.Year, Scenario: r.Scenario, Error: r.Error})
	} else {
		for _, o := range r.Outputs {
			m.Outputs = append(m.Outputs, TaskOutput{Task: r.Task, Year: r.Year, Scenario: r.Scenario, Reused: rec.Reused, Output: o})
		}
	}
	for _, w := range r.Warnings {
		m.Warnings = append(m.Warnings, TaskWarning{Task: r.Task, Year: r.Year, Scenario: r.Scenario, Warning: w})
	}
	return true
}

// Pending is the number of tasks without a final report.
func (m *Manifest) Pending() int {
	n := 0
	for _, t := range m.Tasks {
		if !t.Status.Final() {
			n++
		}
	}
	return n
}

// Complete reports whether every task is done: every output written and
// no failure.
func (m *Manifest) Complete() bool {
	return m.Pending() == 0 && len(m.Failures) == 0
}

// Encode returns the manifest as indented JSON, outputs and failures in
// task order whatever order the reports came in.
func (m *Manifest) Encode() ([]byte, error) {
	order := func(task string) int { return m.index[task] }
	sortStable(m.Outputs, func(o TaskOutput) int { return order(o.Task) })
	sortStable(m.Failures, func(f Failure) int { return order(f.Task) })
	sortStable(m.Warnings, func(w TaskWarning) int { return order(w.Task) })
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("plan: encode manifest of %s: %w", m.Job, err)
	}
	return append(b, '\n'), nil
}

// sortStable orders s by key, keeping the order of equal keys.
func sortStable[T any](s []T, key func(T) int) {
	slices.SortStableFunc(s, func(a, b T) int { return key(a) - key(b) })
}
