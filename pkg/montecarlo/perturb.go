package montecarlo

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/scenario"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// Perturb applies draw number draw of mc to t, in place, and is the
// definition of a draw: an Engine computes the accounts of the table that
// Perturb leaves, only faster. Year and name (the scenario's) key the
// random numbers with mc.Seed and draw (see Stream).
//
// The selected sectors J (scenario.MonteCarlo.Sectors) are visited in
// ascending order, and every non-zero entry takes the next factor of its
// stream; zeros stay zero and take none. S and Y have one stream each, A
// one per column:
//
//	S  for j in J, for each extension, for each stressor s: S[s, j]
//	Y  for j in J, for each column c of Y:                  Y[j, c]
//	A  for j in J, column j's stream, for each row i:       A[i, j]
//
// When mc varies A or Y, Perturb drops t.X, as scenario.Apply does for
// shocks: the accounts then use the output that final demand calls for.
//
// t must be in coefficient form. Perturb returns the errors of
// scenario.MonteCarlo.Sectors, and one for a table in flow form; t is
// unchanged then.
func Perturb(t *table.Table, mc scenario.MonteCarlo, year, name string, draw int) error {
	if t.Z != nil {
		return fmt.Errorf("montecarlo: %s: a draw needs a table in coefficient form; this one is in flow form", t.Source)
	}
	cols, err := mc.Sectors(t)
	if err != nil {
		return fmt.Errorf("montecarlo: %w", err)
	}
	st := Stream{Seed: mc.Seed, Year: year, Scenario: name, Draw: draw}
	if mc.Sigma.S > 0 {
		f := newFactors(st, "S", 0, mc.Sigma.S)
		for _, j := range cols {
			for _, e := range t.Extensions {
				for s := range e.Stressors {
					if v := e.S.At(s, j); v != 0 {
						e.S.Set(s, j, v*f.next())
					}
				}
			}
		}
	}
	if mc.Sigma.Y > 0 {
		scaleRows(t.Y, cols, newFactors(st, "Y", 0, mc.Sigma.Y))
		t.X = nil
	}
	if mc.Sigma.A > 0 {
		for k, f := range columnFactors(st, cols, mc.Sigma.A) {
			j := cols[k]
			for i := range t.N() {
				if v := t.A.At(i, j); v != 0 {
					t.A.Set(i, j, v*f.next())
				}
			}
		}
		t.X = nil
	}
	return nil
}

// scaleRows multiplies the non-zero entries of the rows of m, row by row,
// by the next factors of f.
func scaleRows(m *mat.Dense, rows []int, f *factors) {
	for _, i := range rows {
		row := m.RawRowView(i)
		for c, v := range row {
			if v != 0 {
				row[c] = v * f.next()
			}
		}
	}
}
