package montecarlo

import (
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// The accounts a draw yields, named as the output tables name them.
const (
	ValueAdded           = "value_added"
	FinalDemand          = "final_demand"
	Production           = "production"
	Consumption          = "consumption"
	Imports              = "imports"
	Exports              = "exports"
	NetExports           = "net_exports"
	ProductionIntensity  = "production_intensity"
	ConsumptionIntensity = "consumption_intensity"
	Flows                = "flows"
)

// regionalAccounts are the accounts of one stressor with one value per
// consumer, in the order a draw holds them.
var regionalAccounts = []string{
	Production, Consumption, Imports, Exports, NetExports, ProductionIntensity, ConsumptionIntensity,
}

// Label says what one value of a draw is: an account and its key columns.
type Label struct {
	Account   string // one of the account constants
	Extension string // empty for ValueAdded and FinalDemand
	Stressor  string // empty for ValueAdded and FinalDemand
	Region    string // the region; for Flows the producing region
	ToRegion  string // for Flows the consuming region; empty otherwise
}

var nan = math.NaN()

// layout lists the labels of a draw's values: value added and final demand
// per consumer, then for every extension and stressor the regional
// accounts per consumer and the flows, producer-major.
func (e *Engine) layout(t *table.Table) []Label {
	var out []Label
	for _, acct := range []string{ValueAdded, FinalDemand} {
		for _, c := range t.Consumers {
			out = append(out, Label{Account: acct, Region: c})
		}
	}
	for _, x := range t.Extensions {
		for _, s := range x.Stressors {
			for _, acct := range regionalAccounts {
				for _, c := range t.Consumers {
					out = append(out, Label{Account: acct, Extension: x.Name, Stressor: s, Region: c})
				}
			}
			for _, p := range t.Regions {
				for _, c := range t.Consumers {
					out = append(out, Label{Account: Flows, Extension: x.Name, Stressor: s, Region: p, ToRegion: c})
				}
			}
		}
	}
	return out
}

// block returns the values of stressor s of extension x within a draw's
// values: the regional accounts (7 R'), then the flows (R R').
func (e *Engine) block(x, s int, values []float64) []float64 {
	size := 7*e.consumers + e.regions*e.consumers
	at := 2 * e.consumers
	for i := range x {
		at += len(e.exts[i].Stressors) * size
	}
	at += s * size
	return values[at : at+size]
}

// regional fills the regional accounts of a block from its flows (MATH.md
// 10 to 12), with the stressor's direct final use fy, value added va and
// final demand fd per consumer. Production is the row sum of the flows,
// which is S x~ grouped by consumer.
func (e *Engine) regional(b, fy, va, fd []float64) {
	rp := e.consumers
	flows := b[7*rp:]
	acct := func(k int) []float64 { return b[k*rp : (k+1)*rp] }
	prod, cons, imp, exp, net, pint, cint := acct(0), acct(1), acct(2), acct(3), acct(4), acct(5), acct(6)
	for r := range rp {
		var inflow float64
		for p := range e.regions {
			inflow += flows[p*rp+r]
		}
		cons[r] = inflow + fy[r]
		cint[r] = nan
		if r >= e.regions {
			// A consumer that does not produce (MATH.md 14).
			imp[r] = inflow
			prod[r], exp[r], net[r], pint[r] = nan, nan, nan, nan
			continue
		}
		var outflow float64
		for _, v := range flows[r*rp : (r+1)*rp] {
			outflow += v
		}
		own := flows[r*rp+r]
		imp[r] = inflow - own
		exp[r] = outflow - own
		net[r] = exp[r] - imp[r]
		prod[r] = outflow + fy[r]
		pint[r] = ratio(prod[r], va[r])
		cint[r] = ratio(cons[r], fd[r])
	}
}

// flowsInto adds E[p, r] = sum over i in p of S[s, i] x⁽ʳ⁾_i into dst
// (R×R', row-major), as accounts.Compute sums them.
func flowsInto(dst, srow []float64, x *mat.Dense, m, rp int) {
	for i, sv := range srow {
		if sv == 0 {
			continue
		}
		p := i / m
		acc := dst[p*rp : (p+1)*rp]
		row := x.RawRowView(i)[:len(acc)]
		for r, v := range row {
			acc[r] += sv * v
		}
	}
}

// ratio returns a / b, or NaN (a null) when b is zero or NaN.
func ratio(a, b float64) float64 {
	if b == 0 || math.IsNaN(b) {
		return nan
	}
	return a / b
}

// directFinalUse returns the F_Y of x summed over each consumer's
// categories, k×R' row-major; zeros when x has no F_Y.
func directFinalUse(t *table.Table, x *table.Extension) []float64 {
	k, rp, c := len(x.Stressors), len(t.Consumers), len(t.Categories)
	out := make([]float64, k*rp)
	if x.FY == nil {
		return out
	}
	for s := range k {
		for j, v := range x.FY.RawRowView(s) {
			out[s*rp+j/c] += v
		}
	}
	return out
}

// tableValueAdded returns the table's own value added per consumer, NaN
// for consumers that do not produce or regions the source does not cover.
func tableValueAdded(t *table.Table) []float64 {
	out := make([]float64, len(t.Consumers))
	for r := len(t.Regions); r < len(out); r++ {
		out[r] = nan
	}
	if t.ValueAdded == nil {
		copy(out, t.RegionValueAdded)
		return out
	}
	m := len(t.Sectors)
	for i, v := range t.ValueAdded {
		out[i/m] += v
	}
	return out
}

// columns returns the columns cols of a, side by side.
func columns(a *mat.Dense, cols []int) *mat.Dense {
	n, _ := a.Dims()
	out := mat.NewDense(n, len(cols), nil)
	for i := range n {
		src, dst := a.RawRowView(i), out.RawRowView(i)
		for k, j := range cols {
			dst[k] = src[j]
		}
	}
	return out
}

// colFactors are the factors of the columns of A a draw varies: fs[k]
// is the stream of column cols[k], whose entry in row i has the σ
// sigma[i, cols[k]] (each the stream's own σ when sigma is nil).
type colFactors struct {
	fs    []*factors
	sigma *mat.Dense
	cols  []int
}

// perturbColumns copies src into dst, row by row, multiplying the non-zero
// entries of the columns cols (all columns, in order, when cols is nil;
// ascending otherwise) by the next factors of each column's own stream
// cf.fs[k]; an entry whose own σ is 0 keeps its value and draws nothing.
// It returns the sums of those columns of dst, each added top to bottom
// (1 minus one is accounts.ValueAddedShare's value to the bit).
//
// The columns are cut into groups worked on concurrently, each copying
// the stretch of every row from its first column to the next group's;
// each column's stream is consumed in row order whatever the cut, so the
// result does not depend on it.
func perturbColumns(dst, src *mat.Dense, cols []int, cf colFactors) []float64 {
	n, width := src.Dims()
	fs := cf.fs
	col := func(k int) int {
		if cols == nil {
			return k
		}
		return cols[k]
	}
	sums := make([]float64, len(fs))
	groups := max(1, min(runtime.GOMAXPROCS(0), len(fs)/64))
	var wg sync.WaitGroup
	for g := range groups {
		lo, hi := g*len(fs)/groups, (g+1)*len(fs)/groups
		start, end := 0, width // the stretch of each row this group copies
		if g > 0 {
			start = col(lo)
		}
		if g < groups-1 {
			end = col(hi)
		}
		wg.Go(func() {
			for i := range n {
				from, to := src.RawRowView(i), dst.RawRowView(i)
				copy(to[start:end], from[start:end])
				sig := rowOf(cf.sigma, i)
				for k := lo; k < hi; k++ {
					j := col(k)
					v := fs[k].scale(from[j], sig, cf.cols[k])
					to[j] = v
					sums[k] += v
				}
			}
		})
	}
	wg.Wait()
	return sums
}

// colSumsInto writes the sum of every column of d into dst.
func colSumsInto(dst []float64, d *mat.Dense) {
	clear(dst)
	r, _ := d.Dims()
	for i := range r {
		floats.Add(dst, d.RawRowView(i))
	}
}
