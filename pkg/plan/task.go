package plan

import (
	"encoding/json"
	"fmt"
)

// Block is the block id of a task that covers a whole (year, scenario);
// a split year's tasks carry ConsumerBlock ids, a Monte Carlo scenario's
// DrawBlock ids.
const Block = "all"

// Task is one unit of work a worker finishes alone: one year of one
// scenario of a job, or one block of it. It travels as JSON.
type Task struct {
	Job      string `json:"job"`
	Run      string `json:"run"` // the coordinator run that published it
	Year     string `json:"year"`
	Scenario string `json:"scenario"`
	Block    string `json:"block"`

	// Spec is the job spec as JSON, with every table path resolved to an
	// absolute local path or a URL, so a worker needs no job file.
	Spec json.RawMessage `json:"spec"`

	Output string `json:"output"` // store location: a folder or s3://bucket/prefix
	Format string `json:"format"` // arrow | parquet

	// Input is the year's table as the coordinator found it when it
	// checked the job: every file with its size and SHA-256. A worker
	// fetches a table in S3 by these checksums and refuses one whose bytes
	// changed since. Nil when the table was not checked.
	Input *Input `json:"input,omitempty"`
	// MaxAttempts is how many times the task may be handed out before the
	// worker that receives it once more gives it up as failed; 0 means no
	// limit.
	MaxAttempts int `json:"max_attempts,omitempty"`
}

// ID is job/year/scenario/block: the task's name in events, the job state
// and the manifest.
func (t Task) ID() string {
	return t.Job + "/" + t.Year + "/" + t.Scenario + "/" + t.Block
}

// ManifestKey is the store key of a job's manifest.
func ManifestKey(job string) string { return job + "/manifest.json" }

// Status is where a task stands.
type Status string

// The states of a task, in the order they happen.
const (
	Queued  Status = "queued"
	Running Status = "running"
	Done    Status = "done"
	Failed  Status = "failed"
)

// Final reports whether no further change follows s.
func (s Status) Final() bool { return s == Done || s == Failed }

// Report is what a worker says about a task it finished or gave up on.
// It travels as JSON.
type Report struct {
	Task     string `json:"task"` // Task.ID
	Job      string `json:"job"`
	Run      string `json:"run"`
	Year     string `json:"year"`
	Scenario string `json:"scenario"`
	Block    string `json:"block"`

	Status  Status `json:"status"` // Done or Failed
	Worker  string `json:"worker,omitempty"`
	Attempt int    `json:"attempt,omitempty"` // 1 for the first delivery

	Outputs  []Output  `json:"outputs,omitempty"`
	Warnings []Warning `json:"warnings,omitempty"`
	// Residual is ||x - x~|| / ||x|| (MATH.md 6); -1 when it is not a
	// finite number.
	Residual float64 `json:"residual"`
	Timings  Timings `json:"timings"`
	Error    string  `json:"error,omitempty"` // the cause, when Failed
	// Reused says no worker computed the task: the coordinator found an
	// earlier run's outputs of the same TaskDigest in place and carried
	// them over (Outputs are that run's).
	Reused bool `json:"reused,omitempty"`
}

// NewReport returns an empty report about t.
func NewReport(t Task) Report {
	return Report{
		Task: t.ID(), Job: t.Job, Run: t.Run,
		Year: t.Year, Scenario: t.Scenario, Block: t.Block,
	}
}

// Output is one object a task wrote.
type Output struct {
	Account string `json:"account"`
	Key     string `json:"key"` // store key, relative to the output location
	Rows    int64  `json:"rows"`
	Bytes   int64  `json:"bytes"`
	SHA256  string `json:"sha256"` // hex
}

// Warning is something a task noticed that does not stop it.
type Warning struct {
	Kind string `json:"kind"` // ZeroOutput, LargeResidual, Note, Stale or Change

	// For Note: the path of the table the reader read. For Stale and
	// Change: the key of the object, relative to the output location.
	Table string `json:"table,omitempty"`
	Key   string `json:"key,omitempty"`

	// For ZeroOutput: the stressor of a sector with zero output and the
	// amount that drops out of every account (MATH.md 2). For Change:
	// the number of flagged rows in Amount.
	Extension string  `json:"extension,omitempty"`
	Stressor  string  `json:"stressor,omitempty"`
	Region    string  `json:"region,omitempty"`
	Sector    string  `json:"sector,omitempty"`
	Amount    float64 `json:"amount,omitempty"`

	Message string `json:"message"`
}

// The kinds of Warning.
const (
	ZeroOutput    = "zero_output"
	LargeResidual = "residual"
	// InputHeavy is a table, after its scenario's shocks, in which some
	// sectors need a unit or more of inputs per unit of output.
	InputHeavy = "input_heavy"
	// Note is what a reader changed or set aside in a table, once per
	// table of the run.
	Note = "note"
	// Stale is an object under the job's folder, left by an earlier run,
	// that this run's plan does not write (a scenario since removed from
	// the spec); it is listed, not deleted.
	Stale = "stale"
	// Change is the change report of a run that recomputed tasks an
	// earlier run had computed (ChangesKey), with the number of its rows
	// flagged; a warning of the whole run.
	Change = "change"
)

// Timings are the seconds a task spent in each step.
type Timings struct {
	Read  float64 `json:"read_s"`  // open (or find cached) and prepare the table
	Solve float64 `json:"solve_s"` // scenario, factorization and accounts
	Write float64 `json:"write_s"` // encode and store every account
}

// String is a one-line summary for logs.
func (r Report) String() string {
	if r.Status == Failed {
		return fmt.Sprintf("%s failed: %s", r.Task, r.Error)
	}
	return fmt.Sprintf("%s %s: %d outputs", r.Task, r.Status, len(r.Outputs))
}
