package accounts

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// aggregator returns the rows×cols 0/1 matrix with a one where
// group(i) == j: it sums rows of a matrix it multiplies from the left (as
// its transpose) into groups.
func aggregator(rows, cols int, group func(int) int) *mat.Dense {
	g := mat.NewDense(rows, cols, nil)
	for i := range rows {
		g.Set(i, group(i), 1)
	}
	return g
}

// reference computes the accounts of t (left unchanged) the slow, obvious
// way: with the explicit inverse L and whole-matrix products. It is the
// independent oracle the tests compare Compute with.
func reference(t testing.TB, tab *table.Table) *Result {
	t.Helper()
	n, R, Rp, m, c := tab.N(), len(tab.Regions), len(tab.Consumers), len(tab.Sectors), len(tab.Categories)
	ones := func(k int) *mat.VecDense {
		v := mat.NewVecDense(k, nil)
		for i := range k {
			v.SetVec(i, 1)
		}
		return v
	}
	reg := aggregator(n, R, func(i int) int { return i / m })      // sector -> region
	sec := aggregator(n, m, func(i int) int { return i % m })      // sector -> sector code
	cons := aggregator(Rp*c, Rp, func(j int) int { return j / c }) // demand column -> consumer

	// x, A and S.
	var x *mat.VecDense
	a, sOf := tab.A, func(e *table.Extension) *mat.Dense { return e.S }
	if tab.Z != nil {
		x = mat.NewVecDense(n, nil)
		var yx mat.VecDense
		x.MulVec(tab.Z, ones(n))
		yx.MulVec(tab.Y, ones(Rp*c))
		x.AddVec(x, &yx)
		if tab.X != nil {
			x = mat.NewVecDense(n, append([]float64(nil), tab.X...))
		}
		inv := mat.NewDiagDense(n, nil)
		for i := range n {
			if x.AtVec(i) != 0 {
				inv.SetDiag(i, 1/x.AtVec(i))
			}
		}
		var az mat.Dense
		az.Mul(tab.Z, inv)
		a = &az
		sOf = func(e *table.Extension) *mat.Dense {
			var s mat.Dense
			s.Mul(e.F, inv)
			return &s
		}
	} else if tab.X != nil {
		x = mat.NewVecDense(n, append([]float64(nil), tab.X...))
	}

	var l mat.Dense
	ima := mat.NewDense(n, n, nil)
	ima.Sub(eye(n), a)
	if err := l.Inverse(ima); err != nil {
		t.Fatalf("reference inverse: %v", err)
	}
	var yr, xr mat.Dense
	yr.Mul(tab.Y, cons)
	xr.Mul(&l, &yr)
	var xt mat.VecDense
	xt.MulVec(&xr, ones(Rp))

	res := &Result{Regions: tab.Regions, Consumers: tab.Consumers, Sectors: tab.Sectors,
		Output: xt.RawVector().Data}
	var fd mat.VecDense
	fd.MulVec(yr.T(), ones(n))
	res.FinalDemand = fd.RawVector().Data
	res.ValueAdded = make([]float64, Rp)
	xva := x
	if xva == nil {
		xva = &xt
	}
	for j := range n {
		v := xva.AtVec(j) * (1 - mat.Sum(a.ColView(j)))
		switch {
		case tab.ValueAdded != nil:
			v = tab.ValueAdded[j]
		case tab.Z != nil:
			v = xva.AtVec(j) - mat.Sum(tab.Z.ColView(j))
		}
		res.ValueAdded[j/m] += v
	}
	for r := range Rp {
		switch {
		case r >= R:
			res.ValueAdded[r] = math.NaN()
		case tab.RegionValueAdded != nil && tab.ValueAdded == nil:
			res.ValueAdded[r] = tab.RegionValueAdded[r]
		}
	}
	if x != nil {
		var d mat.VecDense
		d.SubVec(x, &xt)
		res.Residual = mat.Norm(&d, 2) / mat.Norm(x, 2)
	}

	for _, e := range tab.Extensions {
		s := sOf(e)
		k, _ := s.Dims()
		out := &Extension{Name: e.Name, Stressors: e.Stressors, Units: e.Units, Direct: s}
		out.Total = mat.NewDense(k, n, nil)
		out.Total.Mul(s, &l)
		out.Footprints = mat.NewDense(k, Rp*m, nil)
		for r := range Rp {
			var my, block mat.Dense
			my.Mul(out.Total, diagOf(mat.Col(nil, r, &yr)))
			block.Mul(&my, sec)
			out.Footprints.Slice(0, k, r*m, (r+1)*m).(*mat.Dense).Copy(&block)
		}
		fyr := mat.NewDense(k, Rp, nil)
		if e.FY != nil {
			fyr.Mul(e.FY, cons)
		}
		for _, p := range []**mat.Dense{&out.Production, &out.Consumption, &out.Imports, &out.Exports,
			&out.NetExports, &out.ProductionIntensity, &out.ConsumptionIntensity} {
			*p = mat.NewDense(k, Rp, nil)
		}
		for i := range k {
			var sx, flows, bySector mat.Dense
			bySector.Mul(diagOf(s.RawRowView(i)), &xr)
			flows.Mul(reg.T(), &bySector)
			out.Flows = append(out.Flows, &flows)
			out.FlowsBySector = append(out.FlowsBySector, &bySector)
			sx.Mul(reg.T(), diagOf(s.RawRowView(i)))
			prod := mat.NewVecDense(R, nil)
			prod.MulVec(&sx, &xt)
			for r := range Rp {
				inflow := mat.Sum(flows.ColView(r))
				cons := inflow + fyr.At(i, r)
				out.Consumption.Set(i, r, cons)
				if r >= R {
					out.Imports.Set(i, r, inflow)
					for _, d := range []*mat.Dense{out.Production, out.Exports, out.NetExports,
						out.ProductionIntensity, out.ConsumptionIntensity} {
						d.Set(i, r, math.NaN())
					}
					continue
				}
				p := prod.AtVec(r) + fyr.At(i, r)
				imp := inflow - flows.At(r, r)
				exp := mat.Sum(flows.RowView(r)) - flows.At(r, r)
				out.Production.Set(i, r, p)
				out.Imports.Set(i, r, imp)
				out.Exports.Set(i, r, exp)
				out.NetExports.Set(i, r, exp-imp)
				out.ProductionIntensity.Set(i, r, nullDiv(p, res.ValueAdded[r]))
				out.ConsumptionIntensity.Set(i, r, nullDiv(cons, res.FinalDemand[r]))
			}
		}
		res.Extensions = append(res.Extensions, out)
	}
	return res
}

