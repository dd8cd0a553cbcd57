package montecarlo

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// testTable returns a table of R regions with m sectors, one consumer that
// does not produce, two categories (the second negative, like inventory
// changes), and two extensions of 2 and 1 stressors with direct final use.
// In flow form it has Z and F; otherwise A and S, and the given x.
func testTable(seed uint64, R, m int, flow bool) *table.Table {
	rng := rand.New(rand.NewPCG(seed, 17))
	n := R * m
	t := &table.Table{Source: fmt.Sprintf("test-%dx%d", R, m), Categories: []string{"hh", "stock"}}
	for r := range R {
		t.Regions = append(t.Regions, fmt.Sprintf("r%d", r))
	}
	for j := range m {
		t.Sectors = append(t.Sectors, fmt.Sprintf("s%02d", j))
	}
	t.Consumers = append(slices.Clone(t.Regions), "DISC")
	cols := len(t.Consumers) * 2
	fill := func(rows, cols int, density, scale float64) *mat.Dense {
		d := mat.NewDense(rows, cols, nil)
		for i := range rows {
			for j := range cols {
				if rng.Float64() < density {
					d.Set(i, j, scale*rng.Float64())
				}
			}
		}
		return d
	}
	t.Y = fill(n, cols, 0.9, 100)
	for i := range n {
		t.Y.Set(i, 1, -5*rng.Float64()) // inventory changes of r0
	}
	a := fill(n, n, 0.6, 1)
	for j := range n {
		if s := mat.Sum(a.ColView(j)); s > 0 {
			f := 0.7 * rng.Float64() / s
			for i := range n {
				a.Set(i, j, a.At(i, j)*f)
			}
		}
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = 500 + 1000*rng.Float64()
	}
	for e, k := range []int{2, 1} {
		ext := &table.Extension{Name: fmt.Sprintf("ext%d", e)}
		for s := range k {
			ext.Stressors = append(ext.Stressors, fmt.Sprintf("g%d", s))
			ext.Units = append(ext.Units, "kg")
		}
		ext.S = fill(k, n, 0.9, 1)
		ext.FY = fill(k, cols, 0.5, 10)
		t.Extensions = append(t.Extensions, ext)
	}
	if !flow {
		t.A, t.X = a, x
		return t
	}
	// Z = A diag(x), F = S diag(x): a flow table whose coefficients are a.
	t.Z = mat.NewDense(n, n, nil)
	t.Z.Apply(func(i, j int, v float64) float64 { return v * x[j] }, a)
	for _, e := range t.Extensions {
		e.F = mat.DenseCopyOf(e.S)
		e.F.Apply(func(_, j int, v float64) float64 { return v * x[j] }, e.S)
		e.S = nil
	}
	return t
}
