package scenario

import (
	"fmt"
	"math"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// MonteCarlo is a scenario of random draws around a table. Every draw
// multiplies each selected non-zero entry of S, Y and A by its own
// lognormal factor of mean one,
//
//	f = exp(σ z - σ²/2),   z standard normal,
//
// with σ taken per target from Sigma. Package montecarlo computes the
// draws and their summaries; this type only says what varies.
type MonteCarlo struct {
	// Draws is the number of draws, at least 1.
	Draws int
	// Seed, with the year, the scenario's name and the draw's number,
	// fixes the random numbers of a draw.
	Seed uint64
	// Sigma is the standard deviation of log f for each target.
	Sigma Sigma
	// Region and Sector (a shell pattern, as for a Shock) select producing
	// sectors; empty selects all. S and A vary in the columns of the
	// selected sectors, Y in their rows: the final demand of every
	// consumer for the selected products.
	Region, Sector string
}

// Sigma holds the standard deviation of the log of the factors, per target.
// Zero leaves a target fixed.
type Sigma struct {
	S, Y, A float64
}

// String describes the scenario for error messages.
func (mc MonteCarlo) String() string {
	out := fmt.Sprintf("montecarlo: %d draws, seed %d, sigma S %g, Y %g, A %g",
		mc.Draws, mc.Seed, mc.Sigma.S, mc.Sigma.Y, mc.Sigma.A)
	if mc.Region != "" {
		out += fmt.Sprintf(", region %q", mc.Region)
	}
	if mc.Sector != "" {
		out += fmt.Sprintf(", sector %q", mc.Sector)
	}
	return out
}

// Check returns an error when mc cannot describe any table's draws: fewer
// than one draw, a sigma that is negative or not finite, or no sigma above
// zero.
func (mc MonteCarlo) Check() error {
	if mc.Draws < 1 {
		return fmt.Errorf("scenario: %v: draws must be at least 1", mc)
	}
	varies := false
	for _, s := range []struct {
		target string
		v      float64
	}{{TargetS, mc.Sigma.S}, {TargetY, mc.Sigma.Y}, {TargetA, mc.Sigma.A}} {
		if math.IsNaN(s.v) || math.IsInf(s.v, 0) || s.v < 0 {
			return fmt.Errorf("scenario: %v: sigma of %s must be finite and at least 0", mc, s.target)
		}
		varies = varies || s.v > 0
	}
	if !varies {
		return fmt.Errorf("scenario: %v: no sigma above 0, so no draw would differ from the table", mc)
	}
	return nil
}

// Sectors checks mc against t and returns the region-major indices of the
// producing sectors it selects, in ascending order. Besides Check's errors
// it returns one, naming the table, for an unknown region or one that only
// consumes, a malformed sector pattern or one that matches no sector, and
// a target the table lacks (A, or extensions with S, for a sigma above 0).
func (mc MonteCarlo) Sectors(t *table.Table) ([]int, error) {
	if err := mc.Check(); err != nil {
		return nil, err
	}
	switch {
	case mc.Sigma.A > 0 && t.A == nil:
		return nil, errorf(t, "%v: sigma of A above 0, but the table has no A", mc)
	case mc.Sigma.S > 0 && len(t.Extensions) == 0:
		return nil, errorf(t, "%v: sigma of S above 0, but the table has no extensions", mc)
	}
	for _, e := range t.Extensions {
		if mc.Sigma.S > 0 && e.S == nil {
			return nil, errorf(t, "%v: extension %q has no S", mc, e.Name)
		}
	}
	cols, err := producers(t, mc.Region, mc.Sector)
	if err != nil {
		return nil, errorf(t, "%v: %w", mc, err)
	}
	return cols, nil
}
