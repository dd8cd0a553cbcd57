package bench

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/synth"
)

// Options choose what Run measures. The zero value of a field takes the
// default written beside it.
type Options struct {
	// Sizes are the orders n of the tables, each a multiple of Regions;
	// default 2450, 4900 and 9800.
	Sizes []int
	// Regions is the number of regions of every table, default 49; a
	// table of order n has n / Regions sectors per region.
	Regions int
	// Stressors is the number of stressors of the one extension, default 3.
	Stressors int
	// Seed fixes the synthetic tables, default 0.
	Seed uint64
	// Cache is the folder where the synthetic tables are written once and
	// reused; default "mrioflow-bench" in the system's temporary folder.
	Cache string
	// Backend is "auto" (default: the system LAPACK where there is one),
	// "gonum" (pure Go) or "lapack" (fail without a system LAPACK), as
	// leontief.ByName reads them.
	Backend string
	// MonteCarlo adds, for each size, the cost of one Monte Carlo draw of
	// each kind as a fraction of one factorization.
	MonteCarlo bool
	// Draws is the number of draws timed for the kinds that solve;
	// S-only draws are timed 100 times as many. Default 3.
	Draws int
	// Repeat is the number of fresh processes per size, default 1. The
	// size's Result is the run with the median ComputeRatio (the median
	// Compute without a reference), which a busy machine disturbs less
	// than any single run; Runs says how many there were.
	Repeat int
}

// Defaults of Options.
var (
	DefaultSizes = []int{2450, 4900, 9800}
)

func (o *Options) defaults() {
	if len(o.Sizes) == 0 {
		o.Sizes = DefaultSizes
	}
	if o.Regions == 0 {
		o.Regions = 49
	}
	if o.Stressors == 0 {
		o.Stressors = 3
	}
	if o.Cache == "" {
		o.Cache = filepath.Join(os.TempDir(), "mrioflow-bench")
	}
	if o.Backend == "" {
		o.Backend = "auto"
	}
	if o.Draws == 0 {
		o.Draws = 3
	}
	if o.Repeat == 0 {
		o.Repeat = 1
	}
}

// Result is what one size measured, in a fresh process. Times are in
// seconds; a ratio is 0 when its reference was not measured.
type Result struct {
	N, Regions, Sectors, Stressors int
	Backend                        string // the backend of the job, as it names itself
	TableBytes                     int64  // size of the table's files

	Read         float64 // formats.Open of the table
	Coefficients float64 // checks, x, A and S from the flows
	Factorize    float64 // I - A, its LU and condition estimate
	Solve        float64 // the triangular solves
	Accounts     float64 // the rest of accounts.Compute
	Compute      float64 // accounts.Compute in all: Coefficients to Accounts
	Job          float64 // Read + Compute
	PeakRSS      int64   // bytes, the process's peak resident memory during the job

	// Reference is the time of dgetrf on an n×n matrix through the
	// system library directly, in the same process: the mean of one run
	// just before the job (ReferenceBefore) and one just after
	// (ReferenceAfter), so that a machine whose load drifts weighs on both
	// sides. 0 with ReferenceNote saying why when there is no system
	// library.
	Reference                       float64
	ReferenceBefore, ReferenceAfter float64
	ReferenceNote                   string `json:",omitempty"`
	// ComputeRatio is Compute / Reference, JobRatio Job / Reference.
	ComputeRatio, JobRatio float64

	// Draws holds the Monte Carlo costs when asked for.
	Draws []DrawCost `json:",omitempty"`

	// Runs is the number of processes this size ran in (Options.Repeat);
	// this is the one with the median ratio.
	Runs int
}

// DrawCost is the measured cost of one Monte Carlo draw of one kind.
type DrawCost struct {
	Kind    string  // montecarlo.Kind's name
	Columns int     // producing sectors that vary
	Draws   int     // draws timed
	Seconds float64 // per draw, with the engine's default workers
	PerLU   float64 // Seconds / Factorize of the same run
}

// envChild carries a child's orders; its presence makes a process a
// child (see init in child.go).
const envChild = "MRIOFLOW_BENCH_CHILD"

