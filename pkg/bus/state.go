package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mrioflow/mrioflow/pkg/plan"
)

// JobState is the record of the latest run of a job in the state bucket.
type JobState struct {
	Job   string `json:"job"`
	Run   string `json:"run"`
	Tasks int    `json:"tasks"`
	// Status is Running until the run ends Done or Failed. A Running run
	// whose coordinator stopped is resumed by the next coordinator of the
	// same plan.
	Status plan.Status `json:"status"`
	// Digest is plan.Digest of the run's tasks: a coordinator resumes the
	// run only for the same plan.
	Digest   string    `json:"digest"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`

	// Owner names the coordinator that holds the job, "" when none does;
	// it renews Heartbeat while it runs, and another coordinator may take
	// the job over once Lease has passed without a renewal.
	Owner     string        `json:"owner,omitempty"`
	Heartbeat time.Time     `json:"heartbeat,omitzero"`
	Lease     time.Duration `json:"lease,omitempty"`
}

// TaskState is where one task of a run stands.
type TaskState struct {
	Task     string      `json:"task"` // plan.Task.ID
	Job      string      `json:"job"`
	Run      string      `json:"run"`
	Year     string      `json:"year"`
	Scenario string      `json:"scenario"`
	Block    string      `json:"block"`
	Status   plan.Status `json:"status"`
	Worker   string      `json:"worker,omitempty"`
	Attempt  int         `json:"attempt,omitempty"`
	// Error is the task's error when it failed, or the error of the last
	// attempt when it was given back to be tried again.
	Error   string    `json:"error,omitempty"`
	Updated time.Time `json:"updated"`
	// Report is the final report, once there is one, so that a resumed
	// coordinator can rebuild the manifest.
	Report *plan.Report `json:"report,omitempty"`
}

// NewTaskState is the state of t with status s, stamped now.
func NewTaskState(t plan.Task, s plan.Status) TaskState {
	return TaskState{
		Task: t.ID(), Job: t.Job, Run: t.Run,
		Year: t.Year, Scenario: t.Scenario, Block: t.Block,
		Status: s, Updated: time.Now().UTC(),
	}
}

// ReportState is the state a final report leaves its task in.
func ReportState(r plan.Report) TaskState {
	return TaskState{
		Task: r.Task, Job: r.Job, Run: r.Run,
		Year: r.Year, Scenario: r.Scenario, Block: r.Block,
		Status: r.Status, Worker: r.Worker, Attempt: r.Attempt, Error: r.Error,
		Updated: time.Now().UTC(), Report: &r,
	}
}

// ErrNoJob is returned by State for a job the bucket does not know.
var ErrNoJob = errors.New("bus: no such job")

// Job returns the record of a job's latest run and its revision in the
// bucket, or nil and 0 when there is none.
func (b *Bus) Job(ctx context.Context, job string) (*JobState, uint64, error) {
	e, err := b.state.Get(ctx, jobKey(job))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("bus: job %s: read state: %w", job, err)
	}
	var s JobState
	if err := json.Unmarshal(e.Value(), &s); err != nil {
		return nil, 0, fmt.Errorf("bus: job %s: decode state: %w", job, err)
	}
	return &s, e.Revision(), nil
}

// StartRun records the tasks of a new run, every one Queued, and the
// inputs its coordinator checked; it forgets the task states and inputs
// of the job's other runs, and removes their tasks still queued. The
// caller holds the job's lease for the run.
func (b *Bus) StartRun(ctx context.Context, run string, tasks []plan.Task, inputs []plan.Input) error {
	if len(tasks) == 0 {
		panic("bus: StartRun without tasks")
	}
	job := tasks[0].Job
	if err := b.PurgeTasks(ctx, job); err != nil {
		return err
	}
	keys, err := b.keys(ctx, jobKeys(job))
	if err != nil {
		return err
	}
	mine := token(job) + ".task." + token(run) + "."
	for _, k := range keys {
		if strings.HasPrefix(k, mine) || k == inputsKey(job, run) {
			continue
		}
		if err := b.state.Purge(ctx, k); err != nil {
			return fmt.Errorf("bus: job %s: forget %s: %w", job, k, err)
		}
	}
	if err := b.put(ctx, inputsKey(job, run), inputs, "inputs of "+job); err != nil {
		return err
	}
	for _, t := range tasks {
		if err := b.SetTask(ctx, NewTaskState(t, plan.Queued)); err != nil {
			return err
		}
	}
	return nil
}

