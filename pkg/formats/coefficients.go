package formats

import (
	"fmt"

	"github.com/mrioflow/mrioflow/pkg/table"
	"gonum.org/v1/gonum/mat"
)

// flowsWhereNeeded turns a table in coefficient form into flow form when
// an extension gives its flows F rather than its coefficients S: the
// accounts need one form throughout. Then Z = A diag(x), and F = S diag(x)
// for the extensions that give S. Without x in the source, x = L y is
// solved here, one LU of I - A. file names the table in errors.
func (r *pymrioReader) flowsWhereNeeded(t *table.Table, file string) error {
	if t.A == nil {
		return nil
	}
	needed := false
	for _, e := range t.Extensions {
		needed = needed || e.F != nil
	}
	if !needed {
		return nil
	}
	if t.X == nil {
		x, err := outputFromCoefficients(t.A, t.Y)
		if err != nil {
			return fmt.Errorf("formats: %s: an extension gives F, so x is needed, and the source has none: %w", file, err)
		}
		t.X = x
		r.notes = append(r.notes, "x = L y, solved from A and Y: the source gives A and F but not x")
	}
	scaleColumns(t.A, t.X)
	t.Z, t.A = t.A, nil
	for _, e := range t.Extensions {
		if e.S != nil {
			scaleColumns(e.S, t.X)
			e.F, e.S = e.S, nil
		}
	}
	return nil
}

// scaleColumns multiplies column j of m by x_j, in place.
func scaleColumns(m *mat.Dense, x []float64) {
	rows, _ := m.Dims()
	for i := range rows {
		row := m.RawRowView(i)
		for j := range row {
			row[j] *= x[j]
		}
	}
}

// outputFromCoefficients returns x = (I - A)^-1 Y 1, the output that all
// of the final demand calls for (MATH.md 1). It fails when I - A is
// singular or nearly so (reciprocal condition below 1e-12).
//
// TODO(speed): this is gonum's pure-Go LU, minutes for 10^4 sectors; the
// runner's leontief package would be faster, but formats does not import
// it. Sources that give x, Z or S never come here.
func outputFromCoefficients(a, y *mat.Dense) ([]float64, error) {
	n, _ := a.Dims()
	m := mat.NewDense(n, n, nil)
	m.Scale(-1, a)
	for i := range n {
		m.Set(i, i, 1+m.At(i, i))
	}
	d := make([]float64, n)
	for i := range n {
		for _, v := range y.RawRowView(i) {
			d[i] += v
		}
	}
	var lu mat.LU
	lu.Factorize(m)
	if c := lu.Cond(); !(1/c >= 1e-12) {
		return nil, fmt.Errorf("I - A is singular or nearly so (reciprocal condition %.3g)", 1/c)
	}
	x := mat.NewVecDense(n, nil)
	if err := lu.SolveVecTo(x, false, mat.NewVecDense(n, d)); err != nil {
		return nil, fmt.Errorf("solving (I - A) x = y: %w", err)
	}
	return x.RawVector().Data, nil
}
