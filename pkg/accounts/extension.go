package accounts

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// extensionAccounts computes the accounts of one extension (MATH.md 8 to
// 12) from its multipliers m (k×n), final demand by consumer yr (n×R'), the
// output it triggers xr (n×R') and x~ = xt. res supplies value added and
// final demand for the intensities.
func extensionAccounts(t *table.Table, e *table.Extension, m, yr, xr *mat.Dense, xt []float64, res *Result, opts Options) *Extension {
	k, rp := len(e.Stressors), len(t.Consumers)
	out := &Extension{
		Name:      e.Name,
		Stressors: e.Stressors,
		Units:     e.Units,
		Direct:    e.S,
		Total:     m,
	}
	out.Flows, out.FlowsBySector = flows(t, e.S, xr, opts.FlowsBySector)
	out.Footprints = footprints(t, m, yr)

	fy := directFinalUse(t, e)
	for _, p := range []**mat.Dense{
		&out.Production, &out.Consumption, &out.Imports, &out.Exports, &out.NetExports,
		&out.ProductionIntensity, &out.ConsumptionIntensity,
	} {
		*p = mat.NewDense(k, rp, nil)
	}
	for s := range k {
		production := producedFor(t, e.S.RawRowView(s), xt)
		flows := out.Flows[s]
		for r := range rp {
			inflow := colSum(flows, r)
			consumption := inflow + fy.At(s, r)
			out.Consumption.Set(s, r, consumption)
			out.ConsumptionIntensity.Set(s, r, math.NaN())
			if r >= len(t.Regions) {
				// A consumer that does not produce (MATH.md 14).
				out.Imports.Set(s, r, inflow)
				for _, d := range []*mat.Dense{out.Production, out.Exports, out.NetExports, out.ProductionIntensity} {
					d.Set(s, r, math.NaN())
				}
				continue
			}
			own := flows.At(r, r)
			imports := inflow - own
			exports := rowSum(flows, r) - own
			prod := production[r] + fy.At(s, r)
			out.Production.Set(s, r, prod)
			out.Imports.Set(s, r, imports)
			out.Exports.Set(s, r, exports)
			out.NetExports.Set(s, r, exports-imports)
			out.ProductionIntensity.Set(s, r, ratio(prod, res.ValueAdded[r]))
			out.ConsumptionIntensity.Set(s, r, ratio(consumption, res.FinalDemand[r]))
		}
	}
	return out
}

// flows returns E[s] (R×R') for every stressor (MATH.md 8) and, when
// bySector, E[s; (p, i), r] (n×R') as well.
func flows(t *table.Table, sm, xr *mat.Dense, bySector bool) (regional, sectoral []*mat.Dense) {
	k, _ := sm.Dims()
	n, m, rp := t.N(), len(t.Sectors), len(t.Consumers)
	regional = make([]*mat.Dense, k)
	if bySector {
		sectoral = make([]*mat.Dense, k)
	}
	for s := range k {
		e := mat.NewDense(len(t.Regions), rp, nil)
		var es *mat.Dense
		if bySector {
			es = mat.NewDense(n, rp, nil)
			sectoral[s] = es
		}
		for i, sv := range sm.RawRowView(s) {
			if sv == 0 {
				continue
			}
			acc := e.RawRowView(i / m)
			for r, x := range xr.RawRowView(i) {
				v := sv * x
				acc[r] += v
				if es != nil {
					es.Set(i, r, v)
				}
			}
		}
		regional[s] = e
	}
	return regional, sectoral
}

// footprints returns D_cba (k × R'm): column r*m + j holds
// sum_p M[s, (p, j)] y_r[(p, j)] (MATH.md 9).
func footprints(t *table.Table, m, yr *mat.Dense) *mat.Dense {
	k, n := m.Dims()
	ms, rp := len(t.Sectors), len(t.Consumers)
	d := mat.NewDense(k, rp*ms, nil)
	for s := range k {
		ms1, dst := m.RawRowView(s), d.RawRowView(s)
		for i := range n {
			j := i % ms
			for r, y := range yr.RawRowView(i) {
				dst[r*ms+j] += ms1[i] * y
			}
		}
	}
	return d
}

// directFinalUse returns F_Y summed over each consumer's categories (k×R');
// zero when the extension has no F_Y.
func directFinalUse(t *table.Table, e *table.Extension) *mat.Dense {
	k, rp, c := len(e.Stressors), len(t.Consumers), len(t.Categories)
	out := mat.NewDense(k, rp, nil)
	if e.FY == nil {
		return out
	}
	for s := range k {
		src, dst := e.FY.RawRowView(s), out.RawRowView(s)
		for j, v := range src {
			dst[j/c] += v
		}
	}
	return out
}

// producedFor returns sum over i in region r of S[s, i] x~_i for every
// producing region.
func producedFor(t *table.Table, srow, xt []float64) []float64 {
	m := len(t.Sectors)
	out := make([]float64, len(t.Regions))
	for i, s := range srow {
		out[i/m] += s * xt[i]
	}
	return out
}

// ratio returns a / b, or NaN (a null) when b is zero or NaN.
func ratio(a, b float64) float64 {
	if b == 0 || math.IsNaN(b) {
		return math.NaN()
	}
	return a / b
}

func rowSum(d *mat.Dense, i int) float64 {
	var s float64
	for _, v := range d.RawRowView(i) {
		s += v
	}
	return s
}

func colSum(d *mat.Dense, j int) float64 {
	r, _ := d.Dims()
	var s float64
	for i := range r {
		s += d.At(i, j)
	}
	return s
}

// rowSums returns the sum of every row of d.
func rowSums(d *mat.Dense) []float64 {
	r, _ := d.Dims()
	out := make([]float64, r)
	for i := range r {
		out[i] = rowSum(d, i)
	}
	return out
}

// colSums returns the sum of every column of d.
func colSums(d *mat.Dense) []float64 {
	r, c := d.Dims()
	out := make([]float64, c)
	for i := range r {
		for j, v := range d.RawRowView(i) {
			out[j] += v
		}
	}
	return out
}