func eye(n int) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	for i := range n {
		d.Set(i, i, 1)
	}
	return d
}

func diagOf(v []float64) *mat.DiagDense {
	return mat.NewDiagDense(len(v), append([]float64(nil), v...))
}

func nullDiv(a, b float64) float64 {
	if b == 0 || math.IsNaN(b) {
		return math.NaN()
	}
	return a / b
}

// agree reports whether a and b agree as MATH.md says: |a - b| <= rtol
// max(|a|, |b|) + atol. Two NaNs agree; NaN and a number do not.
func agree(a, b, rtol, atol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= rtol*math.Max(math.Abs(a), math.Abs(b))+atol
}

// maxAbs returns the largest finite |v| of the values.
func maxAbs(vs []float64) float64 {
	var m float64
	for _, v := range vs {
		if !math.IsNaN(v) {
			m = math.Max(m, math.Abs(v))
		}
	}
	return m
}

// denseData returns the entries of d row by row.
func denseData(d *mat.Dense) []float64 {
	r, c := d.Dims()
	out := make([]float64, 0, r*c)
	for i := range r {
		out = append(out, d.RawRowView(i)...)
	}
	return out
}

// checkValues compares two lists of numbers with MATH.md's rule, atol being
// 1e-12 of the largest wanted value, and reports the first few misses with
// their differences.
func checkValues(t testing.TB, what string, got, want []float64, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	atol := 1e-12 * maxAbs(want)
	misses := 0
	for i := range got {
		if !agree(got[i], want[i], rtol, atol) {
			if misses < 3 {
				t.Errorf("%s[%d] = %.17g, want %.17g (difference %.3g, rtol %g)",
					what, i, got[i], want[i], got[i]-want[i], rtol)
			}
			misses++
		}
	}
	if misses > 3 {
		t.Errorf("%s: %d values differ in all", what, misses)
	}
}

func checkDense(t testing.TB, what string, got, want *mat.Dense, rtol float64) {
	t.Helper()
	if (got == nil) != (want == nil) {
		t.Errorf("%s: got nil %v, want nil %v", what, got == nil, want == nil)
		return
	}
	if got == nil {
		return
	}
	gr, gc := got.Dims()
	wr, wc := want.Dims()
	if gr != wr || gc != wc {
		t.Errorf("%s: %d×%d, want %d×%d", what, gr, gc, wr, wc)
		return
	}
	checkValues(t, what, denseData(got), denseData(want), rtol)
}

// checkResult compares every account of got with want.
func checkResult(t testing.TB, got, want *Result, rtol float64) {
	t.Helper()
	checkValues(t, "ValueAdded", got.ValueAdded, want.ValueAdded, rtol)
	checkValues(t, "FinalDemand", got.FinalDemand, want.FinalDemand, rtol)
	checkValues(t, "Output", got.Output, want.Output, rtol)
	if !agree(got.Residual, want.Residual, 0, 1e-12) {
		t.Errorf("Residual = %g, want %g", got.Residual, want.Residual)
	}
	if len(got.Extensions) != len(want.Extensions) {
		t.Fatalf("%d extensions, want %d", len(got.Extensions), len(want.Extensions))
	}
	for x, g := range got.Extensions {
		w := want.Extensions[x]
		for _, d := range []struct {
			name      string
			got, want *mat.Dense
		}{
			{"Direct", g.Direct, w.Direct}, {"Total", g.Total, w.Total},
			{"Production", g.Production, w.Production}, {"Consumption", g.Consumption, w.Consumption},
			{"Imports", g.Imports, w.Imports}, {"Exports", g.Exports, w.Exports},
			{"NetExports", g.NetExports, w.NetExports}, {"Footprints", g.Footprints, w.Footprints},
			{"ProductionIntensity", g.ProductionIntensity, w.ProductionIntensity},
			{"ConsumptionIntensity", g.ConsumptionIntensity, w.ConsumptionIntensity},
		} {
			checkDense(t, fmt.Sprintf("%s.%s", g.Name, d.name), d.got, d.want, rtol)
		}
		for s := range g.Flows {
			checkDense(t, fmt.Sprintf("%s.Flows[%d]", g.Name, s), g.Flows[s], w.Flows[s], rtol)
			if g.FlowsBySector != nil {
				checkDense(t, fmt.Sprintf("%s.FlowsBySector[%d]", g.Name, s), g.FlowsBySector[s], w.FlowsBySector[s], rtol)
			}
		}
	}
}
