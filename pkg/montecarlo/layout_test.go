package montecarlo

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestPerturbColumns checks the concurrent column groups against a plain
// walk down each column with its own stream.
func TestPerturbColumns(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	rng := rand.New(rand.NewPCG(4, 4))
	src := mat.NewDense(20, 400, nil)
	src.Apply(func(_, _ int, _ float64) float64 {
		if rng.Float64() < 0.3 {
			return 0
		}
		return rng.Float64()
	}, src)
	var every2 []int
	for j := 1; j < 400; j += 2 {
		every2 = append(every2, j)
	}
	for _, tc := range []struct {
		name string
		cols []int
	}{{"all columns", nil}, {"every other column", every2}} {
		t.Run(tc.name, func(t *testing.T) {
			st := Stream{Seed: 3, Draw: 1}
			cols := tc.cols
			if cols == nil {
				cols = upTo(400)
			}
			dst := mat.NewDense(20, 400, nil)
			sums := perturbColumns(dst, src, tc.cols, colFactors{fs: columnFactors(st, cols, 0.5), cols: cols})

			want := mat.DenseCopyOf(src)
			for k, f := range columnFactors(st, cols, 0.5) {
				j := cols[k]
				var sum float64
				for i := range 20 {
					v := want.At(i, j)
					if v != 0 {
						v *= f.next()
					}
					want.Set(i, j, v)
					sum += v
				}
				if math.Float64bits(sums[k]) != math.Float64bits(sum) {
					t.Fatalf("column %d sums to %v, want %v", j, sums[k], sum)
				}
			}
			if !mat.Equal(dst, want) {
				t.Error("perturbed matrix differs from the column-by-column walk")
			}
		})
	}
}

func upTo(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
