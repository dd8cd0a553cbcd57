package scenario

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// MonteCarlo is a scenario of random draws around a table. Every draw
// multiplies each selected non-zero entry of S, Y and A by its own
// lognormal factor of mean one,
//
//	f = exp(σ z - σ²/2),   z standard normal,
//
// with σ taken from Sigma: one per target, or one per entry of a target.
// Package montecarlo computes the draws and their summaries; this type
// only says what varies.
type MonteCarlo struct {
	// Draws is the number of draws, at least 1.
	Draws int
	// Seed, with the year, the scenario's name and the draw's number,
	// fixes the random numbers of a draw.
	Seed uint64
	// Sigma is the standard deviation of log f, per target or per entry.
	Sigma Sigma
	// Region and Sector (a shell pattern, as for a Shock) select producing
	// sectors; empty selects all. S and A vary in the columns of the
	// selected sectors, Y in their rows: the final demand of every
	// consumer for the selected products. With per-entry sigmas, an entry
	// varies when it is selected and its σ is above 0.
	Region, Sector string
}

// Sigma holds the standard deviation of the log of the factors: one
// number per target, or, for a target whose matrix is set, one per entry.
// Zero leaves a target, or an entry, fixed.
//
// PerS holds one matrix per extension of the table, each of the shape of
// that extension's S (stressors × products); PerY has the shape of Y
// (products × consumer and category), PerA that of A. A target with a
// matrix must have its number at 0.
type Sigma struct {
	S, Y, A float64

	PerS       []*mat.Dense
	PerY, PerA *mat.Dense
}

// VariesS, VariesY and VariesA report whether some entry of the target
// has a σ above 0.
func (s Sigma) VariesS() bool {
	if s.PerS == nil {
		return s.S > 0
	}
	for _, m := range s.PerS {
		if anyAbove0(m) {
			return true
		}
	}
	return false
}

// VariesY reports whether some entry of Y has a σ above 0.
func (s Sigma) VariesY() bool { return varies(s.Y, s.PerY) }

// VariesA reports whether some entry of A has a σ above 0.
func (s Sigma) VariesA() bool { return varies(s.A, s.PerA) }

func varies(all float64, per *mat.Dense) bool {
	if per == nil {
		return all > 0
	}
	return anyAbove0(per)
}

func anyAbove0(m *mat.Dense) bool {
	if m == nil {
		return false
	}
	raw := m.RawMatrix()
	for i := range raw.Rows {
		for _, v := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
			if v > 0 {
				return true
			}
		}
	}
	return false
}

// String describes the scenario for error messages.
func (mc MonteCarlo) String() string {
	out := fmt.Sprintf("montecarlo: %d draws, seed %d, sigma S %s, Y %s, A %s",
		mc.Draws, mc.Seed, describe(mc.Sigma.S, mc.Sigma.PerS != nil),
		describe(mc.Sigma.Y, mc.Sigma.PerY != nil), describe(mc.Sigma.A, mc.Sigma.PerA != nil))
	if mc.Region != "" {
		out += fmt.Sprintf(", region %q", mc.Region)
	}
	if mc.Sector != "" {
		out += fmt.Sprintf(", sector %q", mc.Sector)
	}
	return out
}

func describe(v float64, table bool) string {
	if table {
		return "per entry"
	}
	return fmt.Sprintf("%g", v)
}

// Check returns an error when mc cannot describe any table's draws: fewer
// than one draw, a sigma that is negative or not finite (a number, or an
// entry of a matrix, named by its row and column), a target with both a
// number above 0 and a matrix, or no sigma above 0.
func (mc MonteCarlo) Check() error {
	if mc.Draws < 1 {
		return fmt.Errorf("scenario: %v: draws must be at least 1", mc)
	}
	sg := mc.Sigma
	for _, s := range []struct {
		target string
		v      float64
		table  bool
		per    []*mat.Dense
	}{
		{TargetS, sg.S, sg.PerS != nil, sg.PerS},
		{TargetY, sg.Y, sg.PerY != nil, []*mat.Dense{sg.PerY}},
		{TargetA, sg.A, sg.PerA != nil, []*mat.Dense{sg.PerA}},
	} {
		if math.IsNaN(s.v) || math.IsInf(s.v, 0) || s.v < 0 {
			return fmt.Errorf("scenario: %v: sigma of %s must be finite and at least 0", mc, s.target)
		}
		if s.table && s.v != 0 {
			return fmt.Errorf("scenario: %v: sigma of %s is both a number and a matrix", mc, s.target)
		}
		for x, m := range s.per {
			if err := checkEntries(m); err != nil {
				if s.target == TargetS {
					return fmt.Errorf("scenario: %v: sigma of S of extension %d: %w", mc, x, err)
				}
				return fmt.Errorf("scenario: %v: sigma of %s: %w", mc, s.target, err)
			}
		}
	}
	if !sg.VariesS() && !sg.VariesY() && !sg.VariesA() {
		return fmt.Errorf("scenario: %v: no sigma above 0, so no draw would differ from the table", mc)
	}
	return nil
}

