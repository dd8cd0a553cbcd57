package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mrioflow/mrioflow/pkg/plan"
)

// JobState is the record of the latest run of a job in the state bucket.
type JobState struct {
	Job      string      `json:"job"`
	Run      string      `json:"run"`
	Tasks    int         `json:"tasks"`
	Status   plan.Status `json:"status"` // Running, then Done or Failed
	Started  time.Time   `json:"started"`
	Finished time.Time   `json:"finished,omitzero"`
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
	Error    string      `json:"error,omitempty"`
	Updated  time.Time   `json:"updated"`
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
		Updated: time.Now().UTC(),
	}
}

// StartJob records a new run of a job: it removes the tasks earlier runs
// of the job left queued (PurgeTasks), forgets their task states, and
// stores the run, Running, and every task, Queued. It returns an error
// when the job's latest run is still Running, unless force is set (a run
// that crashed leaves Running behind).
func (b *Bus) StartJob(ctx context.Context, run JobState, tasks []plan.Task, force bool) error {
	prev, err := b.jobState(ctx, run.Job)
	if err != nil {
		return err
	}
	if prev != nil && prev.Status == plan.Running && !force {
		return fmt.Errorf("bus: job %s: run %s, started %s, is still running", run.Job, prev.Run, prev.Started.Format(time.RFC3339))
	}
	if err := b.PurgeTasks(ctx, run.Job); err != nil {
		return err
	}
	keys, err := b.taskKeys(ctx, run.Job)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := b.state.Purge(ctx, k); err != nil {
			return fmt.Errorf("bus: job %s: forget %s: %w", run.Job, k, err)
		}
	}
	if err := b.SetJob(ctx, run); err != nil {
		return err
	}
	for _, t := range tasks {
		if err := b.SetTask(ctx, NewTaskState(t, plan.Queued)); err != nil {
			return err
		}
	}
	return nil
}

// SetJob stores the record of a run.
func (b *Bus) SetJob(ctx context.Context, s JobState) error {
	return b.put(ctx, jobKey(s.Job), s, "job "+s.Job)
}

// SetTask stores the state of a task.
func (b *Bus) SetTask(ctx context.Context, s TaskState) error {
	return b.put(ctx, taskKey(s.Job, s.Year, s.Scenario, s.Block), s, "task "+s.Task)
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

// ErrNoJob is returned by State for a job the bucket does not know.
var ErrNoJob = errors.New("bus: no such job")

// State returns the latest run of a job and the states of its tasks, in
// the order they were last changed. It returns an error wrapping ErrNoJob when no run of the job
// was recorded.
func (b *Bus) State(ctx context.Context, job string) (JobState, []TaskState, error) {
	run, err := b.jobState(ctx, job)
	if err != nil {
		return JobState{}, nil, err
	}
	if run == nil {
		return JobState{}, nil, fmt.Errorf("%w: %s", ErrNoJob, job)
	}
	w, err := b.state.WatchFiltered(ctx, []string{jobKey(job) + ".task.>"}, jetstream.IgnoreDeletes())
	if err != nil {
		return JobState{}, nil, fmt.Errorf("bus: job %s: read tasks: %w", job, err)
	}
	defer w.Stop()
	var tasks []TaskState
	for e := range w.Updates() {
		if e == nil {
			break // every stored value seen
		}
		var s TaskState
		if err := json.Unmarshal(e.Value(), &s); err != nil {
			return JobState{}, nil, fmt.Errorf("bus: job %s: decode %s: %w", job, e.Key(), err)
		}
		if s.Run == run.Run {
			tasks = append(tasks, s)
		}
	}
	if err := ctx.Err(); err != nil {
		return JobState{}, nil, fmt.Errorf("bus: job %s: read tasks: %w", job, err)
	}
	return *run, tasks, nil
}

// jobState returns the record of a job's latest run, nil when none.
func (b *Bus) jobState(ctx context.Context, job string) (*JobState, error) {
	e, err := b.state.Get(ctx, jobKey(job))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bus: job %s: read state: %w", job, err)
	}
	var s JobState
	if err := json.Unmarshal(e.Value(), &s); err != nil {
		return nil, fmt.Errorf("bus: job %s: decode state: %w", job, err)
	}
	return &s, nil
}

// taskKeys lists the keys of a job's tasks.
func (b *Bus) taskKeys(ctx context.Context, job string) ([]string, error) {
	l, err := b.state.ListKeysFiltered(ctx, jobKey(job)+".task.>")
	if err != nil {
		return nil, fmt.Errorf("bus: job %s: list tasks: %w", job, err)
	}
	var keys []string
	for k := range l.Keys() {
		keys = append(keys, k)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bus: job %s: list tasks: %w", job, err)
	}
	return keys, nil
}
