package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/formats"
	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/montecarlo"
	"github.com/mrioflow/mrioflow/pkg/scenario"
)

// drawCosts times Monte Carlo draws of each kind on the table of o,
// against lu, the time of the job's factorization of the same matrix.
// The table is read again (not timed) and copied for each engine.
func drawCosts(ctx context.Context, o childOrder, be leontief.Backend, lu float64) ([]DrawCost, error) {
	t, err := formats.Open("pymrio", o.Dir, nil)
	if err != nil {
		return nil, err
	}
	if _, err := accounts.Coefficients(t); err != nil {
		return nil, err
	}
	m := o.N / o.Options.Regions
	kinds := []struct {
		sigma          scenario.Sigma
		region, sector string
		draws          int
	}{
		{scenario.Sigma{S: 0.2}, "", "", 1000 * o.Options.Draws},
		{scenario.Sigma{Y: 0.05}, "", "", o.Options.Draws},
		{scenario.Sigma{A: 0.1}, t.Regions[0], onePercent(m), o.Options.Draws},
		{scenario.Sigma{A: 0.1}, "", "", max(1, o.Options.Draws/2)},
	}
	var out []DrawCost
	for _, k := range kinds {
		warm := 0
		if k.sigma.S > 0 {
			warm = 256
		}
		mc := scenario.MonteCarlo{Draws: k.draws + warm, Seed: 1, Sigma: k.sigma, Region: k.region, Sector: k.sector}
		e, err := montecarlo.New(t.Clone(), mc, montecarlo.Options{Year: "bench", Scenario: "bench", Backend: be})
		if err != nil {
			return nil, err
		}
		if warm > 0 {
			// Untimed draws first warm the caches and the workers'
			// scratch, as the first draws of every task do; the draws
			// that follow are what is timed.
			if _, err := e.Run(ctx, k.draws, warm); err != nil {
				return nil, err
			}
		}
		start := time.Now()
		if _, err := e.Run(ctx, 0, k.draws); err != nil {
			return nil, err
		}
		per := time.Since(start).Seconds() / float64(k.draws)
		out = append(out, DrawCost{Kind: e.Kind().String(), Columns: len(e.Columns()), Draws: k.draws, Seconds: per, PerLU: per / lu})
	}
	return out, nil
}

// onePercent returns a pattern on synth's sector codes (s000, s001, ...)
// that selects about half of a region's m sectors, which for 49 regions
// is about 1 % of the columns: the first ten, twenty, ... sectors.
func onePercent(m int) string {
	tens := min(10, max(1, (m+10)/20))
	return fmt.Sprintf("s0[0-%d]?", tens-1)
}
