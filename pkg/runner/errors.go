package runner

import (
	"errors"
	"fmt"

	"github.com/mrioflow/mrioflow/pkg/store"
)

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

// Temporary reports whether another attempt of the task may succeed: the
// cause is a store that could not be reached, or answered with a server
// error, after its own retries. Errors in the data (a table that does not
// validate, a singular system) are not temporary.
func (e *TaskError) Temporary() bool {
	var t transientError
	return errors.As(e.Err, &t)
}

// transientError marks an error that may pass when the task is tried again.
type transientError struct{ err error }

func (e transientError) Error() string { return e.err.Error() }
func (e transientError) Unwrap() error { return e.err }

// storeError marks an error of a store call as transient, unless it is
// a missing object, which another attempt will not find either.
//
// TODO(retry): errors of the request itself (access denied, an invalid
// key) are retried too, up to the task's MaxAttempts; the store could
// tell them apart by the HTTP status it saw.
func storeError(err error) error {
	if err == nil || errors.Is(err, store.ErrNotExist) {
		return err
	}
	return transientError{err}
}
