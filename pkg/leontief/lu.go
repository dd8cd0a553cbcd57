package leontief

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
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
// singular or its reciprocal condition estimate (1-norm) is below MinRCond.
// After an error the contents of a are unspecified.
func Factorize(a *mat.Dense, opts ...Option) (*LU, error) {
	cfg := newConfig(opts)
	r, c := a.Dims()
	if r != c {
		panic(fmt.Sprintf("leontief: A is %d×%d, not square", r, c))
	}
	raw := a.RawMatrix()
	n, lda := raw.Rows, raw.Stride

	if err := identityMinus(raw.Data, n, lda); err != nil {
		return nil, err
	}
	anorm := lapack64.Lange(lapack.MaxColumnSum, raw, make([]float64, n))

	lu := &LU{n: n, data: raw.Data, lda: lda, ipiv: make([]int, n), anorm: anorm, backend: cfg.backend}
	if !cfg.backend.Getrf(n, lu.data, lda, lu.ipiv) {
		return nil, &SingularError{RCond: 0, Pivot: zeroPivot(lu.data, n, lda), N: n}
	}
	lu.rcond = cfg.backend.Gecon(n, lu.data, lda, lu.ipiv, anorm)
	if !(lu.rcond >= MinRCond) { // catches NaN too
		return nil, &SingularError{RCond: lu.rcond, Pivot: -1, N: n}
	}
	return lu, nil
}

// identityMinus turns A into I - A in place, stopping at the first
// non-finite entry.
func identityMinus(data []float64, n, lda int) error {
	for i := range n {
		row := data[i*lda : i*lda+n]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return &NonFiniteError{Row: i, Col: j, Value: v}
			}
			row[j] = -v
		}
		row[i]++
	}
	return nil
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

// RCond returns the estimate of the reciprocal condition number of I - A in
// the 1-norm, 1 / (‖I - A‖₁ ‖(I - A)⁻¹‖₁), as the backend computed it.
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

// TODO(parallel-solve): gonum's triangular solves run on one goroutine, so
// with Native the R' + k right-hand sides use one core while the
// factorization used all. Splitting b into column blocks solved
// concurrently (Backend already promises concurrent use) would fix it for
// Native; a threaded library backend should keep the single call.
func (lu *LU) solve(trans bool, b *mat.Dense) {
	raw := b.RawMatrix()
	if raw.Rows != lu.n {
		panic(fmt.Sprintf("leontief: right-hand side has %d rows, system has %d", raw.Rows, lu.n))
	}
	lu.backend.Getrs(trans, lu.n, raw.Cols, lu.data, lu.lda, lu.ipiv, raw.Data, raw.Stride)
}

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
