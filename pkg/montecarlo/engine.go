package montecarlo

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/scenario"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// Kind says how an Engine computes a draw, which decides what a draw costs.
type Kind int

// The kinds, from the cheapest draw to the dearest.
const (
	// OnlyS: only S varies. The outputs x⁽ʳ⁾ = L y_r are the base's, so a
	// draw is sums over them, O(k |J| R'), with no solve.
	OnlyS Kind = iota + 1
	// Resolve: Y varies, and perhaps S; A does not. A draw solves for
	// x⁽ʳ⁾ with the base factors: R' pairs of triangular solves.
	Resolve
	// LowRank: A varies in at most Options.MaxLowRank columns. A draw
	// updates the base factors (leontief.Update): |J| pairs of solves.
	LowRank
	// Refactorize: A varies in more columns. A draw factorizes its own
	// I - A.
	Refactorize
)

// String names the kind as the benchmark prints it.
func (k Kind) String() string {
	switch k {
	case OnlyS:
		return "S-only"
	case Resolve:
		return "Y-resolve"
	case LowRank:
		return "A-low-rank"
	case Refactorize:
		return "A-refactorize"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Options tune an Engine. The zero value works: it keys the draws with an
// empty year and scenario, on the Native backend.
type Options struct {
	// Year and Scenario key each draw's random numbers, with the seed and
	// the draw's number (see Stream).
	Year, Scenario string

	// Backend factorizes and solves; nil means leontief.Native.
	Backend leontief.Backend

	// Workers is the number of draws computed at once. 0 means
	// GOMAXPROCS, except for draws that solve on a backend other than
	// Native: a system library spreads each solve over the cores itself,
	// so those run one at a time. Each worker holds its own scratch, an
	// n×n matrix for Refactorize.
	Workers int

	// MaxLowRank is the largest number of changed columns of A that a
	// low-rank update handles; more refactorize. 0 means n/8, where the
	// update still costs well under half a factorization; a negative
	// value always refactorizes.
	MaxLowRank int
}

// Engine computes the draws of one Monte Carlo scenario on one table,
// reusing what the draws share: the base factorization, the base solves,
// and the base flows.
//
// The regional accounts of a draw are those of accounts.Compute on the
// table that Perturb leaves, to rounding (1e-10 relative).
//
// An Engine is safe for concurrent use; Run already spreads draws over
// Options.Workers goroutines.
type Engine struct {
	mc   scenario.MonteCarlo
	opts Options
	kind Kind
	src  string
	cols []int
	// acols are the columns of A that vary: cols, less those whose
	// per-entry sigmas are all 0.
	acols []int
	// whether some entry of S, Y, A varies
	variesS, variesY, variesA bool

	n, m, regions, consumers int
	exts                     []*table.Extension
	y                        *mat.Dense   // base Y
	yr                       *mat.Dense   // base y_r, n×R'
	fy                       [][]float64  // per extension, F_Y by consumer, k×R' row-major
	lu                       *leontief.LU // base factors; nil for Refactorize
	a                        *mat.Dense   // base A, Refactorize only
	aCols                    *mat.Dense   // base A[:, acols], LowRank only
	x                        *mat.Dense   // base x⁽ʳ⁾, n×R'; nil for Refactorize
	onlyS                    *onlyS       // OnlyS only
	batched                  *batched     // OnlyS on a system library with dgemm only

	va    []float64 // value added per consumer when it does not vary
	share []float64 // 1 - column sums of A, when value added follows A
	xva   []float64 // the output value added uses when x does not vary

	labels []Label
	zero   []accounts.ZeroOutput

	// names of the producing regions, the consumers and the sectors, for Result
	regionNames, consumerNames, sectorNames []string
}

// New prepares the draws of mc on t: it turns a table in flow form into
// coefficients (accounts.Coefficients), then factorizes I - A and solves
// for the base outputs, unless every draw refactorizes.
//
// New consumes t: the factorization overwrites t.A, and the Engine keeps
// the rest. It returns the errors of scenario.MonteCarlo.Sectors, of
// table.Validate and accounts.Coefficients, and a singular I - A (wrapping
// a *leontief.SingularError), each naming the table.
func New(t *table.Table, mc scenario.MonteCarlo, opts Options) (*Engine, error) {
	var zero []accounts.ZeroOutput
	if t.Z != nil {
		var err error
		if zero, err = accounts.Coefficients(t); err != nil {
			return nil, fmt.Errorf("montecarlo: %w", err)
		}
	} else if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("montecarlo: %w", err)
	}
	cols, err := mc.Sectors(t)
	if err != nil {
		return nil, fmt.Errorf("montecarlo: %w", err)
	}
	if opts.Backend == nil {
		opts.Backend = leontief.Native{}
	}
	n := t.N()
	e := &Engine{
		mc: mc, opts: opts, src: t.Source, cols: cols,
		n: n, m: len(t.Sectors), regions: len(t.Regions), consumers: len(t.Consumers),
		exts: t.Extensions, y: t.Y, zero: zero,
		regionNames: t.Regions, consumerNames: t.Consumers, sectorNames: t.Sectors,
	}
	e.variesS, e.variesY, e.variesA = mc.Sigma.VariesS(), mc.Sigma.VariesY(), mc.Sigma.VariesA()
	e.acols = cols
	if mc.Sigma.PerA != nil {
		e.acols = variedColumns(mc.Sigma.PerA, cols)
	}
	e.kind = kindOf(e.variesY, e.variesA, len(e.acols), n, opts.MaxLowRank)
	e.yr = accounts.DemandByConsumer(t)
	for _, x := range t.Extensions {
		e.fy = append(e.fy, directFinalUse(t, x))
	}
	if t.ValueAdded != nil || t.RegionValueAdded != nil {
		e.va = tableValueAdded(t)
	} else {
		e.share = accounts.ValueAddedShare(t.A)
	}

	switch e.kind {
	case Refactorize:
		e.a, t.A = t.A, nil
	case LowRank:
		e.aCols = columns(t.A, e.acols)
		fallthrough
	default:
		a := t.A
		t.A = nil
		if e.lu, err = leontief.Factorize(a, leontief.WithBackend(opts.Backend)); err != nil {
			return nil, e.errorf("base table: %w", err)
		}
		e.x = mat.DenseCopyOf(e.yr)
		e.lu.Solve(e.x)
	}
	if !e.variesA && !e.variesY {
		e.xva = t.X
		if e.xva == nil {
			e.xva = make([]float64, n)
			for i := range n {
				e.xva[i] = floats.Sum(e.x.RawRowView(i))
			}
		}
	}
	if e.kind == OnlyS {
		e.onlyS = e.newOnlyS()
		e.batched = e.newBatched()
	}
	e.labels = e.layout(t)
	return e, nil
}

// kindOf decides how draws are computed; p is the number of columns of A
// that vary. A whose varying entries all lie outside the selection leaves
// Y's re-solve, since the draw drops x all the same.
func kindOf(variesY, variesA bool, p, n, maxLowRank int) Kind {
	switch {
	case variesA && p > 0:
		if maxLowRank == 0 {
			maxLowRank = n / 8
		}
		if p <= maxLowRank {
			return LowRank
		}
		return Refactorize
	case variesA || variesY:
		return Resolve
	}
	return OnlyS
}

func (e *Engine) errorf(format string, args ...any) error {
	return fmt.Errorf("montecarlo: %s: "+format, append([]any{e.src}, args...)...)
}

// Kind returns how the Engine computes each draw.
func (e *Engine) Kind() Kind { return e.kind }

// Columns returns the producing sectors whose entries vary, region-major
// indices in ascending order. The slice must not be changed.
func (e *Engine) Columns() []int { return e.cols }

// Labels says what each value of a draw is, in order.
func (e *Engine) Labels() []Label { return e.labels }

// ZeroOutput returns the stressors that dropped out when New turned a
// table in flow form into coefficients (accounts.Result.ZeroOutput).
func (e *Engine) ZeroOutput() []accounts.ZeroOutput { return e.zero }

// Draw computes draw number d alone and returns its values, in the order
// of Labels. It panics when d is outside [0, mc.Draws); it returns an
// error when the draw's I - A is singular or nearly so.
func (e *Engine) Draw(d int) ([]float64, error) {
	out := make([]float64, len(e.labels))
	if e.batched != nil {
		if d < 0 || d >= e.mc.Draws {
			panic(fmt.Sprintf("montecarlo: draw %d outside the scenario's %d", d, e.mc.Draws))
		}
		outs := make([][]float64, e.batched.size)
		outs[d%e.batched.size] = out
		e.drawBatch(d/e.batched.size, e.newBatchScratch(), outs)
		return out, nil
	}
	if err := e.draw(d, e.newScratch(), out); err != nil {
		return nil, err
	}
	return out, nil
}

// Run computes the draws first, ..., first+count-1 and returns their
// values in draw order. Each draw depends only on its number, so the
// result is the same to the bit for any Workers and however a scenario's
// draws are split between calls. Run stops at the first failed draw, or
// when ctx is done, and returns that error. It panics when the range is
// outside [0, mc.Draws).
func (e *Engine) Run(ctx context.Context, first, count int) (*Samples, error) {
	if first < 0 || count < 0 || first+count > e.mc.Draws {
		panic(fmt.Sprintf("montecarlo: draws [%d, %d) outside the scenario's %d", first, first+count, e.mc.Draws))
	}
	v := len(e.labels)
	s := &Samples{Labels: e.labels, First: first, Count: count, Values: make([]float64, count*v)}
	workers := e.workers()
	if e.batched != nil {
		if err := e.runBatches(ctx, s, workers); err != nil {
			return nil, err
		}
		return s, nil
	}
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		mu      sync.Mutex
		failure error
		failed  = count // the lowest failed draw, as an offset
	)
	for range min(workers, count) {
		wg.Go(func() {
			sc := e.newScratch()
			for {
				i := int(next.Add(1) - 1)
				if i >= count {
					return
				}
				err := ctx.Err()
				if err == nil {
					err = e.draw(first+i, sc, s.Values[i*v:(i+1)*v])
				}
				if err != nil {
					mu.Lock()
					if i < failed {
						failed, failure = i, err
					}
					mu.Unlock()
					next.Store(int64(count))
					return
				}
			}
		})
	}
	wg.Wait()
	if failure != nil {
		return nil, failure
	}
	return s, nil
}

