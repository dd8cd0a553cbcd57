package openblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestGemmMatchesGonum(t *testing.T) {
	l := lib(t)
	if !l.HasGemm() {
		t.Skipf("%s has no dgemm", l)
	}
	cases := []struct {
		name               string
		m, n, k            int
		lda, ldb, ldc, pad int // pad: extra columns of each buffer's stride
	}{
		{name: "one by one", m: 1, n: 1, k: 1},
		{name: "wide", m: 3, n: 49, k: 100},
		{name: "tall", m: 192, n: 49, k: 7},
		{name: "strided", m: 17, n: 5, k: 9, pad: 3},
		{name: "empty sum", m: 4, n: 6, k: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.m), uint64(tc.k)))
			lda, ldb, ldc := tc.k+tc.pad, tc.n+tc.pad, tc.n+tc.pad
			fill := func(rows, ld int) []float64 {
				v := make([]float64, max(1, rows*ld))
				for i := range v {
					v[i] = rng.NormFloat64()
				}
				return v
			}
			a, b, c := fill(tc.m, lda), fill(tc.k, ldb), fill(tc.m, ldc)
			l.Gemm(tc.m, tc.n, tc.k, a, lda, b, ldb, c, ldc)

			want := mat.NewDense(tc.m, tc.n, nil)
			if tc.k > 0 {
				am := mat.NewDense(tc.m, tc.k, nil)
				bm := mat.NewDense(tc.k, tc.n, nil)
				am.Apply(func(i, j int, _ float64) float64 { return a[i*lda+j] }, am)
				bm.Apply(func(i, j int, _ float64) float64 { return b[i*ldb+j] }, bm)
				want.Mul(am, bm)
			}
			for i := range tc.m {
				for j := range tc.n {
					g, w := c[i*ldc+j], want.At(i, j)
					if d := math.Abs(g - w); d > 1e-13*float64(tc.k+1) {
						t.Fatalf("c[%d, %d] = %v, want %v (difference %g)", i, j, g, w, d)
					}
				}
			}
		})
	}
}

// TestGemmRowsIndependent checks what batched Monte Carlo draws rely on: a
// row of the product is the same to the bit whatever the other rows hold.
func TestGemmRowsIndependent(t *testing.T) {
	l := lib(t)
	if !l.HasGemm() {
		t.Skipf("%s has no dgemm", l)
	}
	const m, n, k = 64, 49, 100
	rng := rand.New(rand.NewPCG(3, 4))
	a, b := make([]float64, m*k), make([]float64, k*n)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	full := make([]float64, m*n)
	l.Gemm(m, n, k, a, k, b, n, full, n)
	for _, row := range []int{0, 31, 63} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			alone := make([]float64, m*k) // the row, the others zero
			copy(alone[row*k:(row+1)*k], a[row*k:(row+1)*k])
			c := make([]float64, m*n)
			l.Gemm(m, n, k, alone, k, b, n, c, n)
			for j := range n {
				if g, w := c[row*n+j], full[row*n+j]; g != w {
					t.Fatalf("c[%d, %d] = %v alone, %v among other rows (difference %g)", row, j, g, w, g-w)
				}
			}
		})
	}
}

func TestGemmPanicsOnShortBuffer(t *testing.T) {
	l := lib(t)
	if !l.HasGemm() {
		t.Skipf("%s has no dgemm", l)
	}
	defer func() {
		if recover() == nil {
			t.Error("Gemm with a short c did not panic")
		}
	}()
	l.Gemm(2, 2, 2, make([]float64, 4), 2, make([]float64, 4), 2, make([]float64, 3), 2)
}
