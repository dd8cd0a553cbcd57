package montecarlo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/scenario"
)

// BenchmarkDraw times draws of each kind on a table of 49 regions with 3
// stressors, on the system LAPACK where there is one, and reports the
// cost of one draw as a fraction of one factorization of the same I - A
// measured in the same run (per-LU), with draws spread over the Engine's
// default workers. S-only-table draws S with a matrix of per-entry
// sigmas (the same σ everywhere) instead of one number.
func BenchmarkDraw(b *testing.B) {
	be, _ := leontief.Auto()
	for _, m := range []int{20, 100} {
		base := testTable(1, 49, m, false)
		n := base.N()
		lu := timeLU(b, base.A, be)
		for _, tc := range []struct {
			kind  string
			sigma scenario.Sigma
			table bool // the sigma as a matrix of it
			// sector selects about 1 % of the columns for the low-rank kind
			region, sector string
		}{
			{"S-only", scenario.Sigma{S: 0.2}, false, "", ""},
			{"S-only-table", scenario.Sigma{S: 0.2}, true, "", ""},
			{"Y-resolve", scenario.Sigma{Y: 0.05}, false, "", ""},
			{"A-low-rank", scenario.Sigma{A: 0.1}, false, "r0", "s0?"},
			{"A-refactorize", scenario.Sigma{A: 0.1}, false, "", ""},
		} {
			b.Run(fmt.Sprintf("n=%d/%s", n, tc.kind), func(b *testing.B) {
				mc := scenario.MonteCarlo{Draws: 1 << 30, Seed: 1, Sigma: tc.sigma, Region: tc.region, Sector: tc.sector}
				if tc.table {
					mc.Sigma = perEntry(base, tc.sigma)
				}
				e, err := New(base.Clone(), mc, Options{Backend: be})
				if err != nil {
					b.Fatal(err)
				}
				batch := 1
				if e.Kind() == OnlyS {
					batch = 64
				}
				first := 0
				for b.Loop() {
					if _, err := e.Run(context.Background(), first%(1<<29), batch); err != nil {
						b.Fatal(err)
					}
					first += batch
				}
				per := b.Elapsed().Seconds() / float64(first)
				b.ReportMetric(per*1e6, "µs/draw")
				b.ReportMetric(per/lu.Seconds(), "per-LU")
			})
		}
	}
}

// timeLU returns the time of one factorization of I - a, the second of
// two, so that a library's first-call costs do not count.
func timeLU(b *testing.B, a *mat.Dense, be leontief.Backend) time.Duration {
	var took time.Duration
	for range 2 {
		work := mat.DenseCopyOf(a)
		start := time.Now()
		if _, err := leontief.Factorize(work, leontief.WithBackend(be)); err != nil {
			b.Fatal(err)
		}
		took = time.Since(start)
	}
	return took
}