// workers returns how many draws Run computes at once.
func (e *Engine) workers() int {
	if e.opts.Workers > 0 {
		return e.opts.Workers
	}
	if _, native := e.opts.Backend.(leontief.Native); e.kind != OnlyS && !native {
		return 1
	}
	return runtime.GOMAXPROCS(0)
}

// scratch is one worker's memory.
type scratch struct {
	x     *mat.Dense   // x⁽ʳ⁾ of the draw
	yr    *mat.Dense   // y_r of the draw
	s     []*mat.Dense // S of the draw, per extension
	a     *mat.Dense   // A of the draw, Refactorize
	after *mat.Dense   // A[:, J] of the draw, LowRank
	share []float64    // 1 - column sums of the draw's A
	xt    []float64    // x~ of the draw
	va    []float64
	fd    []float64
	ds    [][]float64 // S of the draw minus S of the base, per stressor; OnlyS
	flows [][]float64 // the flows of each stressor within a draw's values; OnlyS
	fac   []float64   // a draw's factors; OnlyS
}

// factors returns room for n factors.
func (sc *scratch) factors(n int) []float64 {
	if cap(sc.fac) < n {
		sc.fac = make([]float64, n)
	}
	return sc.fac[:n]
}

func (e *Engine) newScratch() *scratch {
	sc := &scratch{
		va: make([]float64, e.consumers),
		fd: make([]float64, e.consumers),
	}
	if e.kind == OnlyS {
		for _, x := range e.exts {
			for range x.Stressors {
				sc.ds = append(sc.ds, make([]float64, e.n))
			}
		}
	}
	if e.kind != OnlyS {
		sc.x = mat.NewDense(e.n, e.consumers, nil)
		sc.yr = mat.NewDense(e.n, e.consumers, nil)
		sc.xt = make([]float64, e.n)
		for _, x := range e.exts {
			sc.s = append(sc.s, mat.NewDense(len(x.Stressors), e.n, nil))
		}
	}
	switch e.kind {
	case Refactorize:
		sc.a = mat.NewDense(e.n, e.n, nil)
	case LowRank:
		sc.after = mat.NewDense(e.n, len(e.acols), nil)
	}
	if e.share != nil && e.variesA {
		sc.share = make([]float64, e.n)
	}
	return sc
}

