package leontief

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// MinRCond is the smallest reciprocal condition estimate of I - A that
// Factorize accepts (MATH.md 3). Below it the solves would lose all but a
// few digits, so the system counts as singular.
const MinRCond = 1e-12

// Option changes how Factorize works. The defaults: the Native backend.
type Option func(*config)

type config struct {
	backend Backend
}

func newConfig(opts []Option) config {
	c := config{backend: Native{}}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithBackend makes Factorize, and the solves of the LU it returns, run on
// b. A nil b keeps the default, Native.
func WithBackend(b Backend) Option {
	return func(c *config) {
		if b != nil {
			c.backend = b
		}
	}
}

// LU is the factorization of I - A with partial pivoting, held in the
// storage of the matrix that Factorize was given.
//
// Solves only read the factors, so an LU may serve several goroutines at
// once provided each solves into its own right-hand side. Nothing may write
// to the factorized matrix while the LU is in use.
type LU struct {
	n       int
	data    []float64 // row-major n×n, stride lda; factors in the backend's layout
	lda     int
	ipiv    []int
	colAbs  []float64 // ‖(I - A)[:, j]‖₁ for every column, for updates
	anorm   float64
	rcond   float64
	backend Backend
}

// Factorize overwrites a, which holds A (n×n), with I - A and then with the
// factors of I - A, and returns an LU that owns that storage. No other n×n
// matrix is allocated: the caller hands A's memory over.
//
// Factorize panics when a is not square. It returns a *NonFiniteError when
// A holds a NaN or an infinity, and a *SingularError when I - A is exactly
// singular or its reciprocal condition number (1-norm; exact when A is
// nonnegative off its diagonal, else the backend's estimate, see RCond) is
// below MinRCond. After an error the contents of a are unspecified.
func Factorize(a *mat.Dense, opts ...Option) (*LU, error) {
	cfg := newConfig(opts)
	r, c := a.Dims()
	if r != c {
		panic(fmt.Sprintf("leontief: A is %d×%d, not square", r, c))
	}
	raw := a.RawMatrix()
	n, lda := raw.Rows, raw.Stride

	colAbs := make([]float64, n)
	nonneg, err := identityMinus(raw.Data, n, lda, colAbs)
	if err != nil {
		return nil, err
	}
	var anorm float64
	for _, v := range colAbs {
		anorm = math.Max(anorm, v)
	}

	lu := &LU{n: n, data: raw.Data, lda: lda, ipiv: make([]int, n), colAbs: colAbs, anorm: anorm, backend: cfg.backend}
	if !cfg.backend.Getrf(n, lu.data, lda, lu.ipiv) {
		return nil, &SingularError{RCond: 0, Pivot: zeroPivot(lu.data, n, lda), N: n}
	}
	lu.rcond = -1
	if nonneg {
		lu.rcond = lu.mMatrixRCond()
	}
	if lu.rcond < 0 {
		lu.rcond = cfg.backend.Gecon(n, lu.data, lda, lu.ipiv, anorm)
	}
	if !(lu.rcond >= MinRCond) { // catches NaN too
		return nil, &SingularError{RCond: lu.rcond, Pivot: -1, N: n}
	}
	return lu, nil
}

// identityMinus turns A into I - A in place, adds the absolute values of
// each column of I - A into colAbs (length n, zero on entry), and reports
// whether A is nonnegative off its diagonal. It returns a *NonFiniteError
// for the first non-finite entry in row-major order; the contents of data
// and colAbs are then unspecified.
//
// The rows are cut into blocks of a fixed size, which goroutines take in
// turn; the blocks' column sums are added in block order, so colAbs is the
// same to the bit whatever the number of goroutines.
func identityMinus(data []float64, n, lda int, colAbs []float64) (nonneg bool, err error) {
	blocks := (n + rowBlock - 1) / rowBlock
	partial := make([][]float64, blocks)
	errs := make([]error, blocks)
	negative := make([]bool, blocks)
	eachBlock(blocks, func(b int) {
		sums := make([]float64, n)
		for i := b * rowBlock; i < min(n, (b+1)*rowBlock); i++ {
			row := data[i*lda : i*lda+n]
			diag, neg := row[i], false
			for j, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					errs[b] = &NonFiniteError{Row: i, Col: j, Value: v}
					return
				}
				neg = neg || v < 0
				row[j] = -v
			}
			if neg && diag < 0 {
				// Was the diagonal the only negative entry? The row now
				// holds -A, so a negative entry of A is positive here.
				neg = slices.ContainsFunc(row[:i], isPositive) || slices.ContainsFunc(row[i+1:], isPositive)
			}
			negative[b] = negative[b] || neg
			row[i]++
			for j, v := range row {
				sums[j] += math.Abs(v)
			}
		}
		partial[b] = sums
	})
	nonneg = true
	for b, sums := range partial {
		if errs[b] != nil {
			return false, errs[b]
		}
		nonneg = nonneg && !negative[b]
		for j, v := range sums {
			colAbs[j] += v
		}
	}
	return nonneg, nil
}

func isPositive(v float64) bool { return v > 0 }

