package runner_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/spec"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// failingStore fails the Put of keys ending in failSuffix, and cancels
// cancel (when set) on the first Put, as a signal would.
type failingStore struct {
	store.Store
	failSuffix string
	cancel     context.CancelFunc
	once       sync.Once
}

func (s *failingStore) Put(ctx context.Context, key string, data []byte) error {
	if s.cancel != nil {
		s.once.Do(s.cancel)
	}
	if s.failSuffix != "" && strings.HasSuffix(key, s.failSuffix) {
		return errors.New("disk full")
	}
	return s.Store.Put(ctx, key, data)
}

// TestRunWritesAllOrNothing: a task whose account fails to encode, whose
// put fails, or that is cancelled (a signal) during its puts, leaves
// nothing of its year and scenario behind.
func TestRunWritesAllOrNothing(t *testing.T) {
	balanced := [][][]float64{{{10, 5}, {4, 20}}, {{30, 5}, {10, 8}}}
	// r1's output is 1e-3 and its co2 1.7e305: S = 1.7e308 and, with
	// A[0][0] = 0.5, a multiplier of 3.4e308, which overflows to +Inf.
	overflow := [][][]float64{{{0.5e-3, 0}, {0, 20}}, {{0.5e-3, 0}, {10, 8}}}
	tests := []struct {
		name       string
		zy         [][][]float64
		f          []float64
		failSuffix string
		cancel     bool
		wantErr    string // "" when the task succeeds
	}{
		{"all written", balanced, []float64{100, 200}, "", false, ""},
		{"an account does not encode", overflow, []float64{1.7e305, 200}, "", false, "Inf"},
		{"the last put fails", balanced, []float64{100, 200}, "regions.arrow", false, "disk full"},
		{"cancelled during the puts", balanced, []float64{100, 200}, "", true, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeSaved(t, t.TempDir(), tt.zy[0], tt.zy[1], tt.f)
			j := &spec.Job{Job: "t", Output: filepath.Join(t.TempDir(), "out"),
				Tables: []spec.Table{{Year: "2001", Format: "pymrio", Path: dir}}}
			// regions last, so that accounts are written before one fails
			j.Accounts = []string{spec.AccountFlows, spec.AccountFootprints, spec.AccountMultipliers, spec.AccountRegions}
			j.SetDefaults()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			fs := &failingStore{failSuffix: tt.failSuffix}
			if tt.cancel {
				fs.cancel = cancel
			}
			r := runner.New(runner.Options{Store: func(ctx context.Context, location string) (store.Store, error) {
				st, err := store.Open(ctx, location, store.Options{})
				fs.Store = st
				return fs, err
			}})
			rep, err := r.Run(ctx, tasks(t, j)[0])
			st, serr := store.Open(context.Background(), j.Output, store.Options{})
			if serr != nil {
				t.Fatal(serr)
			}
			keys, lerr := st.List(context.Background(), "t/")
			if lerr != nil {
				t.Fatal(lerr)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one naming %q", err, tt.wantErr)
				}
				if len(keys) != 0 {
					t.Errorf("a failed task left %v", keys)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != len(j.Accounts) || len(rep.Outputs) != len(j.Accounts) {
				t.Errorf("%d objects written, %d reported; want %d: %v", len(keys), len(rep.Outputs), len(j.Accounts), keys)
			}
		})
	}
}

// TestRunTakesTheTableOver: tasks of one year running at once, more than
// the year's scenarios (a task tried again), each get the right numbers
// whether they copy the cached table or take it over.
func TestRunTakesTheTableOver(t *testing.T) {
	j := pymrioJob(t)
	ts := tasks(t, j)
	want := map[string]string{} // key -> checksum, from a Runner without cache
	for _, task := range ts {
		rep, err := runner.New(runner.Options{CacheTables: -1}).Run(context.Background(), task)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range rep.Outputs {
			want[o.Key] = o.SHA256
		}
	}
	r := runner.New(runner.Options{})
	if _, err := r.Check(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 3 * len(ts) {
		task := ts[i%len(ts)]
		wg.Go(func() {
			rep, err := r.Run(context.Background(), task)
			if err != nil {
				t.Error(err)
				return
			}
			for _, o := range rep.Outputs {
				if o.SHA256 != want[o.Key] {
					t.Errorf("%s: checksum %s, want %s", o.Key, o.SHA256, want[o.Key])
				}
			}
		})
	}
	wg.Wait()
}
