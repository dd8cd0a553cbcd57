package leontief

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// BenchmarkFactorize times Factorize and reports its rate in GFLOP/s (the
// 2/3 n³ of an LU) and, as ratio-vs-mat.LU, how many times faster it is
// than gonum's mat.LU on the same matrix, measured in the same run. mat.LU
// copies the matrix and estimates the condition number too, so a ratio near
// 1 is the expected result: the point of Factorize is the memory it saves.
func BenchmarkFactorize(b *testing.B) {
	for _, n := range []int{500, 1000, 2000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(uint64(n), 1))
			a := randomIO(rng, n)
			work := mat.NewDense(n, n, nil)
			flops := 2.0 / 3.0 * float64(n) * float64(n) * float64(n)

			var ours time.Duration
			for b.Loop() {
				b.StopTimer()
				work.Copy(a)
				b.StartTimer()
				start := time.Now()
				if _, err := Factorize(work); err != nil {
					b.Fatal(err)
				}
				ours += time.Since(start)
			}
			if ours == 0 {
				return
			}
			b.StopTimer()
			iters := max(1, min(b.N, 3))
			m := identityMinusCopy(a)
			var lu mat.LU
			start := time.Now()
			for range iters {
				lu.Factorize(m)
			}
			theirs := time.Since(start) / time.Duration(iters)
			per := ours / time.Duration(b.N)
			b.ReportMetric(flops/per.Seconds()/1e9, "GFLOP/s")
			b.ReportMetric(theirs.Seconds()/per.Seconds(), "ratio-vs-mat.LU")
		})
	}
}

// BenchmarkSolve times the pair of triangular solves for 50 right-hand
// sides, the shape of one table's consumers and stressors.
func BenchmarkSolve(b *testing.B) {
	for _, n := range []int{500, 2000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(uint64(n), 2))
			lu, err := Factorize(randomIO(rng, n))
			if err != nil {
				b.Fatal(err)
			}
			rhs := randomRHS(rng, n, 50)
			x := mat.NewDense(n, 50, nil)
			for b.Loop() {
				x.Copy(rhs)
				lu.Solve(x)
			}
			flops := 2 * float64(n) * float64(n) * 50
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkUpdateColumns compares, for 1 % of the columns of A changed, the
// low-rank update (UpdateColumns, then Correct of 49 base solutions: the
// work of a Monte Carlo draw on A) with a refactorization of the changed
// matrix and 49 solves, measured in the same run, on the system LAPACK when
// there is one. speedup is the refactorization's time over the update's.
func BenchmarkUpdateColumns(b *testing.B) {
	be, _ := Auto()
	for _, n := range []int{1000, 4900} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(uint64(n), 4))
			a := randomIO(rng, n)
			p := max(1, n/100)
			cols := make([]int, p)
			for k := range cols {
				cols[k] = k * (n / p)
			}
			before, after := changeColumns(rng, a, cols)
			changed := withColumns(a, cols, after)
			lu, err := Factorize(mat.DenseCopyOf(a), WithBackend(be))
			if err != nil {
				b.Fatal(err)
			}
			rhs := randomRHS(rng, n, 49)
			base := mat.DenseCopyOf(rhs)
			lu.Solve(base)
			x := mat.NewDense(n, 49, nil)

			for b.Loop() {
				up, err := lu.UpdateColumns(cols, before, after)
				if err != nil {
					b.Fatal(err)
				}
				x.Copy(base)
				up.Correct(x)
			}
			per := b.Elapsed() / time.Duration(b.N)
			b.StopTimer()

			work := mat.DenseCopyOf(changed)
			start := time.Now()
			ref, err := Factorize(work, WithBackend(be))
			if err != nil {
				b.Fatal(err)
			}
			x.Copy(rhs)
			ref.Solve(x)
			full := time.Since(start)
			b.ReportMetric(full.Seconds()/per.Seconds(), "speedup")
			b.ReportMetric(float64(p), "columns")
		})
	}
}
