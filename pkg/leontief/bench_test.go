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
