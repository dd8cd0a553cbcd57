package spec

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Error is one problem of a job spec. Parse and Validate return every
// problem they find, as one error joining several *Error (errors.Join);
// errors.As finds the first.
type Error struct {
	File  string // the name given to Parse; empty for a job built in code
	Line  int    // 1-based line of the offending value; 0 when unknown
	Field string // where in the spec, such as "scenarios[1].name"; may be empty
	Msg   string
}

// Error returns "spec: FILE line N: FIELD: MSG", leaving out what is unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("spec: ")
	switch {
	case e.File != "" && e.Line > 0:
		b.WriteString(e.File + " line " + strconv.Itoa(e.Line) + ": ")
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		b.WriteString("line " + strconv.Itoa(e.Line) + ": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// join returns nil for no problems, and otherwise all of them, by line.
func join(errs []*Error) error {
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b *Error) int { return a.Line - b.Line })
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}
