package montecarlo

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/accounts"
)

// Result returns the values of one draw, in the order of Labels (a row of
// Samples, or what Draw returns), as the accounts.Result that
// output.Encode writes as the regions and flows accounts: value added and
// final demand per consumer, and for every extension the regional
// accounts (production to consumption intensity) and the flows.
//
// What a draw does not compute stays nil: Output, and every extension's
// Direct, Total, Footprints and FlowsBySector; so the other accounts
// cannot be written from it. ZeroOutput is the base table's. The Result
// copies values. Result panics when values is not one draw long.
func (e *Engine) Result(values []float64) *accounts.Result {
	if len(values) != len(e.labels) {
		panic(fmt.Sprintf("montecarlo: %d values, want the %d of one draw", len(values), len(e.labels)))
	}
	rp := e.consumers
	res := &accounts.Result{
		Regions:     slices.Clone(e.regionNames),
		Consumers:   slices.Clone(e.consumerNames),
		Sectors:     slices.Clone(e.sectorNames),
		ValueAdded:  slices.Clone(values[:rp]),
		FinalDemand: slices.Clone(values[rp : 2*rp]),
		ZeroOutput:  slices.Clone(e.zero),
	}
	for i, x := range e.exts {
		k := len(x.Stressors)
		acct := make([]*mat.Dense, len(regionalAccounts))
		for a := range acct {
			acct[a] = mat.NewDense(k, rp, nil)
		}
		ext := &accounts.Extension{
			Name: x.Name, Stressors: slices.Clone(x.Stressors), Units: slices.Clone(x.Units),
			Production: acct[0], Consumption: acct[1], Imports: acct[2], Exports: acct[3],
			NetExports: acct[4], ProductionIntensity: acct[5], ConsumptionIntensity: acct[6],
		}
		for s := range k {
			b := e.block(i, s, values)
			for a, m := range acct {
				copy(m.RawRowView(s), b[a*rp:(a+1)*rp])
			}
			ext.Flows = append(ext.Flows, mat.NewDense(e.regions, rp, slices.Clone(b[len(acct)*rp:])))
		}
		res.Extensions = append(res.Extensions, ext)
	}
	return res
}