// Inputs returns the inputs a run's coordinator checked (StartRun).
func (b *Bus) Inputs(ctx context.Context, job, run string) ([]plan.Input, error) {
	e, err := b.state.Get(ctx, inputsKey(job, run))
	if err != nil {
		return nil, fmt.Errorf("bus: job %s, run %s: read inputs: %w", job, run, err)
	}
	var in []plan.Input
	if err := json.Unmarshal(e.Value(), &in); err != nil {
		return nil, fmt.Errorf("bus: job %s, run %s: decode inputs: %w", job, run, err)
	}
	return in, nil
}

// SetTask stores the state of a task.
func (b *Bus) SetTask(ctx context.Context, s TaskState) error {
	return b.put(ctx, taskKey(s.Job, s.Run, s.Year, s.Scenario, s.Block), s, "task "+s.Task)
}

// TaskState returns the stored state of task t of t's run, nil when there
// is none.
func (b *Bus) TaskState(ctx context.Context, t plan.Task) (*TaskState, error) {
	e, err := b.state.Get(ctx, taskKey(t.Job, t.Run, t.Year, t.Scenario, t.Block))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bus: read state of %s: %w", t.ID(), err)
	}
	var s TaskState
	if err := json.Unmarshal(e.Value(), &s); err != nil {
		return nil, fmt.Errorf("bus: decode state of %s: %w", t.ID(), err)
	}
	return &s, nil
}

func (b *Bus) put(ctx context.Context, key string, v any, what string) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("bus: encode state of %s: %w", what, err)
	}
	if _, err := b.state.Put(ctx, key, data); err != nil {
		return fmt.Errorf("bus: store state of %s: %w", what, err)
	}
	return nil
}

// State returns the latest run of a job and the states of its tasks, in
// the order they were last changed. It returns an error wrapping ErrNoJob
// when no run of the job was recorded.
func (b *Bus) State(ctx context.Context, job string) (JobState, []TaskState, error) {
	run, _, err := b.Job(ctx, job)
	if err != nil {
		return JobState{}, nil, err
	}
	if run == nil {
		return JobState{}, nil, fmt.Errorf("%w: %s", ErrNoJob, job)
	}
	tasks, err := b.tasksOf(ctx, job, run.Run)
	if err != nil {
		return JobState{}, nil, err
	}
	return *run, tasks, nil
}

// tasksOf returns the stored states of the tasks of one run.
func (b *Bus) tasksOf(ctx context.Context, job, run string) ([]TaskState, error) {
	w, err := b.state.WatchFiltered(ctx, []string{runTaskKeys(job, run)}, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("bus: job %s: read tasks: %w", job, err)
	}
	defer w.Stop()
	var tasks []TaskState
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("bus: job %s: read tasks: %w", job, ctx.Err())
		case e, ok := <-w.Updates():
			if !ok {
				return nil, fmt.Errorf("bus: job %s: read tasks: the watch stopped", job)
			}
			if e == nil {
				return tasks, nil // every stored value seen
			}
			var s TaskState
			if err := json.Unmarshal(e.Value(), &s); err != nil {
				return nil, fmt.Errorf("bus: job %s: decode %s: %w", job, e.Key(), err)
			}
			tasks = append(tasks, s)
		}
	}
}

// keys lists the keys that match filter; none is not an error.
func (b *Bus) keys(ctx context.Context, filter string) ([]string, error) {
	l, err := b.state.ListKeysFiltered(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("bus: list %s: %w", filter, err)
	}
	var keys []string
	for k := range l.Keys() {
		keys = append(keys, k)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bus: list %s: %w", filter, err)
	}
	return keys, nil
}
