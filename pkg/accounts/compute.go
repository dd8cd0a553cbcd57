package accounts

import (
	"errors"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// Options choose what Compute produces and how. The zero value is the
// default: no flows by sector, A consumed, the pure Go backend.
type Options struct {
	// FlowsBySector adds E[s; (p, i), r] to every extension: one n×R'
	// matrix per stressor, k times the memory of the multipliers.
	FlowsBySector bool

	// KeepA factorizes a copy of t.A and leaves t.A as it was, at the cost
	// of a second n×n matrix. Without it Compute consumes t.A.
	KeepA bool

	// Backend runs the factorization and the solves; nil means
	// leontief.Native.
	Backend leontief.Backend

	// Leontief keeps L = (I - A)⁻¹ at hand: Compute puts the factors of
	// I - A in Result.Inverse, which solves L's columns when they are
	// read, and SolvePart solves its consumers' columns of L into
	// Part.Inverse. The factors live as long as the Result: the n×n
	// storage of A (of its copy with KeepA) is not freed before.
	Leontief bool

	// Timings, when not nil, receives how long each step of Compute took.
	Timings *Timings
}

// Timings splits the time of one Compute into its steps.
type Timings struct {
	Coefficients time.Duration // checking the table; A and S from one in flow form
	Factorize    time.Duration // I - A, its LU and condition estimate
	Solve        time.Duration // the R' + k pairs of triangular solves
	Accounts     time.Duration // everything else: flows, footprints, totals
}

// Compute returns every account of MATH.md for the table t.
//
// A table in flow form is first turned into coefficient form by
// Coefficients, in place, and its ZeroOutput list lands in the Result. Then
// I - A is factorized once and solved for:
//
//	Mᵀ    = (I - A)⁻ᵀ Sᵀ   all stressors of all extensions at once
//	x⁽ʳ⁾  = (I - A)⁻¹ y_r  all R' consumers at once
//
// from which x~ = sum_r x⁽ʳ⁾ and every other account follows without
// another solve. The work is one LU (2/3 n³ flops) and R' + k pairs of
// triangular solves; the memory, beyond the table, about n (R' + k) numbers
// and the accounts themselves.
//
// With opts.Leontief the Result keeps the factors too (Result.Inverse),
// for L's columns to be solved as a writer reads them.
//
// Compute consumes t.A: it factorizes in A's storage and sets t.A to nil,
// unless opts.KeepA is set. Direct in each result Extension shares the
// storage of the table's S.
//
// Compute returns an error, naming t.Source, when the table fails
// table.Validate or Coefficients, and when I - A is singular or nearly so
// (MATH.md 3); that error wraps a *leontief.SingularError and carries its
// reciprocal condition estimate. After an error t may be partly converted
// and t.A gone.
func Compute(t *table.Table, opts Options) (*Result, error) {
	clock := newClock(opts.Timings)
	var zero []ZeroOutput
	if t.Z != nil {
		var err error
		if zero, err = Coefficients(t); err != nil {
			return nil, err
		}
	} else if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}

	clock.lap(&clock.t.Coefficients)

	// Column sums of A, for value added, before the factors overwrite A.
	var share []float64
	if t.ValueAdded == nil && t.RegionValueAdded == nil {
		share = ValueAddedShare(t.A)
	}
	lu, err := factorize(t, opts)
	if err != nil {
		return nil, err
	}
	clock.lap(&clock.t.Factorize)

	yr := DemandByConsumer(t)
	xr := consumerOutputs(lu, yr, 0, len(t.Consumers), opts.Backend)
	mt := multipliersT(t, lu)
	clock.lap(&clock.t.Solve)
	res := assemble(t, share, yr, xr, mt, zero, opts)
	if opts.Leontief {
		res.Inverse = &Inverse{n: t.N(), lu: lu}
	}
	clock.lap(&clock.t.Accounts)
	return res, nil
}

// assemble builds every account from the solves: final demand by
// consumer yr and the output it triggers xr (both n×R'), and Mᵀ (n×sum k).
// share is ValueAddedShare of A, nil when the table gives value added.
func assemble(t *table.Table, share []float64, yr, xr, mt *mat.Dense, zero []ZeroOutput, opts Options) *Result {
	xt := rowSums(xr)
	res := &Result{
		Regions:    t.Regions,
		Consumers:  t.Consumers,
		Sectors:    t.Sectors,
		Output:     xt,
		Residual:   residual(t.X, xt),
		ZeroOutput: zero,
	}
	res.ValueAdded = regionalValueAdded(t, share, xt)
	res.FinalDemand = colSums(yr)

	k0 := 0
	for _, e := range t.Extensions {
		k := len(e.Stressors)
		m := mat.DenseCopyOf(mt.Slice(0, t.N(), k0, k0+k).T())
		k0 += k
		res.Extensions = append(res.Extensions, extensionAccounts(t, e, m, yr, xr, xt, res, opts))
	}
	return res
}

// clock fills a Timings step by step; with a nil Timings it only ticks
// into a scratch one.
type clock struct {
	t    *Timings
	last time.Time
}

func newClock(t *Timings) *clock {
	if t == nil {
		t = new(Timings)
	}
	*t = Timings{}
	return &clock{t: t, last: time.Now()}
}

// lap adds the time since the last lap to *d.
func (c *clock) lap(d *time.Duration) {
	now := time.Now()
	*d += now.Sub(c.last)
	c.last = now
}

