package bench

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRun measures two small sizes through child processes of the test
// binary (package bench's init answers them) and checks what comes back.
func TestRun(t *testing.T) {
	cache := t.TempDir()
	var out bytes.Buffer
	opts := Options{Sizes: []int{40, 80}, Regions: 4, Stressors: 2, Cache: cache, MonteCarlo: true, Draws: 2}
	res, err := Run(context.Background(), &out, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if len(res) != 2 {
		t.Fatalf("%d results, want 2", len(res))
	}
	for i, r := range res {
		if r.N != opts.Sizes[i] || r.Sectors != r.N/4 || r.Backend == "" {
			t.Errorf("result %d: n %d, %d sectors, backend %q", i, r.N, r.Sectors, r.Backend)
		}
		if r.Read <= 0 || r.Compute <= 0 || r.Factorize <= 0 || r.Job < r.Read+r.Compute-1e-9 {
			t.Errorf("n = %d: times read %v, compute %v, factorize %v, job %v", r.N, r.Read, r.Compute, r.Factorize, r.Job)
		}
		if sum := r.Coefficients + r.Factorize + r.Solve + r.Accounts; sum > r.Compute*1.0001 {
			t.Errorf("n = %d: steps add up to %v, more than compute %v", r.N, sum, r.Compute)
		}
		if r.PeakRSS < 1<<20 || r.TableBytes <= 0 {
			t.Errorf("n = %d: peak %d bytes, table %d bytes", r.N, r.PeakRSS, r.TableBytes)
		}
		if (r.Reference > 0) == (r.ReferenceNote != "") {
			t.Errorf("n = %d: reference %v with note %q", r.N, r.Reference, r.ReferenceNote)
		}
		if r.Reference > 0 && (r.ReferenceBefore <= 0 || r.ReferenceAfter <= 0 ||
			math.Abs(r.Reference-(r.ReferenceBefore+r.ReferenceAfter)/2) > 1e-12) {
			t.Errorf("n = %d: reference %v from %v before and %v after", r.N, r.Reference, r.ReferenceBefore, r.ReferenceAfter)
		}
		if len(r.Draws) != 4 {
			t.Fatalf("n = %d: %d Monte Carlo kinds, want 4", r.N, len(r.Draws))
		}
		for _, d := range r.Draws {
			if d.Seconds <= 0 || d.PerLU <= 0 || d.Draws < 1 || d.Columns < 1 {
				t.Errorf("n = %d: draw cost %+v", r.N, d)
			}
		}
	}
	for _, want := range []string{"backend:", "comp/ref", "Monte Carlo, n = 80", "S-only", "A-low-rank"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the table lacks %q", want)
		}
	}
	// The second run reuses the cached tables.
	entries, _ := os.ReadDir(cache)
	before, _ := os.Stat(filepath.Join(cache, entries[0].Name(), "Z.txt"))
	if _, err := Run(context.Background(), &bytes.Buffer{}, Options{Sizes: []int{40}, Regions: 4, Stressors: 2, Cache: cache}); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(filepath.Join(cache, entries[0].Name(), "Z.txt"))
	if !after.ModTime().Equal(before.ModTime()) {
		t.Error("the cached table was written again")
	}
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"size not a multiple", Options{Sizes: []int{50}, Regions: 4}, "not a positive multiple"},
		{"unknown backend", Options{Sizes: []int{8}, Regions: 4, Backend: "fortran"}, "unknown backend"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Cache = t.TempDir()
			_, err := Run(context.Background(), &bytes.Buffer{}, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	runs := []Result{{N: 1, Reference: 1, ComputeRatio: 3}, {N: 2, Reference: 1, ComputeRatio: 1}, {N: 3, Reference: 1, ComputeRatio: 2}}
	if m := median(runs); m.N != 3 || m.Runs != 3 {
		t.Errorf("median of ratios 3, 1, 2 is run %d of %d, want run 3 of 3", m.N, m.Runs)
	}
	noRef := []Result{{N: 1, Compute: 5}, {N: 2, Compute: 4}}
	if m := median(noRef); m.N != 2 {
		t.Errorf("median of compute 5, 4 is run %d, want run 2 (the lower middle)", m.N)
	}
}

func TestOnePercent(t *testing.T) {
	for _, tc := range []struct {
		m    int
		want string
	}{{50, "s0[0-2]?"}, {100, "s0[0-4]?"}, {200, "s0[0-9]?"}, {4, "s0[0-0]?"}, {1000, "s0[0-9]?"}} {
		if got := onePercent(tc.m); got != tc.want {
			t.Errorf("onePercent(%d) = %q, want %q", tc.m, got, tc.want)
		}
	}
}

// TestSizes runs the full benchmark when MRIOFLOW_BENCH_SIZES lists the
// orders, for example
//
//	MRIOFLOW_BENCH_SIZES=2450,4900 MRIOFLOW_BENCH_MC=1 go test -run TestSizes -v -timeout 1h ./pkg/bench
//
// and is skipped otherwise. MRIOFLOW_BENCH_CACHE keeps the tables between
// runs; MRIOFLOW_BENCH_BACKEND chooses the backend; MRIOFLOW_BENCH_REPEAT
// runs each size that many times and keeps the median.
func TestSizes(t *testing.T) {
	list := os.Getenv("MRIOFLOW_BENCH_SIZES")
	if list == "" {
		t.Skip("set MRIOFLOW_BENCH_SIZES to run the benchmark")
	}
	opts := Options{
		Cache:      os.Getenv("MRIOFLOW_BENCH_CACHE"),
		Backend:    os.Getenv("MRIOFLOW_BENCH_BACKEND"),
		MonteCarlo: os.Getenv("MRIOFLOW_BENCH_MC") == "1",
	}
	if r := os.Getenv("MRIOFLOW_BENCH_REPEAT"); r != "" {
		var err error
		if opts.Repeat, err = strconv.Atoi(r); err != nil {
			t.Fatalf("MRIOFLOW_BENCH_REPEAT: %v", err)
		}
	}
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			t.Fatalf("MRIOFLOW_BENCH_SIZES: %v", err)
		}
		opts.Sizes = append(opts.Sizes, n)
	}
	if _, err := Run(context.Background(), os.Stdout, opts); err != nil {
		t.Fatal(err)
	}
}
