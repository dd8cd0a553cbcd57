package table

import (
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Clone returns a copy of t that shares no numbers with it, so that the
// copy may be shocked, converted to coefficients or factorized in place
// while t stays as it was. Labels (regions, sectors, stressors, units,
// notes) are shared: no step of the pipeline changes them.
func (t *Table) Clone() *Table {
	c := *t
	c.Z, c.A, c.Y = cloneDense(t.Z), cloneDense(t.A), cloneDense(t.Y)
	c.X = slices.Clone(t.X)
	c.ValueAdded = slices.Clone(t.ValueAdded)
	c.RegionValueAdded = slices.Clone(t.RegionValueAdded)
	c.Extensions = make([]*Extension, len(t.Extensions))
	for i, e := range t.Extensions {
		ce := *e
		ce.F, ce.S, ce.FY = cloneDense(e.F), cloneDense(e.S), cloneDense(e.FY)
		c.Extensions[i] = &ce
	}
	return &c
}

func cloneDense(m *mat.Dense) *mat.Dense {
	if m == nil {
		return nil
	}
	return mat.DenseCopyOf(m)
}