// mMatrixRCond returns the reciprocal condition number of M = I - A in the
// 1-norm, exactly rather than estimated, for an A that is nonnegative off
// its diagonal; -1 when the solve below fails to prove that M is a
// nonsingular M-matrix, and the caller must estimate instead.
//
// M's off-diagonal entries are then at most 0 (a Z-matrix). One solve
// gives v = M⁻ᵀ 1. If every v_j > 0, M is a nonsingular M-matrix (a
// Z-matrix with a positive vector that it maps to a positive one), so
// M⁻¹ >= 0 and its 1-norm, its largest column sum, is max_j v_j:
//
//	rcond = 1 / (‖M‖₁ max_j v_j)
//
// One pair of triangular solves replaces the several of an estimator,
// which read the factors about five times as often.
func (lu *LU) mMatrixRCond() float64 {
	v := make([]float64, lu.n)
	for i := range v {
		v[i] = 1
	}
	lu.backend.Getrs(true, lu.n, 1, lu.data, lu.lda, lu.ipiv, v, 1)
	var vmax float64
	for _, x := range v {
		if !(x > 0) || math.IsInf(x, 0) {
			return -1
		}
		vmax = max(vmax, x)
	}
	return 1 / (lu.anorm * vmax)
}

// rowBlock is the number of rows one goroutine of identityMinus takes at
// a time.
const rowBlock = 256

// eachBlock calls f(0), ..., f(blocks-1), on up to GOMAXPROCS goroutines.
func eachBlock(blocks int, f func(b int)) {
	workers := min(blocks, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for b := range blocks {
			f(b)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := int(next.Add(1) - 1); b < blocks; b = int(next.Add(1) - 1) {
				f(b)
			}
		})
	}
	wg.Wait()
}

// zeroPivot returns the first exactly zero diagonal entry of the factors, or
// -1. The diagonal sits at the same places whichever way a backend lays the
// factors out.
func zeroPivot(data []float64, n, lda int) int {
	for i := range n {
		if data[i*lda+i] == 0 {
			return i
		}
	}
	return -1
}

// N returns the order of the system.
func (lu *LU) N() int { return lu.n }

// RCond returns the reciprocal condition number of I - A in the 1-norm,
// 1 / (‖I - A‖₁ ‖(I - A)⁻¹‖₁): exact, to rounding, for an input-output
// system (A nonnegative off its diagonal, I - A then proven an M-matrix by
// one solve), and the backend's estimate (Gecon) otherwise.
func (lu *LU) RCond() float64 { return lu.rcond }

// Norm returns ‖I - A‖₁, the largest absolute column sum, taken before the
// factorization.
func (lu *LU) Norm() float64 { return lu.anorm }

// Backend returns the name of the backend that holds the factors.
func (lu *LU) Backend() string { return lu.backend.Name() }

// Solve overwrites b (n×k) with X, the solution of (I - A) X = B, solving
// for all k columns at once. Solving for the output that final demand calls
// for, x = L y, is Solve with B = y. Solve panics when b does not have n
// rows.
func (lu *LU) Solve(b *mat.Dense) { lu.solve(false, b) }

// SolveTrans overwrites b (n×k) with X, the solution of (I - A)ᵀ X = B. With
// B = Sᵀ it yields the multipliers M = S L as Mᵀ. SolveTrans panics when b
// does not have n rows.
func (lu *LU) SolveTrans(b *mat.Dense) { lu.solve(true, b) }

// solve solves for every column of b. gonum's triangular solves run on one
// goroutine, so with Native the columns are cut into groups solved
// concurrently (Backend promises concurrent use); each column goes through
// the same operations in the same order either way, so the result is the
// same to the bit. A library backend threads each call itself and keeps
// the single call.
func (lu *LU) solve(trans bool, b *mat.Dense) {
	raw := b.RawMatrix()
	if raw.Rows != lu.n {
		panic(fmt.Sprintf("leontief: right-hand side has %d rows, system has %d", raw.Rows, lu.n))
	}
	groups := 1
	if _, native := lu.backend.(Native); native && lu.n >= minParallelSolve {
		groups = min(raw.Cols, runtime.GOMAXPROCS(0))
	}
	if groups <= 1 {
		lu.backend.Getrs(trans, lu.n, raw.Cols, lu.data, lu.lda, lu.ipiv, raw.Data, raw.Stride)
		return
	}
	var wg sync.WaitGroup
	for g := range groups {
		lo, hi := g*raw.Cols/groups, (g+1)*raw.Cols/groups
		wg.Go(func() {
			lu.backend.Getrs(trans, lu.n, hi-lo, lu.data, lu.lda, lu.ipiv, raw.Data[lo:], raw.Stride)
		})
	}
	wg.Wait()
}

// minParallelSolve is the smallest order whose Native solves are worth
// spreading over goroutines.
const minParallelSolve = 200

// SingularError reports an I - A that cannot be solved reliably: exactly
// singular, or with a reciprocal condition estimate below MinRCond.
type SingularError struct {
	RCond float64 // the estimate; 0 when a pivot was exactly zero
	Pivot int     // the first zero pivot, or -1 when none was exactly zero
	N     int     // order of the system
}

// Error names the estimate, and the zero pivot when there was one.
func (e *SingularError) Error() string {
	if e.Pivot >= 0 {
		return fmt.Sprintf("leontief: I - A (order %d) is exactly singular: zero pivot in column %d, reciprocal condition estimate 0", e.N, e.Pivot)
	}
	return fmt.Sprintf("leontief: I - A (order %d) is singular to working precision: reciprocal condition estimate %.3g, below %g", e.N, e.RCond, MinRCond)
}

// NonFiniteError reports a NaN or an infinity in A.
type NonFiniteError struct {
	Row, Col int
	Value    float64
}

// Error names the entry of A at fault.
func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("leontief: A[%d, %d] is %v", e.Row, e.Col, e.Value)
}
