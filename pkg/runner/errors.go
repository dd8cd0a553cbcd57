package runner

import "fmt"

// TaskError is the error of a task that failed: which (year, scenario) and
// why. Its message is what the manifest records for the task.
type TaskError struct {
	Year, Scenario string
	Step           string // read, scenario, solve or write
	Err            error
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("runner: year %s, scenario %s: %s: %v", e.Year, e.Scenario, e.Step, e.Err)
}

// Unwrap returns the cause.
func (e *TaskError) Unwrap() error { return e.Err }
