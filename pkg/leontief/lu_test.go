package leontief

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// inverse is the test-only explicit (I - A)⁻¹ that the package refuses to
// offer: it solves against the identity.
func inverse(t testing.TB, a *mat.Dense, opts ...Option) *mat.Dense {
	t.Helper()
	n, _ := a.Dims()
	lu, err := Factorize(mat.DenseCopyOf(a), opts...)
	if err != nil {
		t.Fatalf("Factorize: %v", err)
	}
	inv := mat.NewDense(n, n, nil)
	for i := range n {
		inv.Set(i, i, 1)
	}
	lu.Solve(inv)
	return inv
}

// identityMinusCopy returns I - A as a new matrix.
func identityMinusCopy(a *mat.Dense) *mat.Dense {
	n, _ := a.Dims()
	m := mat.NewDense(n, n, nil)
	m.Scale(-1, a)
	for i := range n {
		m.Set(i, i, m.At(i, i)+1)
	}
	return m
}

// randomIO returns a nonnegative A with column sums below 0.9, the shape of
// real input-output coefficients: I - A is then a nonsingular M-matrix.
func randomIO(rng *rand.Rand, n int) *mat.Dense {
	a := mat.NewDense(n, n, nil)
	for j := range n {
		col := make([]float64, n)
		var sum float64
		for i := range col {
			if rng.Float64() < 0.6 {
				col[i] = rng.Float64()
				sum += col[i]
			}
		}
		scale := 0.0
		if sum > 0 {
			scale = 0.9 * rng.Float64() / sum
		}
		for i, v := range col {
			a.Set(i, j, v*scale)
		}
	}
	return a
}

// randomGeneral returns A = I - G with G standard normal, so that I - A is
// an unstructured matrix on which partial pivoting matters.
func randomGeneral(rng *rand.Rand, n int) *mat.Dense {
	a := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			v := -rng.NormFloat64()
			if i == j {
				v++
			}
			a.Set(i, j, v)
		}
	}
	return a
}

func randomRHS(rng *rand.Rand, n, k int) *mat.Dense {
	b := mat.NewDense(n, k, nil)
	for i := range n {
		for j := range k {
			b.Set(i, j, rng.NormFloat64())
		}
	}
	return b
}

// relResidual returns ‖op(M) X - B‖₁ / (‖M‖₁ ‖X‖₁), which a backward-stable
// solve keeps at a modest multiple of n ε.
func relResidual(m, x, b *mat.Dense, trans bool) float64 {
	var op mat.Matrix = m
	if trans {
		op = m.T()
	}
	var r mat.Dense
	r.Mul(op, x)
	r.Sub(&r, b)
	return mat.Norm(&r, 1) / (mat.Norm(m, 1) * mat.Norm(x, 1))
}

func TestMillerBlair(t *testing.T) {
	// MATH.md's worked check: Miller and Blair, chapter 2.
	a := mat.NewDense(2, 2, []float64{0.15, 0.25, 0.2, 0.05})
	l := inverse(t, a)
	want := []float64{1.2541, 0.3300, 0.2640, 1.1221}
	for i := range 2 {
		for j := range 2 {
			got := l.At(i, j)
			if math.Round(got*1e4)/1e4 != want[i*2+j] {
				t.Errorf("L[%d, %d] = %.6f, want %.4f to 4 decimals", i, j, got, want[i*2+j])
			}
		}
	}
}

func TestSolve(t *testing.T) {
	const eps = 0x1p-52
	for _, kind := range []struct {
		name string
		gen  func(*rand.Rand, int) *mat.Dense
	}{
		{"io", randomIO},
		{"general", randomGeneral},
	} {
		for _, n := range []int{1, 2, 3, 10, 47, 130, 300} {
			t.Run(fmt.Sprintf("%s/n=%d", kind.name, n), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(n), 7))
				a := kind.gen(rng, n)
				m := identityMinusCopy(a)
				lu, err := Factorize(mat.DenseCopyOf(a))
				if err != nil {
					t.Fatalf("Factorize: %v", err)
				}
				tol := 10 * float64(n) * eps
				for _, trans := range []bool{false, true} {
					b := randomRHS(rng, n, 4)
					x := mat.DenseCopyOf(b)
					if trans {
						lu.SolveTrans(x)
					} else {
						lu.Solve(x)
					}
					if r := relResidual(m, x, b, trans); r > tol {
						t.Errorf("trans=%v: relative residual %.3g > %.3g", trans, r, tol)
					}
					// Against the explicit inverse, within the condition
					// number's amplification of rounding.
					var want mat.Dense
					var mi mat.Dense
					if err := mi.Inverse(m); err != nil {
						t.Fatalf("mat.Inverse: %v", err)
					}
					if trans {
						want.Mul(mi.T(), b)
					} else {
						want.Mul(&mi, b)
					}
					var d mat.Dense
					d.Sub(x, &want)
					rel := mat.Norm(&d, 1) / mat.Norm(&want, 1)
					if lim := tol / lu.RCond(); rel > lim {
						t.Errorf("trans=%v: differs from inverse by %.3g (relative), limit %.3g", trans, rel, lim)
					}
				}
			})
		}
	}
}

