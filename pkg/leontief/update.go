package leontief

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Update solves with I - A', where A' is the factorized A with a few of its
// columns changed, through the base factors and the Sherman-Morrison-Woodbury
// identity: no second n×n matrix and no refactorization.
//
// With M = I - A, U = A'[:, J] - A[:, J] (n×p) and E the columns J of the
// identity, M' = M - U Eᵀ and
//
//	M'⁻¹ = M⁻¹ + W C⁻¹ Eᵀ M⁻¹,   W = M⁻¹ U (n×p),   C = I_p - Eᵀ W (p×p)
//
// Building an Update costs p pairs of triangular solves and a p×p LU;
// each solve then costs one with the base factors plus O(n p) per
// right-hand side.
//
// An Update only reads the base LU, which must stay alive and unchanged.
// Like an LU, it may serve several goroutines at once provided each solves
// into its own right-hand side.
type Update struct {
	base  *LU
	cols  []int
	u     *mat.Dense // n×p, A'[:, J] - A[:, J]
	w     *mat.Dense // n×p, M⁻¹ U
	c     mat.LU     // of C = I_p - W[J, :]
	rcond float64
}

// UpdateColumns returns an Update for I - A', where A' equals the A that lu
// factorized except in the columns cols: before holds those columns of A
// and after those of A' (both n×len(cols), column k for column cols[k]).
//
// UpdateColumns panics when cols repeats a column or names one outside the
// system, or when before and after do not have n rows and len(cols)
// columns. It returns a *NonFiniteError when after holds a NaN or an
// infinity, and a *SingularError when the estimate of the reciprocal
// condition number of I - A' (see RCond) is below MinRCond.
func (lu *LU) UpdateColumns(cols []int, before, after *mat.Dense) (*Update, error) {
	n, p := lu.n, len(cols)
	seen := make(map[int]bool, p)
	for _, j := range cols {
		if j < 0 || j >= n || seen[j] {
			panic(fmt.Sprintf("leontief: column %d repeated or outside a system of order %d", j, n))
		}
		seen[j] = true
	}
	for _, m := range []*mat.Dense{before, after} {
		if r, c := m.Dims(); r != n || c != p {
			panic(fmt.Sprintf("leontief: changed columns are %d×%d, want %d×%d", r, c, n, p))
		}
	}

	up := &Update{base: lu, cols: append([]int(nil), cols...), rcond: lu.rcond}
	if p == 0 {
		return up, nil
	}
	up.u = mat.NewDense(n, p, nil)
	newAbs := make([]float64, p)
	for i := range n {
		b, a, u := before.RawRowView(i), after.RawRowView(i), up.u.RawRowView(i)
		for k, v := range a {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, &NonFiniteError{Row: i, Col: cols[k], Value: v}
			}
			u[k] = v - b[k]
			m := -v
			if i == cols[k] {
				m++
			}
			newAbs[k] += math.Abs(m)
		}
	}

	up.w = mat.DenseCopyOf(up.u)
	lu.Solve(up.w)
	c := mat.NewDense(p, p, nil)
	for a, j := range cols {
		row := c.RawRowView(a)
		for b, v := range up.w.RawRowView(j) {
			row[b] = -v
		}
		row[a]++
	}
	cnorm := mat.Norm(c, 1)
	up.c.Factorize(c)

	up.rcond = up.estimate(newAbs, cnorm)
	if !(up.rcond >= MinRCond) {
		return nil, &SingularError{RCond: up.rcond, Pivot: -1, N: n}
	}
	return up, nil
}

