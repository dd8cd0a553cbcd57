package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/spec"
)

// Options say where a job's outputs go and which run publishes them.
type Options struct {
	// Run names this run of the job; the coordinator draws a fresh one per
	// run. Required.
	Run string
	// Output is the store location of the outputs: a local folder or
	// s3://bucket/prefix. Empty means the spec's output (OutputLocation).
	Output string
	// Format is arrow or parquet. Empty means the spec's output_format.
	Format string
	// DrawsPerTask is how many draws of a Monte Carlo scenario one task
	// computes; 0 means DrawsPerTask.
	DrawsPerTask int
	// BlocksPerYear splits each (year, scenario) that is not Monte Carlo
	// into that many tasks, each solving for a block of the consuming
	// regions (ConsumerBlock), whose partial outputs the coordinator
	// merges (MergeBlock). 0 or 1 means no split: one task per (year,
	// scenario), the default (see the README on why).
	BlocksPerYear int
}

// MaxBlocksPerYear is the most blocks Make splits a (year, scenario)
// into: more than the regions of any table mrioflow reads (Eora26 has
// 190). Blocks beyond a table's consuming regions are empty and cost a
// task each, but no factorization.
const MaxBlocksPerYear = 1024

// Make splits job into one task per year and scenario: years in the order
// of the spec's tables, scenarios in spec order inside each year. A job
// without scenarios runs spec.BaselineScenario. A Monte Carlo scenario
// gives one task per block of opts.DrawsPerTask draws (DrawBlock), in
// draw order, instead, and with opts.BlocksPerYear > 1 any other scenario
// gives that many tasks, one per block of consumers (ConsumerBlock).
//
// Make panics when opts.Run is empty. It returns the spec's own error when
// the job does not pass spec.Validate (names that cannot be path elements,
// years or scenarios given twice, ...), and an error when the format is
// unknown or there is no output location.
func Make(job *spec.Job, opts Options) ([]Task, error) {
	if opts.Run == "" {
		panic("plan: Make without a run id")
	}
	job = Resolve(job)
	job.SetDefaults()
	if err := job.Validate(); err != nil {
		return nil, fmt.Errorf("plan: job %s: %w", job.Job, err)
	}
	format := job.OutputFormat
	if opts.Format != "" {
		format = opts.Format
	}
	if format != spec.OutputArrow && format != spec.OutputParquet {
		return nil, fmt.Errorf("plan: job %s: output format %q: want %s or %s", job.Job, format, spec.OutputArrow, spec.OutputParquet)
	}
	output := opts.Output
	if output == "" {
		output = OutputLocation(job)
	}
	if output == "" {
		return nil, fmt.Errorf("plan: job %s: no output location", job.Job)
	}
	drawsPerTask := opts.DrawsPerTask
	if drawsPerTask == 0 {
		drawsPerTask = DrawsPerTask
	}
	if drawsPerTask < 0 {
		return nil, fmt.Errorf("plan: job %s: %d draws per task: want 1 or more", job.Job, drawsPerTask)
	}
	if opts.BlocksPerYear < 0 || opts.BlocksPerYear > MaxBlocksPerYear {
		return nil, fmt.Errorf("plan: job %s: %d blocks per year: want 0 to %d (a block per consuming region is the most that helps)", job.Job, opts.BlocksPerYear, MaxBlocksPerYear)
	}
	raw, err := json.Marshal(job)
	if err != nil {
		return nil, fmt.Errorf("plan: job %s: encode spec: %w", job.Job, err)
	}

	tasks := make([]Task, 0, len(job.Tables)*len(job.Scenarios))
	for _, t := range job.Tables {
		for _, s := range job.Scenarios {
			task := Task{
				Job: job.Job, Run: opts.Run,
				Year: t.Year, Scenario: s.Name, Block: Block,
				Spec: raw, Output: output, Format: format,
			}
			if s.MonteCarlo != nil {
				tasks = append(tasks, drawTasks(task, s.MonteCarlo, drawsPerTask)...)
				continue
			}
			if opts.BlocksPerYear > 1 {
				tasks = append(tasks, consumerTasks(task, opts.BlocksPerYear)...)
				continue
			}
			tasks = append(tasks, task)
		}
	}
	return tasks, nil
}

// OutputLocation is the spec's output location: a URL as written, a
// relative folder resolved against the working folder (not the job
// file's), so that running a job from the repository root writes below
// it.
func OutputLocation(job *spec.Job) string {
	p := job.Output
	if p == "" || strings.Contains(p, "://") {
		return p
	}
	return absolute(p)
}

// Resolve returns a copy of job whose table paths are absolute local paths
// or URLs (spec.Job.TablePath), so that the copy no longer depends on the
// job file's folder. The copy shares nothing that Make changes.
func Resolve(job *spec.Job) *spec.Job {
	c := *job
	c.Tables = make([]spec.Table, len(job.Tables))
	for i, t := range job.Tables {
		t.Path = job.TablePath(t)
		if !strings.Contains(t.Path, "://") {
			t.Path = absolute(t.Path)
		}
		c.Tables[i] = t
	}
	c.Accounts = append([]string(nil), job.Accounts...)
	c.Scenarios = append([]spec.Scenario(nil), job.Scenarios...)
	for i, sc := range c.Scenarios {
		if sc.MonteCarlo == nil {
			continue
		}
		mc := *sc.MonteCarlo
		for _, p := range []*string{&mc.Sigma.Table.S, &mc.Sigma.Table.Y, &mc.Sigma.Table.A} {
			if *p != "" {
				*p = job.SigmaPath(*p)
				if !strings.Contains(*p, "://") {
					*p = absolute(*p)
				}
			}
		}
		c.Scenarios[i].MonteCarlo = &mc
	}
	return &c
}

// absolute makes a local path absolute; it keeps p when the working
// folder is unknown.
func absolute(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// Pin gives each task the input of its year, by year; a task whose year
// has no input keeps none.
func Pin(tasks []Task, inputs []Input) {
	byYear := make(map[string]*Input, len(inputs))
	for i := range inputs {
		byYear[inputs[i].Year] = &inputs[i]
	}
	for i := range tasks {
		tasks[i].Input = byYear[tasks[i].Year]
	}
}

// Digest is a checksum of what a list of tasks asks for: each task's
// name, spec, output location and format, in order. It leaves out the
// run, the inputs and MaxAttempts, so the same job file, output and
// format planned again give the same digest: that is how a coordinator
// knows it may resume a run.
func Digest(tasks []Task) string {
	h := sha256.New()
	for _, t := range tasks {
		for _, s := range []string{t.Job, t.Year, t.Scenario, t.Block, string(t.Spec), t.Output, t.Format} {
			fmt.Fprintf(h, "%d:%s", len(s), s)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