func TestRCond(t *testing.T) {
	for _, n := range []int{1, 5, 40, 120} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(n), 11))
			a := randomGeneral(rng, n)
			m := identityMinusCopy(a)
			var mi mat.Dense
			if err := mi.Inverse(m); err != nil {
				t.Fatalf("mat.Inverse: %v", err)
			}
			exact := 1 / (mat.Norm(m, 1) * mat.Norm(&mi, 1))
			lu, err := Factorize(a)
			if err != nil {
				t.Fatalf("Factorize: %v", err)
			}
			if lu.Norm() != mat.Norm(m, 1) {
				t.Errorf("Norm = %v, want ‖I - A‖₁ = %v", lu.Norm(), mat.Norm(m, 1))
			}
			// The estimator bounds ‖(I - A)⁻¹‖₁ from below, so the estimate
			// is at least the exact value and in practice close to it.
			if got := lu.RCond(); got < exact*(1-1e-9) || got > 10*exact {
				t.Errorf("RCond = %.4g, exact %.4g", got, exact)
			}
		})
	}
}

func TestSingular(t *testing.T) {
	for _, tc := range []struct {
		name      string
		a         []float64
		exact     bool
		wantPivot int
	}{
		// I - A = 0.
		{name: "identity", a: []float64{1, 0, 0, 1}, exact: true, wantPivot: 0},
		// Column sums of one: a closed economy, I - A has rank 1.
		{name: "closed", a: []float64{0.5, 0.5, 0.5, 0.5}, exact: true, wantPivot: 1},
		// I - A = [[1, 1], [1, 1 + 1e-14]]: rcond about 2.5e-15.
		{name: "near", a: []float64{0, -1, -1, -1e-14}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Factorize(mat.NewDense(2, 2, tc.a))
			var se *SingularError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SingularError", err)
			}
			if tc.exact {
				if se.RCond != 0 || se.Pivot != tc.wantPivot {
					t.Errorf("RCond = %g, Pivot = %d; want 0 and %d", se.RCond, se.Pivot, tc.wantPivot)
				}
			} else if !(se.RCond > 0 && se.RCond < MinRCond) || se.Pivot != -1 {
				t.Errorf("RCond = %g, Pivot = %d; want in (0, %g) and -1", se.RCond, se.Pivot, MinRCond)
			}
			if est := fmt.Sprintf("%.3g", se.RCond); !strings.Contains(err.Error(), "estimate "+est) {
				t.Errorf("message %q does not carry the estimate %s", err, est)
			}
		})
	}
}

func TestNonFinite(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		a := mat.NewDense(3, 3, nil)
		a.Set(1, 2, v)
		_, err := Factorize(a)
		var nf *NonFiniteError
		if !errors.As(err, &nf) || nf.Row != 1 || nf.Col != 2 {
			t.Errorf("A[1, 2] = %v: err = %v, want a *NonFiniteError at (1, 2)", v, err)
		}
	}
}

func TestPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"not square", func() { _, _ = Factorize(mat.NewDense(2, 3, nil)) }},
		{"rhs rows", func() {
			lu, err := Factorize(mat.NewDense(2, 2, nil))
			if err != nil {
				panic("unexpected: " + err.Error())
			}
			lu.Solve(mat.NewDense(3, 1, nil))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil {
					t.Error("no panic")
				} else if s, ok := r.(string); !ok || !strings.HasPrefix(s, "leontief:") {
					t.Errorf("panic %v", r)
				}
			}()
			tc.f()
		})
	}
}

// TestView factorizes a window of a larger matrix: the stride differs from
// the order, and nothing outside the window may change.
func TestView(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	big := randomIO(rng, 9)
	orig := mat.DenseCopyOf(big)
	view := big.Slice(2, 8, 1, 7).(*mat.Dense)
	a := mat.DenseCopyOf(view)
	want := inverse(t, a)

	lu, err := Factorize(view)
	if err != nil {
		t.Fatal(err)
	}
	got := mat.NewDense(6, 6, nil)
	for i := range 6 {
		got.Set(i, i, 1)
	}
	lu.Solve(got)
	if !mat.EqualApprox(got, want, 1e-13) {
		t.Errorf("solve through a view:\n%v\nwant\n%v", mat.Formatted(got), mat.Formatted(want))
	}
	for i := range 9 {
		for j := range 9 {
			inside := i >= 2 && i < 8 && j >= 1 && j < 7
			if !inside && big.At(i, j) != orig.At(i, j) {
				t.Fatalf("entry (%d, %d) outside the view changed", i, j)
			}
		}
	}
}