// checkEntries returns an error naming the first entry of m (nil passes)
// that is negative or not finite.
func checkEntries(m *mat.Dense) error {
	if m == nil {
		return nil
	}
	r, c := m.Dims()
	for i := range r {
		for j, v := range m.RawRowView(i)[:c] {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return fmt.Errorf("entry (%d, %d) is %v; want a finite number >= 0", i, j, v)
			}
		}
	}
	return nil
}

// Sectors checks mc against t and returns the region-major indices of the
// producing sectors it selects, in ascending order. Besides Check's errors
// it returns one, naming the table, for an unknown region or one that only
// consumes, a malformed sector pattern or one that matches no sector, a
// target the table lacks (A, or extensions with S, for a sigma above 0),
// and a matrix of sigmas whose shape is not its target's.
func (mc MonteCarlo) Sectors(t *table.Table) ([]int, error) {
	if err := mc.Check(); err != nil {
		return nil, err
	}
	sg := mc.Sigma
	switch {
	case sg.VariesA() && t.A == nil:
		return nil, errorf(t, "%v: sigma of A above 0, but the table has no A", mc)
	case sg.VariesS() && len(t.Extensions) == 0:
		return nil, errorf(t, "%v: sigma of S above 0, but the table has no extensions", mc)
	case sg.PerS != nil && len(sg.PerS) != len(t.Extensions):
		return nil, errorf(t, "%v: sigmas of S for %d extensions, but the table has %d", mc, len(sg.PerS), len(t.Extensions))
	}
	for x, e := range t.Extensions {
		if sg.VariesS() && e.S == nil {
			return nil, errorf(t, "%v: extension %q has no S", mc, e.Name)
		}
		if sg.PerS != nil {
			if err := sameShape(sg.PerS[x], len(e.Stressors), t.N()); err != nil {
				return nil, errorf(t, "%v: sigma of S of extension %q: %w", mc, e.Name, err)
			}
		}
	}
	if sg.PerY != nil {
		_, c := t.Y.Dims()
		if err := sameShape(sg.PerY, t.N(), c); err != nil {
			return nil, errorf(t, "%v: sigma of Y: %w", mc, err)
		}
	}
	if sg.PerA != nil {
		if err := sameShape(sg.PerA, t.N(), t.N()); err != nil {
			return nil, errorf(t, "%v: sigma of A: %w", mc, err)
		}
	}
	cols, err := producers(t, mc.Region, mc.Sector)
	if err != nil {
		return nil, errorf(t, "%v: %w", mc, err)
	}
	if !mc.anyVaries(t, cols) {
		return nil, errorf(t, "%v: every entry it selects is zero (or has a sigma of 0), so no draw would differ from the table", mc)
	}
	return cols, nil
}

// anyVaries reports whether some entry that mc selects in t, in the
// columns (S, A) or rows (Y) cols, is non-zero with a sigma above 0.
func (mc MonteCarlo) anyVaries(t *table.Table, cols []int) bool {
	sg := mc.Sigma
	sigmaOf := func(v float64, per *mat.Dense, i, j int) float64 {
		if per != nil {
			return per.At(i, j)
		}
		return v
	}
	if sg.VariesS() {
		for x, e := range t.Extensions {
			var per *mat.Dense
			if sg.PerS != nil {
				per = sg.PerS[x]
			}
			for s := range len(e.Stressors) {
				for _, j := range cols {
					if e.S.At(s, j) != 0 && sigmaOf(sg.S, per, s, j) > 0 {
						return true
					}
				}
			}
		}
	}
	if sg.VariesY() {
		_, c := t.Y.Dims()
		for _, i := range cols {
			for k := range c {
				if t.Y.At(i, k) != 0 && sigmaOf(sg.Y, sg.PerY, i, k) > 0 {
					return true
				}
			}
		}
	}
	if sg.VariesA() {
		for _, j := range cols {
			for i := range t.N() {
				if t.A.At(i, j) != 0 && sigmaOf(sg.A, sg.PerA, i, j) > 0 {
					return true
				}
			}
		}
	}
	return false
}

func sameShape(m *mat.Dense, r, c int) error {
	if m == nil {
		return fmt.Errorf("no matrix")
	}
	if mr, mc := m.Dims(); mr != r || mc != c {
		return fmt.Errorf("%d×%d, want %d×%d", mr, mc, r, c)
	}
	return nil
}
