package accounts

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkCompute times every account of a coefficient-form table with 10
// regions, 3 final-demand categories and two extensions of 4 and 1
// stressors. KeepA makes the table reusable; the copy it costs is O(n²)
// against the factorization's O(n³).
func BenchmarkCompute(b *testing.B) {
	for _, m := range []int{20, 50, 100} {
		for _, bySector := range []bool{false, true} {
			b.Run(fmt.Sprintf("n=%d,bySector=%v", 10*m, bySector), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(uint64(m), 3))
				tab := randomTable(rng, 10, m, 0, 3, []int{4, 1}, false)
				for b.Loop() {
					if _, err := Compute(tab, Options{KeepA: true, FlowsBySector: bySector}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
