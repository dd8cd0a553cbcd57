package table

import (
	"gonum.org/v1/gonum/mat"
)

// Table is one MRIO system of one year, held in memory.
//
// Rows and columns of Z, A, S and F are ordered region-major: index
// r*len(Sectors)+i is sector i of region Regions[r]. Final demand Y has one
// column per (consumer, category), at index c*len(Categories)+k for
// Consumers[c] and Categories[k].
//
// A table is either in flow form (Z set, A nil; extensions carry F) or in
// coefficient form (A set, Z nil; extensions carry S). Coefficients turns the
// first into the second, in place.
//
// A Table is not safe for concurrent mutation.
type Table struct {
	// Source names where the table came from (a path or key); errors use it.
	Source string

	Regions []string // producing regions, R
	Sectors []string // sectors (products or industries) per region, m

	// Consumers are the regions with final demand. The first len(Regions)
	// entries equal Regions; any further ones consume but do not produce
	// (MATH.md 14), such as a statistical-discrepancy column.
	Consumers  []string
	Categories []string // final-demand categories of every consumer, c

	Z *mat.Dense // n x n inter-industry flows; nil in coefficient form
	A *mat.Dense // n x n technical coefficients; nil in flow form
	X []float64  // n, total output; nil when the source gives none
	Y *mat.Dense // n x len(Consumers)*len(Categories), final demand

	// ValueAdded is the value added of each producing sector (n) when the
	// table carries such an account; nil otherwise, and the accounts then
	// derive it from x and A (MATH.md 12).
	ValueAdded []float64

	Extensions []*Extension

	// RegionValueAdded is the value added of each producing region (R) when
	// the source reports it only per region, as USEEIO models do (their
	// value-added rows are by industry, not by the table's commodities);
	// NaN for a region the source does not cover. Nil when the source gives
	// no such totals. ValueAdded, when set, takes precedence.
	RegionValueAdded []float64

	// Notes are what a reader changed or set aside on the way in, one
	// sentence each, such as a statistical-discrepancy row it dropped and
	// the amount it held; a run copies them into its manifest. Nil when
	// there is nothing to say.
	Notes []string
}

// Extension is one satellite account: stressors by producing sector, and the
// direct stressors of final users.
type Extension struct {
	Name      string   // pymrio's extension name, or the source's satellite name
	Stressors []string // k labels as the source writes them
	Units     []string // k units

	F  *mat.Dense // k x n, stressor flows; nil in coefficient form
	S  *mat.Dense // k x n, stressor per unit of output; nil in flow form
	FY *mat.Dense // k x len(Consumers)*len(Categories); nil means zero
}

// N is the number of producing sectors, R*m.
func (t *Table) N() int { return len(t.Regions) * len(t.Sectors) }
