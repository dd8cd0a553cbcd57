package formats

import (
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// industryTechnology turns supply and use into commodity-by-commodity
// flows under the industry-technology assumption (MATH.md, supply-use
// section). With V the make table (industry x commodity), U the use table
// (commodity x industry) and g = V 1 the industry output:
//
//	Z   = U g^-1 V          commodity x commodity flows
//	F_c = F g^-1 V          each account F known per industry, per commodity
//
// so that A = Z q^-1 = B D and S = F_c q^-1 = f D once divided by the
// commodity output q the caller takes as x. An industry whose g_i is zero
// contributes nothing. V is usually sparse (GLORIA's is diagonal), and the
// products skip its zeros, so they cost n times V's non-zeros, not n^3.
func industryTechnology(v, u *mat.Dense, accounts ...*mat.Dense) (*mat.Dense, []*mat.Dense) {
	ni, nc := v.Dims()
	// w[i] holds the non-zeros of row i of g^-1 V: the share of each
	// commodity in industry i's output.
	type entry struct {
		c int
		w float64
	}
	w := make([][]entry, ni)
	for i := range ni {
		row := v.RawRowView(i)
		var g float64
		for _, x := range row {
			g += x
		}
		if g == 0 {
			continue
		}
		for c, x := range row {
			if x != 0 {
				w[i] = append(w[i], entry{c, x / g})
			}
		}
	}
	apply := func(m *mat.Dense) *mat.Dense {
		rows, cols := m.Dims()
		if cols != ni {
			panic("formats: an industry account with the wrong number of industries")
		}
		out := mat.NewDense(rows, nc, nil)
		parallelRows(rows, func(r int) {
			src, dst := m.RawRowView(r), out.RawRowView(r)
			for i, x := range src {
				if x == 0 {
					continue
				}
				for _, e := range w[i] {
					dst[e.c] += x * e.w
				}
			}
		})
		return out
	}
	out := make([]*mat.Dense, len(accounts))
	for k, a := range accounts {
		out[k] = apply(a)
	}
	return apply(u), out
}

// parallelRows calls f for every row in [0, n), split among the CPUs.
func parallelRows(n int, f func(r int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/64))
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			for r := k; r < n; r += workers {
				f(r)
			}
		})
	}
	wg.Wait()
}
