package accounts

import "gonum.org/v1/gonum/mat"

// Result holds every account of one table (one year, one scenario), as
// MATH.md defines them. A null value (MATH.md 12 and 14) is NaN here; the
// output writers turn NaN into a null and never write NaN or Inf.
type Result struct {
	Regions   []string // producing regions, R
	Consumers []string // consuming regions, R' >= R; the first R equal Regions
	Sectors   []string // m

	ValueAdded  []float64 // per consumer (R'); NaN for a consumer that does not produce
	FinalDemand []float64 // per consumer (R'): the sum of y_r

	// Output is x~ = L (sum_r y_r), the output that final demand calls for
	// (MATH.md 6), one value per producing sector (n).
	Output []float64

	// Residual is ||x - x~|| / ||x|| (MATH.md 6), 0 when x was not given.
	Residual float64
	// ZeroOutput lists the sectors with zero output but non-zero stressors,
	// whose stressors drop out of every account (MATH.md 2).
	ZeroOutput []ZeroOutput

	Extensions []*Extension

	// Inverse hands out L = (I - A)⁻¹ column by column; nil unless
	// Options.Leontief asked for it (or the caller of Assemble set it, with
	// InverseOfBlocks).
	Inverse *Inverse
}

// ZeroOutput is one stressor of one sector with zero output.
type ZeroOutput struct {
	Extension, Stressor, Region, Sector string
	Amount                              float64 // the F that drops out
}

// Extension holds the accounts of one satellite account. Matrices with one
// row per stressor have k rows.
type Extension struct {
	Name      string
	Stressors []string
	Units     []string

	Direct *mat.Dense // S, k x n
	Total  *mat.Dense // M = S L, k x n

	// Regional totals, k x R' each (MATH.md 10, 12). Production, Exports and
	// the intensities are NaN for consumers that do not produce.
	Production, Consumption, Imports, Exports, NetExports *mat.Dense
	ProductionIntensity, ConsumptionIntensity             *mat.Dense

	// Flows[s] is R x R': E[s; p, r], emitted in producing region p for the
	// final demand of consumer r (MATH.md 8).
	Flows []*mat.Dense
	// FlowsBySector[s] is n x R': E[s; (p, i), r]; nil unless requested.
	FlowsBySector []*mat.Dense
	// Footprints is k x R'*m: D_cba[s; (r, j)] at column r*m + j (MATH.md 9).
	Footprints *mat.Dense
}

// Groups holds the group-to-group flows of one extension (MATH.md 13).
type Groups struct {
	Names []string // the groups, "other" last when some region is in none
	// Value[s] is G x G: flows from producing group to consuming group.
	Value []*mat.Dense
	// Share[s] is G x G: Value[s][p][g] / sum over g of Value[s][p][g];
	// NaN where the producing group emits nothing.
	Share []*mat.Dense
}
