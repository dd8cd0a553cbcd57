package accounts

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// checkIdentities asserts the identities of MATH.md 11, and the ones that
// tie the accounts together, on every stressor of res; fy gives F_Y summed
// per consumer (k×R') for each extension. Each check allows tol of the
// largest magnitude in play.
func checkIdentities(t testing.TB, res *Result, fy []*mat.Dense, tol float64) {
	t.Helper()
	R, Rp, m := len(res.Regions), len(res.Consumers), len(res.Sectors)
	for x, e := range res.Extensions {
		k, _ := e.Total.Dims()
		for s := range k {
			name := fmt.Sprintf("%s/%s", e.Name, e.Stressors[s])
			flows := e.Flows[s]
			scale := maxAbs(denseData(flows)) + maxAbs(denseData(fy[x]))
			scale = math.Max(scale, maxAbs(denseData(e.Consumption)))
			eq := func(what string, a, b float64) {
				t.Helper()
				if !agree(a, b, 0, tol*scale) {
					t.Errorf("%s: %s: %.17g vs %.17g (difference %.3g, allowed %.3g)", name, what, a, b, a-b, tol*scale)
				}
			}
			var world, worldProd float64
			for r := range Rp {
				c := e.Consumption.At(s, r)
				world += c
				// Consumption along two paths: footprints and flows.
				var foot, inflow float64
				for j := range m {
					foot += e.Footprints.At(s, r*m+j)
				}
				for p := range R {
					inflow += flows.At(p, r)
				}
				eq(fmt.Sprintf("consumption of %s from footprints", res.Consumers[r]), foot+fy[x].At(s, r), c)
				eq(fmt.Sprintf("consumption of %s from flows", res.Consumers[r]), inflow+fy[x].At(s, r), c)
				if r >= R {
					worldProd += fy[x].At(s, r)
					eq(fmt.Sprintf("imports of consumer-only %s", res.Consumers[r]), e.Imports.At(s, r), inflow)
					for _, d := range []*mat.Dense{e.Production, e.Exports, e.NetExports, e.ProductionIntensity, e.ConsumptionIntensity} {
						if !math.IsNaN(d.At(s, r)) {
							t.Errorf("%s: consumer-only %s has %v where a null is due", name, res.Consumers[r], d.At(s, r))
						}
					}
					continue
				}
				p := e.Production.At(s, r)
				worldProd += p
				eq(fmt.Sprintf("balance of %s", res.Regions[r]), c-p, e.Imports.At(s, r)-e.Exports.At(s, r))
				eq(fmt.Sprintf("net exports of %s", res.Regions[r]), e.NetExports.At(s, r), e.Exports.At(s, r)-e.Imports.At(s, r))
				var out float64
				for q := range Rp {
					out += flows.At(r, q)
				}
				eq(fmt.Sprintf("outflows of %s", res.Regions[r]), out, p-fy[x].At(s, r))
				if e.FlowsBySector != nil {
					for q := range Rp {
						var sum float64
						for i := r * m; i < (r+1)*m; i++ {
							sum += e.FlowsBySector[s].At(i, q)
						}
						eq(fmt.Sprintf("flows by sector %s -> %s", res.Regions[r], res.Consumers[q]), sum, flows.At(r, q))
					}
				}
			}
			// World: production, counting the direct emissions of consumers
			// that do not produce, equals consumption.
			eq("world", worldProd, world)
		}
	}
}

// finalUse returns F_Y summed per consumer for every extension of tab.
func finalUse(tab *table.Table) []*mat.Dense {
	var out []*mat.Dense
	c, rp := len(tab.Categories), len(tab.Consumers)
	for _, e := range tab.Extensions {
		k := len(e.Stressors)
		d := mat.NewDense(k, rp, nil)
		if e.FY != nil {
			for s := range k {
				for j := range rp * c {
					d.Set(s, j/c, d.At(s, j/c)+e.FY.At(s, j))
				}
			}
		}
		out = append(out, d)
	}
	return out
}
