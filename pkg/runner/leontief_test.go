package runner_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/bench"
	"github.com/mrioflow/mrioflow/pkg/formats"
	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/output"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/spec"
	"github.com/mrioflow/mrioflow/pkg/synth"
)

// TestSplitYearLeontief runs a synthetic table of 3 regions of 70 sectors
// (L has 210 columns, solved in chunks of 64 that the regions cut through)
// whole and in 3 blocks, with the pure Go backend and with the system
// LAPACK when one loads, and checks that both runs write leontief.arrow
// with the same bytes, for a scenario that changes A too, and that the
// file's L gives back the table's output: L (Y 1) = Z 1 + Y 1 (MATH.md 1).
func TestSplitYearLeontief(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "table")
	if err := synth.Write(dir, synth.Options{Regions: 3, Sectors: 70, Stressors: 2, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	backends := []leontief.Backend{leontief.Native{}}
	if sys, err := leontief.LoadSystem(); err == nil {
		backends = append(backends, sys)
	} else if os.Getenv("MRIOFLOW_REQUIRE_OPENBLAS") == "1" {
		t.Fatalf("MRIOFLOW_REQUIRE_OPENBLAS=1: %v", err)
	} else {
		t.Logf("system LAPACK not tested: %v", err)
	}
	job := func() *spec.Job {
		j := &spec.Job{
			Job:      "t",
			Output:   filepath.Join(t.TempDir(), "out"),
			Tables:   []spec.Table{{Year: "2020", Format: "pymrio", Path: dir}},
			Accounts: []string{spec.AccountRegions, spec.AccountLeontief},
			Scenarios: []spec.Scenario{
				{Name: "baseline"},
				{Name: "leaner", Shocks: []spec.Shock{{Target: spec.TargetA, Region: "R001", Sector: "s01*", Scale: 0.7}}},
			},
		}
		j.SetDefaults()
		return j
	}
	for _, backend := range backends {
		t.Run(backend.Name(), func(t *testing.T) {
			whole, split := job(), job()
			mw := runBlocks(t, whole, 0, runner.Options{Backend: backend})
			runBlocks(t, split, 3, runner.Options{Backend: backend})
			if n := sameFiles(t, whole, mw, split); n != 4 {
				t.Errorf("compared %d files, want 2 accounts × 2 scenarios", n)
			}
			checkOutputIdentity(t, filepath.Join(split.Output, split.Job, output.Key("2020", "baseline", output.Leontief, output.Arrow)), dir)
		})
	}
}

// checkOutputIdentity reads the leontief file at file and the pymrio table
// in dir, and checks the file's labels (column by column of L) and that
// L (Y 1) = Z 1 + Y 1 to 1e-9 relative, atol 1e-12 of the largest x.
func checkOutputIdentity(t *testing.T, file, dir string) {
	t.Helper()
	tab, err := formats.Open("pymrio", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := readRows(t, file)
	n, m := tab.N(), len(tab.Sectors)
	if len(rows) != n*n {
		t.Fatalf("%d rows, want n² = %d", len(rows), n*n)
	}
	l := mat.NewDense(n, n, nil)
	for k, row := range rows {
		i, j := k%n, k/n // column by column
		want := map[string]string{"from_region": tab.Regions[i/m], "from_sector": tab.Sectors[i%m], "to_region": tab.Regions[j/m], "to_sector": tab.Sectors[j%m]}
		for col, w := range want {
			if row[col] != w {
				t.Fatalf("row %d: %s = %q, want %q", k, col, row[col], w)
			}
		}
		l.Set(i, j, number(t, row["value"]))
	}
	ones := func(k int) *mat.VecDense {
		return mat.NewVecDense(k, slicesOf(k, 1))
	}
	var y, x, zx, ly mat.VecDense
	_, cy := tab.Y.Dims()
	y.MulVec(tab.Y, ones(cy))
	zx.MulVec(tab.Z, ones(n))
	x.AddVec(&zx, &y)
	ly.MulVec(l, &y)
	xmax := mat.Norm(&x, math.Inf(1))
	for i := range n {
		got, want := ly.AtVec(i), x.AtVec(i)
		if d := math.Abs(got - want); d > 1e-9*math.Max(math.Abs(got), math.Abs(want))+1e-12*xmax {
			t.Errorf("(L y)[%d] = %.17g, x = %.17g (difference %.3g)", i, got, want, got-want)
		}
	}
}

// slicesOf returns k copies of v.
func slicesOf(k int, v float64) []float64 {
	s := make([]float64, k)
	for i := range s {
		s[i] = v
	}
	return s
}

// TestSpecAccountsAreOutputs checks that every account a job may ask for
// is one the writers know, leontief among them.
func TestSpecAccountsAreOutputs(t *testing.T) {
	for _, a := range spec.KnownAccounts() {
		if !output.IsAccount(a) || a == output.Summary {
			t.Errorf("a job may ask for %q, which is no account of a Result", a)
		}
	}
}

// TestMeasureLeontief times writing the Leontief inverse of synthetic
// tables (49 regions; MRIOFLOW_MEASURE_N sets the orders, default 2450)
// with each backend, in five ways: Arrow and Parquet encoded in memory
// (output.Encode), Arrow streamed to nowhere, the writer alone, and a
// whole task (Runner.Run) writing the default accounts and leontief to a
// local folder, as Arrow and as Parquet. MRIOFLOW_MEASURE_HOW picks some
// of them (arrow, parquet, arrow-streamed, task-arrow, task-parquet,
// separated by commas), and MRIOFLOW_MEASURE_BACKENDS the backends
// (gonum, and lapack where it loads). Each case runs in a child process of its own
// (this test again, told the case by MRIOFLOW_MEASURE_CASE). The
// encoding cases read the table, compute every account with the factors
// kept and write the file; they print the times, the file's size, the
// resident memory before the write (the table, the factors, the
// accounts), how far the write raised the peak above that (VmHWM, reset
// before; an encoded file is part of it). A task prints its read and
// solve time, its write time and its leontief file. Every case prints
// the child's peak over all. It runs only with
// MRIOFLOW_MEASURE_LEONTIEF=1.
func TestMeasureLeontief(t *testing.T) {
	if c := os.Getenv("MRIOFLOW_MEASURE_CASE"); c != "" {
		measureLeontiefCase(t, c)
		return
	}
	if os.Getenv("MRIOFLOW_MEASURE_LEONTIEF") != "1" {
		t.Skip("set MRIOFLOW_MEASURE_LEONTIEF=1 to measure")
	}
	orders := []int{2450}
	if s := os.Getenv("MRIOFLOW_MEASURE_N"); s != "" {
		orders = nil
		for f := range strings.SplitSeq(s, ",") {
			n, err := strconv.Atoi(f)
			if err != nil || n <= 0 || n%49 != 0 {
				t.Fatalf("MRIOFLOW_MEASURE_N: %q is not a multiple of 49", f)
			}
			orders = append(orders, n)
		}
	}
	hows := []string{"arrow", "parquet", "arrow-streamed", "task-arrow", "task-parquet"}
	if s := os.Getenv("MRIOFLOW_MEASURE_HOW"); s != "" {
		hows = strings.Split(s, ",")
	}
	backends := []string{"gonum"}
	if _, err := leontief.LoadSystem(); err == nil {
		backends = append(backends, "lapack")
	}
	if s := os.Getenv("MRIOFLOW_MEASURE_BACKENDS"); s != "" {
		backends = strings.Split(s, ",")
	}
	t.Logf("%6s  %-7s  %-14s  %8s  %8s  %8s  %6s  %7s  %8s  %8s", "n", "backend", "write", "compute", "write L", "file MB", "B/row", "RSS MB", "+peak MB", "peak MB")
	for _, n := range orders {
		dir := filepath.Join(t.TempDir(), "table")
		if err := synth.Write(dir, synth.Options{Regions: 49, Sectors: n / 49, Stressors: 3, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		for _, backend := range backends {
			for _, how := range hows {
				cmd := exec.Command(os.Args[0], "-test.run=^TestMeasureLeontief$", "-test.v")
				cmd.Env = append(os.Environ(), "MRIOFLOW_MEASURE_CASE="+strings.Join([]string{dir, backend, how}, "|"))
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("%s %s: %v\n%s", backend, how, err, out)
				}
				_, line, ok := strings.Cut(string(out), "measured:")
				if !ok {
					t.Fatalf("%s %s: no measurement in\n%s", backend, how, out)
				}
				line, _, _ = strings.Cut(line, "\n")
				t.Logf("%6d  %-7s  %-14s %s  %8.0f", n, backend, how, line, float64(bench.ChildPeak(cmd.ProcessState))/1e6)
			}
		}
	}
}

// measureLeontiefCase is the child of TestMeasureLeontief: c is the
// table's folder, the backend and how to write, separated by "|".
func measureLeontiefCase(t *testing.T, c string) {
	parts := strings.Split(c, "|")
	backend, err := leontief.ByName(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := strings.CutPrefix(parts[2], "task-"); ok {
		measureLeontiefTask(t, parts[0], backend, f)
		return
	}
	tab, err := formats.Open("pymrio", parts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := accounts.Compute(tab, accounts.Options{Leontief: true, Backend: backend})
	if err != nil {
		t.Fatal(err)
	}
	compute := time.Since(start)
	runtime.GC()
	resetPeak(t)
	base := procStatus("VmRSS")
	start = time.Now()
	var size, rows int64
	switch parts[2] {
	case "arrow", "parquet":
		f, _ := output.ParseFormat(parts[2])
		data, n, err := output.Encode(output.Leontief, f, res, nil)
		if err != nil {
			t.Fatal(err)
		}
		size, rows = int64(len(data)), n
	case "arrow-streamed":
		cw := &countingWriter{}
		w, err := output.NewWriter(cw, output.Leontief, output.Arrow)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(res, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		size, rows = cw.n, w.Rows()
	}
	write := time.Since(start)
	fmt.Printf("measured: %7.2fs  %7.2fs  %8.1f  %6.2f  %7.0f  %8.0f\n", compute.Seconds(), write.Seconds(),
		float64(size)/1e6, float64(size)/float64(rows), float64(base)/1e6, float64(procStatus("VmHWM")-base)/1e6)
	runtime.KeepAlive(res)
}

// measureLeontiefTask is the child of TestMeasureLeontief for a whole
// task: the default accounts and leontief of the table in dir, in format
// f, written to a temporary folder.
func measureLeontiefTask(t *testing.T, dir string, backend leontief.Backend, f string) {
	j := &spec.Job{
		Job:          "m",
		Output:       filepath.Join(t.TempDir(), "out"),
		OutputFormat: f,
		Tables:       []spec.Table{{Year: "2020", Format: "pymrio", Path: dir}},
		Accounts:     append(spec.DefaultAccounts(), spec.AccountLeontief),
	}
	j.SetDefaults()
	rep, err := runner.New(runner.Options{Backend: backend}).Run(context.Background(), tasks(t, j)[0])
	if err != nil {
		t.Fatal(err)
	}
	var l plan.Output
	for _, o := range rep.Outputs {
		if o.Account == spec.AccountLeontief {
			l = o
		}
	}
	fmt.Printf("measured: %7.2fs  %7.2fs  %8.1f  %6.2f  %7s  %8s\n", rep.Timings.Read+rep.Timings.Solve, rep.Timings.Write,
		float64(l.Bytes)/1e6, float64(l.Bytes)/float64(l.Rows), "-", "-")
}

// countingWriter counts the bytes written to it and drops them.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// resetPeak resets the peak resident memory of this process (Linux).
func resetPeak(t *testing.T) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Logf("peak memory not reset: %v", err)
	}
}

// procStatus returns the value, in bytes, of a memory line of this
// process's status (VmHWM, VmRSS; Linux), 0 where unknown.
func procStatus(key string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}