// factorize factorizes I - A for t, in A's storage unless opts.KeepA, and
// names the table in its errors.
func factorize(t *table.Table, opts Options) (*leontief.LU, error) {
	a := t.A
	if opts.KeepA {
		a = mat.DenseCopyOf(t.A)
	} else {
		t.A = nil
	}
	lu, err := leontief.Factorize(a, leontief.WithBackend(opts.Backend))
	if err != nil {
		var se *leontief.SingularError
		if errors.As(err, &se) && se.Pivot >= 0 {
			return nil, errorf(t, "%w (column %d is sector %s)", err, se.Pivot, t.SectorLabel(se.Pivot))
		}
		return nil, errorf(t, "%w", err)
	}
	return lu, nil
}

// ValueAddedShare returns 1 - sum_i A_ij for every column j: the share of
// value added in a unit of sector j's output (MATH.md 12).
func ValueAddedShare(a *mat.Dense) []float64 {
	r, c := a.Dims()
	share := make([]float64, c)
	for i := range r {
		for j, v := range a.RawRowView(i) {
			share[j] -= v
		}
	}
	for j := range share {
		share[j]++
	}
	return share
}

// DemandByConsumer returns the n×R' matrix whose column r is y_r, the sum
// of consumer r's final-demand categories (MATH.md 4). It panics when t.Y
// does not have R' c columns; table.Validate catches that.
func DemandByConsumer(t *table.Table) *mat.Dense {
	n, rp, c := t.N(), len(t.Consumers), len(t.Categories)
	yr := mat.NewDense(n, rp, nil)
	for i := range n {
		src, dst := t.Y.RawRowView(i), yr.RawRowView(i)
		for r := range rp {
			var s float64
			for _, v := range src[r*c : (r+1)*c] {
				s += v
			}
			dst[r] = s
		}
	}
	return yr
}

// multipliersT returns Mᵀ for all extensions side by side (n × sum k),
// from one transposed solve (MATH.md 5); nil when there are no stressors.
func multipliersT(t *table.Table, lu *leontief.LU) *mat.Dense {
	total := 0
	for _, e := range t.Extensions {
		total += len(e.Stressors)
	}
	if total == 0 {
		return nil
	}
	mt := mat.NewDense(t.N(), total, nil)
	k0 := 0
	for _, e := range t.Extensions {
		k := len(e.Stressors)
		mt.Slice(0, t.N(), k0, k0+k).(*mat.Dense).Copy(e.S.T())
		k0 += k
	}
	lu.SolveTrans(mt)
	return mt
}

// solveChunk is how many consumers one library solve takes; see
// consumerOutputs.
const solveChunk = 16

// consumerOutputs returns x⁽ʳ⁾ = (I - A)⁻¹ y_r for consumers lo, ...,
// hi-1 (n × (hi-lo)), from yr, final demand by consumer (n × R').
//
// The native backend solves them in one call: gonum's solves treat each
// column alike whatever columns it comes with. A library does not: OpenBLAS
// solves one right-hand side with dtrsv and several with dtrsm, whose
// kernels order a column's sums by where it sits in the call (and in its
// thread's share of the columns). So with any other backend the consumers
// are solved in fixed chunks of solveChunk, aligned to consumer 0, the
// chunk that holds a consumer whole even when only part of it is asked
// for. Compute and SolvePart thereby make the very same library calls for
// a consumer, and get the same bits.
func consumerOutputs(lu *leontief.LU, yr *mat.Dense, lo, hi int, backend leontief.Backend) *mat.Dense {
	n, rp := yr.Dims()
	if _, native := backend.(leontief.Native); native || backend == nil {
		x := mat.DenseCopyOf(yr.Slice(0, n, lo, hi))
		lu.Solve(x)
		return x
	}
	x := mat.NewDense(n, hi-lo, nil)
	for c0 := lo - lo%solveChunk; c0 < hi; c0 += solveChunk {
		c1 := min(c0+solveChunk, rp)
		chunk := mat.DenseCopyOf(yr.Slice(0, n, c0, c1))
		lu.Solve(chunk)
		a, b := max(c0, lo), min(c1, hi)
		x.Slice(0, n, a-lo, b-lo).(*mat.Dense).Copy(chunk.Slice(0, n, a-c0, b-c0))
	}
	return x
}

// residual returns ‖x - x~‖₂ / ‖x‖₂ (MATH.md 6), 0 when x is nil, and
// ‖x~‖₂ when x is all zero.
func residual(x, xt []float64) float64 {
	if x == nil {
		return 0
	}
	var d, nx float64
	for i, v := range x {
		d = math.Hypot(d, v-xt[i])
		nx = math.Hypot(nx, v)
	}
	if nx == 0 {
		return d
	}
	return d / nx
}

// regionalValueAdded returns value added per consumer (MATH.md 12): the
// table's account when it has one, else x_j (1 - sum_i A_ij) with the
// table's x, or x~ when it gives none. NaN for consumers that do not
// produce.
func regionalValueAdded(t *table.Table, share, xt []float64) []float64 {
	out := make([]float64, len(t.Consumers))
	for r := len(t.Regions); r < len(out); r++ {
		out[r] = math.NaN()
	}
	m := len(t.Sectors)
	switch {
	case t.ValueAdded != nil:
		for i, v := range t.ValueAdded {
			out[i/m] += v
		}
	case t.RegionValueAdded != nil:
		copy(out, t.RegionValueAdded)
	default:
		x := t.X
		if x == nil {
			x = xt
		}
		for i, s := range share {
			out[i/m] += x[i] * s
		}
	}
	return out
}
