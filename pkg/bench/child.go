package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/formats"
	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/openblas"
)

// init turns the process into a benchmark child when Run started it: it
// measures the order in the environment, prints one line of JSON and
// exits, before the program's main (or a test binary's tests) run.
func init() {
	spec, ok := os.LookupEnv(envChild)
	if !ok {
		return
	}
	os.Unsetenv(envChild)
	var order childOrder
	var reply childReply
	if err := json.Unmarshal([]byte(spec), &order); err != nil {
		reply.Error = fmt.Sprintf("decode the order: %v", err)
	} else if reply.Result, err = measure(order); err != nil {
		reply.Error = err.Error()
	}
	b, _ := json.Marshal(reply)
	fmt.Printf("%s\n", b)
	os.Exit(0)
}

// measure runs one size: the job (read and accounts), then the reference
// LU, then, if asked, the Monte Carlo draws.
func measure(o childOrder) (Result, error) {
	be, err := leontief.ByName(o.Options.Backend)
	if err != nil {
		return Result{}, err
	}
	res := Result{N: o.N, Regions: o.Options.Regions, Sectors: o.N / o.Options.Regions,
		Stressors: o.Options.Stressors, Backend: be.Name(), TableBytes: dirSize(o.Dir)}
	if err := warmUp(be); err != nil {
		return res, err
	}
	before, note, err := referenceLU(o.N)
	if err != nil {
		return res, err
	}
	release()
	resetPeakRSS()

	start := time.Now()
	t, err := formats.Open("pymrio", o.Dir, nil)
	if err != nil {
		return res, err
	}
	res.Read = time.Since(start).Seconds()

	var tm accounts.Timings
	start = time.Now()
	if _, err := accounts.Compute(t, accounts.Options{Backend: be, Timings: &tm}); err != nil {
		return res, err
	}
	res.Compute = time.Since(start).Seconds()
	res.Job = res.Read + res.Compute
	res.Coefficients, res.Factorize = tm.Coefficients.Seconds(), tm.Factorize.Seconds()
	res.Solve, res.Accounts = tm.Solve.Seconds(), tm.Accounts.Seconds()
	res.PeakRSS = peakRSS()

	t = nil
	release()
	after, _, err := referenceLU(o.N)
	if err != nil {
		return res, err
	}
	res.ReferenceNote = note
	if note == "" {
		res.ReferenceBefore, res.ReferenceAfter = before, after
		res.Reference = (before + after) / 2
		res.ComputeRatio = res.Compute / res.Reference
		res.JobRatio = res.Job / res.Reference
	}
	if o.MonteCarlo {
		if res.Draws, err = drawCosts(context.Background(), o, be, res.Factorize); err != nil {
			return res, err
		}
	}
	return res, nil
}

// warmUp factorizes a small matrix on be, so that the job does not pay for
// a library's first call (its threads and work buffers) while the
// reference, which runs later, would not: a worker that serves many tasks
// pays that once.
func warmUp(be leontief.Backend) error {
	const n = 256
	a := mat.NewDense(n, n, randomIO(n, 6))
	if _, err := leontief.Factorize(a, leontief.WithBackend(be)); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	return nil
}

// randomIO returns, row-major, an n×n A with entries in [0, 1.2/n): column
// sums below 1.2 and about 0.6 on average, the shape of input coefficients.
func randomIO(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(uint64(n), seed))
	a := make([]float64, n*n)
	for i := range a {
		a[i] = rng.Float64() * (1.2 / float64(n))
	}
	return a
}

// referenceLU times dgetrf through the system library on an n×n matrix
// I - A of the shape the job factorizes (randomIO); an LU's time does not
// depend on the values, and neither matrix needs a row interchange. With
// no system library it returns a note saying so instead.
func referenceLU(n int) (seconds float64, note string, err error) {
	lib, err := openblas.Load()
	if errors.Is(err, openblas.ErrUnavailable) {
		return 0, "no system LAPACK: reference LU not measured", nil
	}
	if err != nil {
		return 0, "", err
	}
	a := randomIO(n, 5)
	for i := range n {
		row := a[i*n : (i+1)*n]
		for j, v := range row {
			row[j] = -v
		}
		row[i]++
	}
	ipiv := make([]int32, n)
	start := time.Now()
	if !lib.Getrf(n, a, n, ipiv) {
		return 0, "", fmt.Errorf("reference LU: singular matrix")
	}
	return time.Since(start).Seconds(), "", nil
}

// release hands the memory of what is no longer referenced back to the
// system, so that one step's garbage does not count in the next one's peak.
func release() {
	runtime.GC()
	debug.FreeOSMemory()
}

// resetPeakRSS starts the peak resident memory afresh where Linux allows
// it (clear_refs, since Linux 4.0); elsewhere the peak keeps counting.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS returns the process's peak resident memory in bytes (VmHWM in
// /proc/self/status), or 0 where there is no such file.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	var kb int64
	for _, line := range strings.Split(string(b), "\n") {
		if n, _ := fmt.Sscanf(line, "VmHWM: %d kB", &kb); n == 1 {
			return kb * 1024
		}
	}
	return 0
}

// dirSize returns the bytes of the files under dir.
func dirSize(dir string) int64 {
	var size int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	return size
}
