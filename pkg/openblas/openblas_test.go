package openblas

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// lib returns the system library, or skips when there is none and the
// environment does not demand it.
func lib(t testing.TB) *Lib {
	t.Helper()
	l, err := Load()
	if err != nil {
		if os.Getenv("MRIOFLOW_REQUIRE_OPENBLAS") == "1" {
			t.Fatalf("MRIOFLOW_REQUIRE_OPENBLAS=1: %v", err)
		}
		t.Skip(err)
	}
	return l
}

func randomSystem(rng *rand.Rand, n int) []float64 {
	a := make([]float64, n*n)
	for i := range a {
		a[i] = rng.Float64() - 0.5
	}
	for i := 0; i < n; i++ {
		a[i*n+i] += float64(n) / 4
	}
	return a
}

func TestSolveMatchesGonum(t *testing.T) {
	l := lib(t)
	for _, n := range []int{1, 2, 7, 64, 301} {
		for _, trans := range []bool{false, true} {
			rng := rand.New(rand.NewPCG(uint64(n), 7))
			a := randomSystem(rng, n)
			const nrhs = 3
			b := make([]float64, nrhs*n)
			for i := range b {
				b[i] = rng.NormFloat64()
			}
			// Reference: gonum, right-hand sides as columns.
			am := mat.NewDense(n, n, append([]float64(nil), a...))
			bm := mat.NewDense(n, nrhs, nil)
			for r := 0; r < nrhs; r++ {
				for i := 0; i < n; i++ {
					bm.Set(i, r, b[r*n+i])
				}
			}
			var lu mat.LU
			lu.Factorize(am)
			var want mat.Dense
			if err := lu.SolveTo(&want, trans, bm); err != nil {
				t.Fatal(err)
			}

			ipiv := make([]int32, n)
			if !l.Getrf(n, a, n, ipiv) {
				t.Fatalf("n=%d: singular", n)
			}
			l.Getrs(trans, n, nrhs, a, n, ipiv, b, n)
			tol := 1e-12 * float64(n)
			for r := 0; r < nrhs; r++ {
				for i := 0; i < n; i++ {
					got, w := b[r*n+i], want.At(i, r)
					if d := math.Abs(got - w); d > tol*math.Max(1, math.Abs(w)) {
						t.Fatalf("n=%d trans=%v rhs %d row %d: got %v want %v (diff %g)", n, trans, r, i, got, w, d)
					}
				}
			}
		}
	}
}

func TestConditionEstimate(t *testing.T) {
	l := lib(t)
	rng := rand.New(rand.NewPCG(3, 3))
	n := 40
	a := randomSystem(rng, n)
	am := mat.NewDense(n, n, append([]float64(nil), a...))
	var inv mat.Dense
	if err := inv.Inverse(am); err != nil {
		t.Fatal(err)
	}
	exact := 1 / (mat.Norm(am, 1) * mat.Norm(&inv, 1))

	anorm := l.Norm1(n, a, n)
	if d := math.Abs(anorm - mat.Norm(am, 1)); d > 1e-12*anorm {
		t.Fatalf("1-norm %g, want %g", anorm, mat.Norm(am, 1))
	}
	ipiv := make([]int32, n)
	l.Getrf(n, a, n, ipiv)
	got := l.RCond1(n, a, n, anorm)
	// The estimator under-estimates ||inv(a)||, so it over-estimates rcond,
	// by a small factor in practice.
	if got < exact*(1-1e-9) || got > 10*exact {
		t.Fatalf("rcond estimate %g, exact %g", got, exact)
	}
}

func TestSingular(t *testing.T) {
	l := lib(t)
	a := []float64{1, 2, 2, 4}
	ipiv := make([]int32, 2)
	if l.Getrf(2, a, 2, ipiv) {
		t.Fatal("a rank-one matrix factorized as regular")
	}
}

func TestOpenMissing(t *testing.T) {
	if _, err := Open("libdoes-not-exist.so.9"); err == nil {
		t.Fatal("opening a missing library succeeded")
	}
	if _, err := Load(); err != nil && !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Load error %v does not wrap ErrUnavailable", err)
	}
}

// BenchmarkGetrf reports the rate of the library's LU and, measured in the
// same run, its ratio to gonum's pure-Go LU of the same matrix.
func BenchmarkGetrf(b *testing.B) {
	l := lib(b)
	for _, n := range []int{500, 1000, 2000} {
		b.Run("n="+itoa(n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, uint64(n)))
			src := randomSystem(rng, n)
			a := make([]float64, len(src))
			ipiv := make([]int32, n)
			var lu mat.LU
			var gonumTime, libTime float64
			for i := 0; i < b.N; i++ {
				copy(a, src)
				t0 := nowSeconds()
				l.Getrf(n, a, n, ipiv)
				libTime += nowSeconds() - t0
				t0 = nowSeconds()
				lu.Factorize(mat.NewDense(n, n, src))
				gonumTime += nowSeconds() - t0
			}
			flops := 2.0 / 3 * float64(n) * float64(n) * float64(n) * float64(b.N)
			b.ReportMetric(flops/libTime/1e9, "GFLOP/s")
			b.ReportMetric(gonumTime/libTime, "x-gonum")
		})
	}
}
