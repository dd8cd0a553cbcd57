package formats

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
)

// The kinds of bad input a reader reports, wrapped in a *ParseError; test
// with errors.Is. A missing file wraps fs.ErrNotExist.
var (
	ErrNotNumber      = errors.New("not a number")
	ErrNotFinite      = errors.New("not a finite number")
	ErrRagged         = errors.New("ragged row")
	ErrLabel          = errors.New("labels do not agree")
	ErrDuplicateLabel = errors.New("duplicated label")
	ErrLayout         = errors.New("unexpected layout")
)

// ParseError is a problem with one input file, at a line and column when
// it concerns one.
type ParseError struct {
	File   string // the file's path, as opened
	Line   int    // 1-based line, as an editor counts; 0 for the whole file
	Column int    // 1-based cell of the line (field number); 0 for the whole line
	Err    error
}

// Error returns "formats: FILE line L column C: ERR", leaving out a zero
// line or column.
func (e *ParseError) Error() string {
	s := "formats: " + e.File
	if e.Line > 0 {
		s += " line " + strconv.Itoa(e.Line)
		if e.Column > 0 {
			s += " column " + strconv.Itoa(e.Column)
		}
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// fileError returns a *ParseError about the whole of file.
func fileError(file string, kind error, format string, args ...any) error {
	return &ParseError{File: file, Err: wrapKind(kind, format, args...)}
}

// wrapKind returns an error with the message given that matches kind with
// errors.Is; kind may be nil.
func wrapKind(kind error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if kind == nil {
		return errors.New(msg)
	}
	return fmt.Errorf("%w: %s", kind, msg)
}

// openError turns a failure to open file into a *ParseError that keeps
// fs.ErrNotExist and the like, without repeating the path.
func openError(file string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &ParseError{File: file, Err: err}
}
