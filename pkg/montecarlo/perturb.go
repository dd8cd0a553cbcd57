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
// stream; zeros stay zero and take none, and so do entries whose own σ
// (scenario.Sigma's PerS, PerY, PerA) is 0. S and Y have one stream each,
// A one per column:
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
	sg := mc.Sigma
	if sg.VariesS() {
		f := newFactors(st, "S", 0, sg.S)
		for _, j := range cols {
			for x, e := range t.Extensions {
				sig := sigmaS(sg, x)
				for s := range e.Stressors {
					if v := e.S.At(s, j); v != 0 {
						e.S.Set(s, j, f.scale(v, rowOf(sig, s), j))
					}
				}
			}
		}
	}
	if sg.VariesY() {
		f := newFactors(st, "Y", 0, sg.Y)
		for _, i := range cols {
			row, sig := t.Y.RawRowView(i), rowOf(sg.PerY, i)
			for c, v := range row {
				row[c] = f.scale(v, sig, c)
			}
		}
		t.X = nil
	}
	if sg.VariesA() {
		for k, f := range columnFactors(st, cols, sg.A) {
			j := cols[k]
			for i := range t.N() {
				if v := t.A.At(i, j); v != 0 {
					t.A.Set(i, j, f.scale(v, rowOf(sg.PerA, i), j))
				}
			}
		}
		t.X = nil
	}
	return nil
}

// sigmaS returns the per-entry sigmas of extension x's S, nil when S has
// one σ for all.
func sigmaS(sg scenario.Sigma, x int) *mat.Dense {
	if sg.PerS == nil {
		return nil
	}
	return sg.PerS[x]
}
