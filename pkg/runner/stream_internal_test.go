package runner

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/internal/testenv"
	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/formats"
	"github.com/mrioflow/mrioflow/pkg/output"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/store"
	"github.com/mrioflow/mrioflow/pkg/synth"
)

// countingStreamer counts the bytes each streamed put took before it
// returned, by key.
type countingStreamer struct {
	store.Streamer
	mu       sync.Mutex
	streamed map[string]int64
}

func (c *countingStreamer) PutStream(ctx context.Context, key string, write func(io.Writer) error) error {
	return c.Streamer.PutStream(ctx, key, func(w io.Writer) error {
		cw := &hashWriter{w: w, h: nopHash{}}
		err := write(cw)
		c.mu.Lock()
		c.streamed[key] = cw.n
		c.mu.Unlock()
		return err
	})
}

// nopHash is a hash.Hash that hashes nothing, for counting alone.
type nopHash struct{}

func (nopHash) Write(p []byte) (int, error) { return len(p), nil }
func (nopHash) Sum(b []byte) []byte         { return b }
func (nopHash) Reset()                      {}
func (nopHash) Size() int                   { return 0 }
func (nopHash) BlockSize() int              { return 1 }

// TestWriteStopsMidStream writes a task's accounts, leontief third, with
// an L (n = 300, 90,000 rows) whose last column holds +Inf, to a local
// folder and to S3. The leontief file fails after a record batch of
// 65,536 rows has gone into the store, and the error names the row; no
// object of the task is left (the two written before are deleted, the
// one after never started), nor a temporary file. A write cancelled
// during leontief leaves nothing either; one that is not gives the
// bytes that output.Encode gives.
func TestWriteStopsMidStream(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "table")
	if err := synth.Write(dir, synth.Options{Regions: 3, Sectors: 100, Stressors: 2, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	tab, err := formats.Open("pymrio", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := accounts.Compute(tab, accounts.Options{Leontief: true})
	if err != nil {
		t.Fatal(err)
	}
	n := tab.N()
	good := res.Inverse
	// withInf hands out L with +Inf at row 7 of its last column.
	withInf := accounts.InverseOfBlocks(n, func(yield func(*accounts.InverseBlock) error) error {
		return good.Each(func(first int, cols *mat.Dense) error {
			b := mat.DenseCopyOf(cols)
			if _, w := b.Dims(); first+w == n {
				b.Set(7, w-1, math.Inf(1))
			}
			return yield(&accounts.InverseBlock{First: first, L: b})
		})
	})
	accts := []string{output.Regions, output.Flows, output.Leontief, output.Footprints}
	leontiefKey := "t/" + output.Key("2020", "base", output.Leontief, output.Arrow)

	stores := map[string]func(t *testing.T) (store.Store, func() []string){
		"local": func(t *testing.T) (store.Store, func() []string) {
			root := filepath.Join(t.TempDir(), "out")
			st, err := store.Open(context.Background(), root, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return st, func() []string { return testenv.FilesBelow(t, root) }
		},
		"s3": func(t *testing.T) (store.Store, func() []string) {
			srv := testenv.StartS3(t)
			st, err := store.Open(context.Background(), "s3://"+srv.Bucket+"/runs", store.Options{
				Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
				RetryFor: 10 * time.Second, Getenv: func(string) string { return "" },
			})
			if err != nil {
				t.Fatal(err)
			}
			// The bucket's folder holds the objects and whatever the
			// gateway keeps of uploads under way.
			return st, func() []string { return testenv.FilesBelow(t, filepath.Join(srv.Dir, srv.Bucket)) }
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			st, files := open(t)
			cs := &countingStreamer{Streamer: st.(store.Streamer), streamed: map[string]int64{}}
			r := New(Options{Store: func(context.Context, string) (store.Store, error) { return cs, nil }})
			task := plan.Task{Job: "t", Year: "2020", Scenario: "base", Output: "out"}
			check := func(t *testing.T, err error, want ...string) {
				t.Helper()
				for _, w := range want {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Fatalf("error %v, want one containing %q", err, w)
					}
				}
				if keys, lerr := st.List(context.Background(), ""); lerr != nil || len(keys) != 0 {
					t.Errorf("the failed write left %q (%v)", keys, lerr)
				}
				if left := files(); len(left) != 0 {
					t.Errorf("files left behind: %q", left)
				}
			}

			t.Run("Inf in L", func(t *testing.T) {
				res.Inverse = withInf
				_, err := r.write(context.Background(), task, accts, output.Arrow, res, nil)
				check(t, err, `to_sector "`, "value is +Inf")
				if got := cs.streamed[leontiefKey]; got < 1<<20 {
					t.Errorf("leontief failed after %d bytes had gone to the store; want it to fail after a batch", got)
				}
			})

			t.Run("cancelled", func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				res.Inverse = accounts.InverseOfBlocks(n, func(yield func(*accounts.InverseBlock) error) error {
					return good.Each(func(first int, cols *mat.Dense) error {
						if first >= n/2 {
							cancel() // a signal halfway through L
						}
						return yield(&accounts.InverseBlock{First: first, L: cols})
					})
				})
				_, err := r.write(ctx, task, accts, output.Arrow, res, nil)
				check(t, err, "context canceled")
			})

			t.Run("whole", func(t *testing.T) {
				res.Inverse = good
				outs, err := r.write(context.Background(), task, accts, output.Arrow, res, nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range outs {
					want, rows, err := output.Encode(o.Account, output.Arrow, res, nil)
					if err != nil {
						t.Fatal(err)
					}
					got, err := st.Get(context.Background(), o.Key)
					if err != nil {
						t.Fatal(err)
					}
					if string(got) != string(want) || o.Rows != rows || o.Bytes != int64(len(want)) || o != newOutput(o.Key, o.Account, want, rows) {
						t.Errorf("%s: %d bytes stored, reported %+v; Encode gives %d bytes, %d rows", o.Key, len(got), o, len(want), rows)
					}
				}
			})
		})
	}
}