// draw computes draw d into out.
func (e *Engine) draw(d int, sc *scratch, out []float64) error {
	if d < 0 || d >= e.mc.Draws {
		panic(fmt.Sprintf("montecarlo: draw %d outside the scenario's %d", d, e.mc.Draws))
	}
	st := Stream{Seed: e.mc.Seed, Year: e.opts.Year, Scenario: e.opts.Scenario, Draw: d}
	if e.kind == OnlyS {
		e.drawS(st, sc, out)
		return nil
	}

	// Final demand of the draw, y_r.
	yr := e.yr
	if e.variesY {
		yr = sc.yr
		yr.Copy(e.yr)
		f := newFactors(st, "Y", 0, e.mc.Sigma.Y)
		c := e.y.RawMatrix().Cols / e.consumers
		for _, j := range e.cols {
			src, dst := e.y.RawRowView(j), yr.RawRowView(j)
			sig := rowOf(e.mc.Sigma.PerY, j)
			for r := range dst {
				var s float64
				for k, v := range src[r*c : (r+1)*c] {
					v = f.scale(v, sig, r*c+k)
					s += v
				}
				dst[r] = s
			}
		}
	}

	// Outputs of the draw, x⁽ʳ⁾.
	share := e.share
	x := sc.x
	switch e.kind {
	case Resolve:
		x.Copy(yr)
		e.lu.Solve(x)
	case LowRank:
		sums := perturbColumns(sc.after, e.aCols, nil, e.columnFactors(st))
		share = e.drawShare(sc, sums)
		up, err := e.lu.UpdateColumns(e.acols, e.aCols, sc.after)
		if err != nil {
			return e.errorf("draw %d: %w", d, err)
		}
		if yr == e.yr {
			x.Copy(e.x)
			up.Correct(x)
		} else {
			x.Copy(yr)
			up.Solve(x)
		}
	case Refactorize:
		sums := perturbColumns(sc.a, e.a, e.acols, e.columnFactors(st))
		share = e.drawShare(sc, sums)
		lu, err := leontief.Factorize(sc.a, leontief.WithBackend(e.opts.Backend))
		if err != nil {
			return e.errorf("draw %d: %w", d, err)
		}
		x.Copy(yr)
		lu.Solve(x)
	}
	xt := sc.xt
	for i := range xt {
		xt[i] = floats.Sum(x.RawRowView(i))
	}

	e.valueAdded(sc.va, share, xt)
	colSumsInto(sc.fd, yr)
	copy(out, sc.va)
	copy(out[e.consumers:], sc.fd)

	for i, ext := range e.exts {
		sc.s[i].Copy(ext.S)
	}
	if e.variesS {
		fs := newFactors(st, "S", 0, e.mc.Sigma.S)
		for _, j := range e.cols {
			for i := range e.exts {
				s, sig := sc.s[i], sigmaS(e.mc.Sigma, i)
				for k := range s.RawMatrix().Rows {
					if v := s.At(k, j); v != 0 {
						s.Set(k, j, fs.scale(v, rowOf(sig, k), j))
					}
				}
			}
		}
	}
	for i, ext := range e.exts {
		for s := range ext.Stressors {
			b := e.block(i, s, out)
			fl := b[7*e.consumers:]
			clear(fl)
			flowsInto(fl, sc.s[i].RawRowView(s), x, e.m, e.consumers)
			e.regional(b, e.fy[i][s*e.consumers:(s+1)*e.consumers], sc.va, sc.fd)
		}
	}
	return nil
}