// colMajor is a backend that reads the buffers column-major, as a Fortran
// LAPACK would: it sees Mᵀ, factorizes that, and turns every solve into the
// transposed one. It proves that the factors' layout is the backend's own.
type colMajor struct {
	mu    sync.Mutex
	calls map[string]int
}

func (c *colMajor) count(name string) {
	c.mu.Lock()
	c.calls[name]++
	c.mu.Unlock()
}

func (c *colMajor) Name() string { return "col-major test" }

func (c *colMajor) Getrf(n int, a []float64, lda int, ipiv []int) bool {
	c.count("getrf")
	transposeInPlace(n, a, lda)
	return Native{}.Getrf(n, a, lda, ipiv)
}

func (c *colMajor) Getrs(trans bool, n, nrhs int, a []float64, lda int, ipiv []int, b []float64, ldb int) {
	c.count("getrs")
	Native{}.Getrs(!trans, n, nrhs, a, lda, ipiv, b, ldb)
}

func (c *colMajor) Gecon(n int, a []float64, lda int, _ []int, anorm float64) float64 {
	c.count("gecon")
	// ‖M‖₁ = ‖Mᵀ‖∞: ask for the ∞-norm estimate of the transpose.
	return lapack64.Gecon(lapack.MaxRowSum, general(n, n, a, lda), anorm, make([]float64, 4*n), make([]int, n))
}

func transposeInPlace(n int, a []float64, lda int) {
	for i := range n {
		for j := i + 1; j < n; j++ {
			a[i*lda+j], a[j*lda+i] = a[j*lda+i], a[i*lda+j]
		}
	}
}

func TestBackend(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	a := randomGeneral(rng, 25)
	ref, err := Factorize(mat.DenseCopyOf(a))
	if err != nil {
		t.Fatal(err)
	}
	be := &colMajor{calls: map[string]int{}}
	lu, err := Factorize(mat.DenseCopyOf(a), WithBackend(be))
	if err != nil {
		t.Fatal(err)
	}
	if lu.Backend() != be.Name() || ref.Backend() != "gonum" {
		t.Errorf("Backend() = %q and %q", lu.Backend(), ref.Backend())
	}
	if r := lu.RCond() / ref.RCond(); math.Abs(r-1) > 0.5 {
		t.Errorf("RCond %g through the backend, %g native", lu.RCond(), ref.RCond())
	}
	for _, trans := range []bool{false, true} {
		b := randomRHS(rng, 25, 3)
		got, want := mat.DenseCopyOf(b), mat.DenseCopyOf(b)
		// Solve concurrently through the same LU: the solves only read.
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				x := mat.DenseCopyOf(b)
				if trans {
					lu.SolveTrans(x)
				} else {
					lu.Solve(x)
				}
			})
		}
		wg.Wait()
		if trans {
			lu.SolveTrans(got)
			ref.SolveTrans(want)
		} else {
			lu.Solve(got)
			ref.Solve(want)
		}
		if !mat.EqualApprox(got, want, 1e-10) {
			t.Errorf("trans=%v: backend and native solutions differ", trans)
		}
	}
	if be.calls["getrf"] != 1 || be.calls["gecon"] != 1 || be.calls["getrs"] != 10 {
		t.Errorf("backend calls %v, want getrf 1, gecon 1, getrs 10", be.calls)
	}
}

// TestSolveInGroups checks that the Native solves, cut into groups of
// columns solved concurrently, give each column to the bit what it gets
// alone.
func TestSolveInGroups(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3)) // three groups on any machine
	rng := rand.New(rand.NewPCG(6, 6))
	n := minParallelSolve + 50
	lu, err := Factorize(randomIO(rng, n))
	if err != nil {
		t.Fatal(err)
	}
	b := randomRHS(rng, n, 7)
	for _, trans := range []bool{false, true} {
		all := mat.DenseCopyOf(b)
		lu.solve(trans, all)
		for j := range 7 {
			one := mat.NewDense(n, 1, mat.Col(nil, j, b))
			lu.solve(trans, one)
			for i := range n {
				if g, w := all.At(i, j), one.At(i, 0); math.Float64bits(g) != math.Float64bits(w) {
					t.Fatalf("trans=%v: column %d, row %d: %v in a group, %v alone", trans, j, i, g, w)
				}
			}
		}
	}
}