// estimate bounds the reciprocal condition number of M' from below, from
// what is known without another solve:
//
//	‖M'⁻¹‖₁ <= ‖M⁻¹‖₁ (1 + ‖W‖₁ ‖C⁻¹‖₁),   ‖M⁻¹‖₁ ≈ 1 / (rcond ‖M‖₁)
//
// and ‖M'‖₁ from the base column norms with the changed columns replaced;
// cnorm is ‖C‖₁.
func (up *Update) estimate(newAbs []float64, cnorm float64) float64 {
	lu := up.base
	changed := make(map[int]float64, len(up.cols))
	for k, j := range up.cols {
		changed[j] = newAbs[k]
	}
	var anorm float64
	for j, v := range lu.colAbs {
		if w, ok := changed[j]; ok {
			v = w
		}
		anorm = math.Max(anorm, v)
	}
	var cinv, wnorm float64 // ‖C⁻¹‖₁ from the LU's estimate of ‖C‖₁ ‖C⁻¹‖₁
	if len(up.cols) > 0 {
		cinv = up.c.Cond() / cnorm
		wnorm = mat.Norm(up.w, 1)
	}
	minv := 1 / (lu.rcond * lu.anorm)
	return 1 / (anorm * minv * (1 + wnorm*cinv))
}

// N returns the order of the system.
func (up *Update) N() int { return up.base.n }

// Columns returns the columns of A that differ from the base, in the order
// given to UpdateColumns. The slice must not be changed.
func (up *Update) Columns() []int { return up.cols }

// RCond returns an estimate of the reciprocal condition number of I - A'
// in the 1-norm. It is built from the base LU's estimate and the norms of
// W and C⁻¹ rather than from further solves, so it bounds the condition
// from the pessimistic side: it may be smaller than a fresh
// factorization's estimate, never much larger.
func (up *Update) RCond() float64 { return up.rcond }

// Solve overwrites b (n×k) with X, the solution of (I - A') X = B. It
// panics when b does not have n rows.
func (up *Update) Solve(b *mat.Dense) {
	up.base.Solve(b)
	up.Correct(b)
}

// Correct turns z = (I - A)⁻¹ B, a solution with the base factors, into
// (I - A')⁻¹ B in place, at O(n p k) cost for k columns: a caller that
// already holds base solutions saves their solves. It panics when z does
// not have n rows.
func (up *Update) Correct(z *mat.Dense) {
	p, k := up.changes(z)
	if p == 0 || k == 0 {
		return
	}
	t := mat.NewDense(p, k, nil)
	for a, j := range up.cols {
		copy(t.RawRowView(a), z.RawRowView(j))
	}
	s := mat.NewDense(p, k, nil)
	_ = up.c.SolveTo(s, false, t) // a Condition error only warns; the bound is checked
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, up.w.RawMatrix(), s.RawMatrix(), 1, z.RawMatrix())
}

// changes returns the number of changed columns and of right-hand sides
// in b, and panics when b does not have n rows.
func (up *Update) changes(b *mat.Dense) (p, k int) {
	n, k := b.Dims()
	if n != up.base.n {
		panic(fmt.Sprintf("leontief: right-hand side has %d rows, system has %d", n, up.base.n))
	}
	return len(up.cols), k
}

// SolveTrans overwrites b (n×k) with X, the solution of (I - A')ᵀ X = B,
// at the cost of two transposed solves with the base factors. It panics
// when b does not have n rows.
//
//	M'⁻ᵀ B = M⁻ᵀ (B + E C⁻ᵀ Uᵀ M⁻ᵀ B)
func (up *Update) SolveTrans(b *mat.Dense) {
	p, k := up.changes(b)
	if p == 0 || k == 0 {
		up.base.SolveTrans(b)
		return
	}
	z := mat.DenseCopyOf(b)
	up.base.SolveTrans(z)
	t := mat.NewDense(p, k, nil)
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, up.u.RawMatrix(), z.RawMatrix(), 0, t.RawMatrix())
	s := mat.NewDense(p, k, nil)
	_ = up.c.SolveTo(s, true, t)
	for a, j := range up.cols {
		row := b.RawRowView(j)
		for c, v := range s.RawRowView(a) {
			row[c] += v
		}
	}
	up.base.SolveTrans(b)
}