// columnFactors returns the factors of the draw's columns of A, acols.
func (e *Engine) columnFactors(st Stream) colFactors {
	return colFactors{fs: columnFactors(st, e.acols, e.mc.Sigma.A), sigma: e.mc.Sigma.PerA, cols: e.acols}
}

// variedColumns returns the columns of cols in which some entry of sigma
// is above 0.
func variedColumns(sigma *mat.Dense, cols []int) []int {
	n, _ := sigma.Dims()
	varied := make([]bool, len(cols))
	for i := range n {
		row := sigma.RawRowView(i)
		for k, j := range cols {
			varied[k] = varied[k] || row[j] > 0
		}
	}
	var out []int
	for k, j := range cols {
		if varied[k] {
			out = append(out, j)
		}
	}
	return out
}

// drawShare returns 1 - the column sums of the draw's A, given the sums of
// its changed columns; nil when value added does not follow A.
func (e *Engine) drawShare(sc *scratch, sums []float64) []float64 {
	if e.share == nil {
		return nil
	}
	copy(sc.share, e.share)
	for k, j := range e.acols {
		sc.share[j] = 1 - sums[k]
	}
	return sc.share
}

// valueAdded writes value added per consumer (MATH.md 12): the table's own
// when it has it, else x_j (1 - sum_i A_ij) summed by region.
func (e *Engine) valueAdded(dst, share, x []float64) {
	if e.va != nil {
		copy(dst, e.va)
		return
	}
	clear(dst)
	for r := e.regions; r < e.consumers; r++ {
		dst[r] = nan
	}
	for i, s := range share {
		dst[i/e.m] += x[i] * s
	}
}
