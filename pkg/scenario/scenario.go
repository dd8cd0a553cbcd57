package scenario

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// The targets a Shock may scale.
const (
	TargetS = "S" // stressor intensities of producing sectors: columns of every S
	TargetA = "A" // inputs of producing sectors: columns of A
	TargetY = "Y" // final demand of consumers: columns of Y
)

// Shock scales one part of a table in coefficient form. Empty fields select
// everything; the job spec's shocks map onto it field by field.
type Shock struct {
	// Target is TargetS, TargetA or TargetY.
	Target string
	// Region is a producing region for S and A, a consumer for Y.
	Region string
	// Sector is a shell-style pattern (path.Match) on the sector code of
	// the producing sectors; S and A only.
	Sector string
	// FromRegion and FromSector (a pattern) restrict a Y shock to products
	// made in that region and sector; Y only.
	FromRegion, FromSector string
	// Scale multiplies what is selected; finite and at least 0.
	Scale float64
}

// String describes the shock for error messages.
func (s Shock) String() string {
	out := "target " + s.Target
	for _, f := range []struct{ name, v string }{
		{"region", s.Region}, {"sector", s.Sector}, {"from_region", s.FromRegion}, {"from_sector", s.FromSector},
	} {
		if f.v != "" {
			out += fmt.Sprintf(", %s %q", f.name, f.v)
		}
	}
	return out + fmt.Sprintf(", scale %g", s.Scale)
}

// part is a block a shock scales: the given rows × cols of m.
type part struct {
	m          *mat.Dense
	rows, cols []int
}

// Apply scales t in place by each shock, in order; shocks compound
// multiplicatively. t must be in coefficient form (Coefficients has run).
//
// A shock on A or Y leaves the table's output x out of balance with A and
// Y, so Apply sets t.X to nil; the accounts then use the output that final
// demand calls for.
//
// Apply checks every shock before it changes anything: it returns an error,
// naming the table and the shock (1-based), for a table in flow form, an
// unknown target, a negative or non-finite scale, an unknown region, a
// malformed pattern or one that matches no sector, a field the target does
// not take, and an A or S that the table lacks. t is unchanged then.
func Apply(t *table.Table, shocks []Shock) error {
	if len(shocks) == 0 {
		return nil
	}
	if t.Z != nil {
		return errorf(t, "shocks need a table in coefficient form; this one is in flow form")
	}
	parts := make([][]part, len(shocks))
	for i, s := range shocks {
		p, err := resolve(t, s)
		if err != nil {
			return errorf(t, "shock %d (%v): %w", i+1, s, err)
		}
		parts[i] = p
	}
	for i, s := range shocks {
		for _, p := range parts[i] {
			for _, r := range p.rows {
				row := p.m.RawRowView(r)
				for _, c := range p.cols {
					row[c] *= s.Scale
				}
			}
		}
		if s.Target != TargetS {
			// TODO(scenario-value-added): a table's own value added stays
			// at its base-year level under A and Y shocks. Keeping value
			// added per unit of output (ValueAdded / x) and scaling it by
			// x~ in the accounts would let it follow the scenario.
			t.X = nil
		}
	}
	return nil
}

// resolve finds the blocks a shock scales.
func resolve(t *table.Table, s Shock) ([]part, error) {
	if math.IsNaN(s.Scale) || math.IsInf(s.Scale, 0) || s.Scale < 0 {
		return nil, fmt.Errorf("scale must be finite and at least 0")
	}
	switch s.Target {
	case TargetS, TargetA:
		if s.FromRegion != "" || s.FromSector != "" {
			return nil, fmt.Errorf("from_region and from_sector apply to target Y only")
		}
		cols, err := producers(t, s.Region, s.Sector)
		if err != nil {
			return nil, err
		}
		if s.Target == TargetA {
			if t.A == nil {
				return nil, fmt.Errorf("the table has no A")
			}
			return []part{{t.A, upTo(t.N()), cols}}, nil
		}
		if len(t.Extensions) == 0 {
			return nil, fmt.Errorf("the table has no extensions")
		}
		var parts []part
		for _, e := range t.Extensions {
			if e.S == nil {
				return nil, fmt.Errorf("extension %q has no S", e.Name)
			}
			parts = append(parts, part{e.S, upTo(len(e.Stressors)), cols})
		}
		return parts, nil
	case TargetY:
		if s.Sector != "" {
			return nil, fmt.Errorf("sector applies to targets S and A; use from_sector to select products")
		}
		rows, err := producers(t, s.FromRegion, s.FromSector)
		if err != nil {
			return nil, err
		}
		consumers := upTo(len(t.Consumers))
		if s.Region != "" {
			c, ok := t.ConsumerIndex(s.Region)
			if !ok {
				return nil, fmt.Errorf("unknown consuming region %q", s.Region)
			}
			consumers = []int{c}
		}
		nc := len(t.Categories)
		var cols []int
		for _, c := range consumers {
			for k := range nc {
				cols = append(cols, c*nc+k)
			}
		}
		return []part{{t.Y, rows, cols}}, nil
	}
	return nil, fmt.Errorf("unknown target %q; want S, A or Y", s.Target)
}

// producers returns the region-major indices of the producing sectors in
// region (all when empty) whose code matches pattern (all when empty).
func producers(t *table.Table, region, pattern string) ([]int, error) {
	regions := upTo(len(t.Regions))
	if region != "" {
		r, ok := t.RegionIndex(region)
		if !ok {
			if _, consumer := t.ConsumerIndex(region); consumer {
				return nil, fmt.Errorf("region %q consumes but does not produce", region)
			}
			return nil, fmt.Errorf("unknown region %q", region)
		}
		regions = []int{r}
	}
	sectors := upTo(len(t.Sectors))
	if pattern != "" {
		var err error
		if sectors, err = t.MatchSectors(pattern); err != nil {
			return nil, err
		}
	}
	m := len(t.Sectors)
	out := make([]int, 0, len(regions)*len(sectors))
	for _, r := range regions {
		for _, j := range sectors {
			out = append(out, r*m+j)
		}
	}
	return out, nil
}

// upTo returns 0, 1, ..., n-1.
func upTo(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// errorf returns an error prefixed with the package and the table's source.
func errorf(t *table.Table, format string, args ...any) error {
	if t.Source == "" {
		return fmt.Errorf("scenario: "+format, args...)
	}
	return fmt.Errorf("scenario: %s: "+format, append([]any{t.Source}, args...)...)
}
