package store

import (
	"bytes"
	"context"
	"io"
)

// Streamer is a Store that also takes an object while it is being
// written, so that the object is never held whole in memory. Both stores
// that Open returns are Streamers; the function PutStream serves any
// Store.
type Streamer interface {
	Store
	// PutStream stores under key the bytes that write writes to the
	// io.Writer it is given, replacing what was there. As with Put, no
	// reader sees part of them: a Get returns the old object or the new
	// one. Nothing is stored when write returns an error, when storing
	// fails or when ctx ends before the object is complete; a write
	// still under way then sees its writes fail.
	//
	// write may be called more than once: when an attempt fails in a
	// way that may pass (see Options.RetryFor), the store calls write
	// again from the start, so each call must write the same bytes. An
	// error of write's own, one that is not a failed write to the
	// io.Writer, is returned as it is and never retried.
	PutStream(ctx context.Context, key string, write func(io.Writer) error) error
}

// PutStream stores under key what write writes, through st's own
// PutStream when st is a Streamer. Any other Store gets the bytes
// gathered in memory and handed to its Put, after write returns without
// error; write's error is then returned as it is, and nothing is put.
func PutStream(ctx context.Context, st Store, key string, write func(io.Writer) error) error {
	if s, ok := st.(Streamer); ok {
		return s.PutStream(ctx, key, write)
	}
	if err := ValidKey(key); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	return st.Put(ctx, key, buf.Bytes())
}

// watchedWriter passes writes on to w and records whether one of them
// failed, so that a caller can tell write's own errors (final) from
// those of the store beneath it.
type watchedWriter struct {
	w      io.Writer
	ctx    context.Context // when not nil, a write after it ends fails
	failed bool
}

func (ww *watchedWriter) Write(p []byte) (int, error) {
	if ww.ctx != nil {
		if err := ww.ctx.Err(); err != nil {
			ww.failed = true
			return 0, err
		}
	}
	n, err := ww.w.Write(p)
	if err != nil {
		ww.failed = true
	}
	return n, err
}

// writeError is an error of a PutStream's write function itself: final,
// never retried, and returned unwrapped.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }
