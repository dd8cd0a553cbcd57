package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/internal/testenv"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// eachStreamer runs test against a local folder and an S3 bucket, with a
// function that lists every file below the folder, or below the bucket's
// folder on the gateway's disk (where it keeps uploads under way).
func eachStreamer(t *testing.T, test func(t *testing.T, s store.Streamer, files func() []string)) {
	t.Run("local", func(t *testing.T) {
		root := filepath.Join(t.TempDir(), "out")
		s, err := store.Open(context.Background(), root, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		test(t, s.(store.Streamer), func() []string { return testenv.FilesBelow(t, root) })
	})
	t.Run("s3", func(t *testing.T) {
		s, srv := openS3(t, "runs/one")
		test(t, s.(store.Streamer), func() []string { return testenv.FilesBelow(t, filepath.Join(srv.Dir, srv.Bucket)) })
	})
}

// noise returns n bytes that do not compress, the same for a seed.
func noise(n int, seed uint64) []byte {
	b := make([]byte, n)
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// writeIn returns a write function that writes data in pieces of 1 MiB,
// calling between(written) before each piece; between's error stops it.
func writeIn(data []byte, between func(written int) error) func(io.Writer) error {
	return func(w io.Writer) error {
		for off := 0; off < len(data); off += 1 << 20 {
			if err := between(off); err != nil {
				return err
			}
			if _, err := w.Write(data[off:min(off+1<<20, len(data))]); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestPutStream streams objects of 0 bytes, a few bytes and 40 MiB (three
// parts of a multipart upload in S3) and reads them back.
func TestPutStream(t *testing.T) {
	eachStreamer(t, func(t *testing.T, s store.Streamer, files func() []string) {
		ctx := context.Background()
		for _, tc := range []struct {
			name string
			data []byte
		}{
			{"empty", nil},
			{"small", []byte("regions")},
			{"three parts", noise(40<<20+3, 1)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				key := "stream/" + strings.ReplaceAll(tc.name, " ", "-")
				if err := s.PutStream(ctx, key, writeIn(tc.data, func(int) error { return nil })); err != nil {
					t.Fatal(err)
				}
				got, err := s.Get(ctx, key)
				if err != nil || !bytes.Equal(got, tc.data) {
					t.Fatalf("Get = %d bytes, %v; want the %d streamed", len(got), err, len(tc.data))
				}
			})
		}
	})
}

// TestPutStreamFailsWhole: a write function that fails after 20 MiB (a
// part already uploaded to S3), and a context cancelled at that point,
// leave the object that was there before as it was, and no other file.
func TestPutStreamFailsWhole(t *testing.T) {
	errBroken := errors.New("the encoder broke")
	eachStreamer(t, func(t *testing.T, s store.Streamer, files func() []string) {
		ctx := context.Background()
		const key = "year=2019/scenario=base/leontief.arrow"
		old := []byte("the previous run's file")
		if err := s.Put(ctx, key, old); err != nil {
			t.Fatal(err)
		}
		before := files()
		for _, tc := range []struct {
			name   string
			cancel bool
			want   error
		}{
			{"write fails", false, errBroken},
			{"context cancelled", true, context.Canceled},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx, cancel := context.WithCancel(ctx)
				defer cancel()
				calls := 0
				err := s.PutStream(ctx, key, writeIn(noise(30<<20, 2), func(written int) error {
					if written == 0 {
						calls++
					}
					if written < 20<<20 {
						return nil
					}
					if tc.cancel {
						cancel()
						return nil // the next write fails
					}
					return errBroken
				}))
				if !errors.Is(err, tc.want) {
					t.Fatalf("PutStream: %v, want %v", err, tc.want)
				}
				if tc.want == errBroken && (err != errBroken || calls != 1) {
					t.Errorf("PutStream: %q after %d calls of write; want write's own error, as it is, after one", err, calls)
				}
				if got, err := s.Get(context.Background(), key); err != nil || !bytes.Equal(got, old) {
					t.Errorf("Get = %q, %v; want the old object %q", got, err, old)
				}
				if after := files(); !equalStrings(after, before) {
					t.Errorf("files %q, want %q as before", after, before)
				}
			})
		}
	})
}

func equalStrings(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }

// TestPutStreamReadersSeeWhole holds a stream halfway, 24 MiB into a
// 32 MiB object, while readers Get and List the key: they see the old
// object whole, then the new one whole, never a part.
func TestPutStreamReadersSeeWhole(t *testing.T) {
	eachStreamer(t, func(t *testing.T, s store.Streamer, files func() []string) {
		ctx := context.Background()
		const key = "flows_by_sector.arrow"
		old, next := noise(3<<20, 3), noise(32<<20, 4)
		if err := s.Put(ctx, key, old); err != nil {
			t.Fatal(err)
		}
		halfway, resume := make(chan struct{}), make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- s.PutStream(ctx, key, writeIn(next, func(written int) error {
				if written == 24<<20 {
					close(halfway)
					<-resume
				}
				return nil
			}))
		}()
		<-halfway
		for range 5 {
			if got, err := s.Get(ctx, key); err != nil || !bytes.Equal(got, old) {
				t.Fatalf("Get during the stream = %d bytes, %v; want the old %d", len(got), err, len(old))
			}
			if keys, err := s.List(ctx, ""); err != nil || !equalStrings(keys, []string{key}) {
				t.Fatalf("List during the stream = %q, %v", keys, err)
			}
		}
		close(resume)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, key); err != nil || !bytes.Equal(got, next) {
			t.Fatalf("Get after the stream = %d bytes, %v; want the new %d", len(got), err, len(next))
		}
	})
}

// TestS3PutStreamRetries starts a stream while the server is down and
// starts the server again a second later: the stream is written again
// from the start, and lands whole.
func TestS3PutStreamRetries(t *testing.T) {
	s, srv := openS3(t, "retry")
	ctx := context.Background()
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	data := noise(5<<20, 5)
	var calls atomic.Int64
	done := make(chan error, 1)
	go func() {
		done <- s.(store.Streamer).PutStream(ctx, "after/outage", writeIn(data, func(written int) error {
			if written == 0 {
				calls.Add(1)
			}
			return nil
		}))
	}()
	time.Sleep(time.Second)
	srv.Start()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("PutStream did not finish 30 s after the server came back")
	}
	if got, err := s.Get(ctx, "after/outage"); err != nil || !bytes.Equal(got, data) {
		t.Errorf("Get = %d bytes, %v; want the %d streamed", len(got), err, len(data))
	}
	if calls.Load() < 2 {
		t.Errorf("write was called %d times; want it called again after the failed attempt", calls.Load())
	}
}

// putOnly is a Store that is no Streamer: it hides the PutStream of the
// store it wraps, and counts Puts.
type putOnly struct {
	store.Store
	puts int
}

func (p *putOnly) Put(ctx context.Context, key string, data []byte) error {
	p.puts++
	return p.Store.Put(ctx, key, data)
}

// TestPutStreamFallsBack: the function PutStream gathers the bytes of a
// Store that is no Streamer and Puts them once; a write that fails puts
// nothing.
func TestPutStreamFallsBack(t *testing.T) {
	inner, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "out"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := &putOnly{Store: inner}
	ctx := context.Background()
	errBroken := errors.New("broken")
	if err := store.PutStream(ctx, p, "k", func(w io.Writer) error {
		w.Write([]byte("half"))
		return errBroken
	}); err != errBroken || p.puts != 0 {
		t.Errorf("a failed write: %v after %d puts; want %v after none", err, p.puts, errBroken)
	}
	if err := store.PutStream(ctx, p, "k", writeIn([]byte("whole"), func(int) error { return nil })); err != nil || p.puts != 1 {
		t.Fatalf("PutStream: %v after %d puts; want one", err, p.puts)
	}
	if got, err := inner.Get(ctx, "k"); err != nil || string(got) != "whole" {
		t.Errorf("Get = %q, %v", got, err)
	}
	if err := store.PutStream(ctx, p, "../k", writeIn(nil, func(int) error { return nil })); err == nil || !strings.Contains(err.Error(), "invalid key") {
		t.Errorf("an invalid key: %v", err)
	}
}
