package runner

import (
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// copyTable returns a copy of t that shares no numbers with it, so that a
// task may shock and factorize the copy while t stays in the cache. Labels
// are shared: no step changes them.
//
// TODO(table): a Clone method in package table would keep this in step
// with new fields of Table.
func copyTable(t *table.Table) *table.Table {
	c := *t
	c.Z, c.A, c.Y = copyDense(t.Z), copyDense(t.A), copyDense(t.Y)
	c.X = slices.Clone(t.X)
	c.ValueAdded = slices.Clone(t.ValueAdded)
	c.RegionValueAdded = slices.Clone(t.RegionValueAdded)
	c.Extensions = make([]*table.Extension, len(t.Extensions))
	for i, e := range t.Extensions {
		ce := *e
		ce.F, ce.S, ce.FY = copyDense(e.F), copyDense(e.S), copyDense(e.FY)
		c.Extensions[i] = &ce
	}
	return &c
}

func copyDense(m *mat.Dense) *mat.Dense {
	if m == nil {
		return nil
	}
	return mat.DenseCopyOf(m)
}