// childOrder is what a child measures.
type childOrder struct {
	Dir        string
	Options    Options
	N          int
	MonteCarlo bool
}

// Run measures every size of opts, writing a table of the results to w
// as they come, and returns them. For each size it writes (or reuses,
// from opts.Cache) a synthetic table with package synth, then runs the
// current executable again, in a fresh process, to read the table,
// compute its accounts and time a reference LU, so that each size's peak
// memory is its own.
//
// Run returns an error when a size is not a multiple of opts.Regions, a
// table cannot be written, a child fails, or ctx ends; the results
// measured so far come back with it.
func Run(ctx context.Context, w io.Writer, opts Options) ([]Result, error) {
	opts.defaults()
	for _, n := range opts.Sizes {
		if n <= 0 || n%opts.Regions != 0 {
			return nil, fmt.Errorf("bench: size %d is not a positive multiple of %d regions", n, opts.Regions)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench: find the executable to run again: %w", err)
	}
	p := newPrinter(w)
	var out []Result
	for _, n := range opts.Sizes {
		dir, err := tableDir(opts, n)
		if err != nil {
			return out, err
		}
		var runs []Result
		for range opts.Repeat {
			res, err := runChild(ctx, exe, childOrder{Dir: dir, Options: opts, N: n, MonteCarlo: opts.MonteCarlo})
			if err != nil {
				return out, fmt.Errorf("bench: n = %d: %w", n, err)
			}
			runs = append(runs, res)
		}
		res := median(runs)
		out = append(out, res)
		p.result(res)
	}
	p.flush()
	return out, nil
}

// median returns the run with the median ComputeRatio, or the median
// Compute when there is no reference, with Runs set.
func median(runs []Result) Result {
	key := func(r Result) float64 {
		if r.Reference > 0 {
			return r.ComputeRatio
		}
		return r.Compute
	}
	sorted := slices.Clone(runs)
	slices.SortStableFunc(sorted, func(a, b Result) int { return cmp.Compare(key(a), key(b)) })
	res := sorted[(len(sorted)-1)/2]
	res.Runs = len(runs)
	return res
}

// tableDir returns the folder of the synthetic table of order n, writing it
// first unless the cache already holds a complete one.
func tableDir(opts Options, n int) (string, error) {
	m := n / opts.Regions
	dir := filepath.Join(opts.Cache, fmt.Sprintf("r%d-m%d-k%d-seed%d", opts.Regions, m, opts.Stressors, opts.Seed))
	done := filepath.Join(dir, "complete")
	if _, err := os.Stat(done); err == nil {
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("bench: clear a partial table: %w", err)
	}
	err := synth.Write(dir, synth.Options{Regions: opts.Regions, Sectors: m, Stressors: opts.Stressors, Seed: opts.Seed})
	if err != nil {
		return "", fmt.Errorf("bench: write the table of order %d: %w", n, err)
	}
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	return dir, nil
}

// runChild runs exe as a child with the order in its environment and
// decodes the Result it prints.
func runChild(ctx context.Context, exe string, order childOrder) (Result, error) {
	spec, err := json.Marshal(order)
	if err != nil {
		panic(err) // plain data always encodes
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), envChild+"="+string(spec))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var reply childReply
	if err := json.Unmarshal(lastLine(stdout.Bytes()), &reply); err != nil {
		if runErr == nil {
			runErr = err
		}
		return Result{}, fmt.Errorf("child process: %w: %s", runErr, strings.TrimSpace(stderr.String()))
	}
	if reply.Error != "" {
		return Result{}, fmt.Errorf("child process: %s", reply.Error)
	}
	if runErr != nil {
		return Result{}, fmt.Errorf("child process: %w: %s", runErr, strings.TrimSpace(stderr.String()))
	}
	res := reply.Result
	if res.PeakRSS == 0 && cmd.ProcessState != nil {
		res.PeakRSS = ChildPeak(cmd.ProcessState)
	}
	return res, nil
}

// childReply is the one line of JSON a child prints.
type childReply struct {
	Result Result
	Error  string `json:",omitempty"`
}

// lastLine returns the last non-empty line of b.
func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}
