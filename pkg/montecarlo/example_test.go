package montecarlo_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/montecarlo"
	"github.com/mrioflow/mrioflow/pkg/scenario"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// A thousand draws of the emission intensities of the north's power
// sector, around a two-region table: the spread of each region's
// consumption-based emissions.
func Example() {
	t := &table.Table{
		Source:     "example",
		Regions:    []string{"north", "south"},
		Sectors:    []string{"farm", "power"},
		Consumers:  []string{"north", "south"},
		Categories: []string{"households"},
		A: mat.NewDense(4, 4, []float64{
			0.10, 0.05, 0.02, 0.00,
			0.10, 0.05, 0.00, 0.01,
			0.02, 0.00, 0.15, 0.05,
			0.00, 0.02, 0.10, 0.05,
		}),
		Y: mat.NewDense(4, 2, []float64{
			80, 10,
			50, 5,
			10, 70,
			5, 40,
		}),
		Extensions: []*table.Extension{{
			Name: "air", Stressors: []string{"CO2"}, Units: []string{"t"},
			S: mat.NewDense(1, 4, []float64{0.1, 2.0, 0.2, 1.5}),
		}},
	}
	mc := scenario.MonteCarlo{Draws: 1000, Seed: 7, Sigma: scenario.Sigma{S: 0.2}, Region: "north", Sector: "power"}
	e, err := montecarlo.New(t, mc, montecarlo.Options{Year: "2020", Scenario: "mc"})
	if err != nil {
		fmt.Println(err)
		return
	}
	samples, err := e.Run(context.Background(), 0, mc.Draws)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Kind(), "draws")
	for _, row := range montecarlo.Summarize(samples) {
		if row.Account == montecarlo.Consumption {
			fmt.Printf("%s of %s: mean %.1f, 90 %% within [%.1f, %.1f]\n", row.Account, row.Region, row.Mean, row.P05, row.P95)
		}
	}
	// Output:
	// S-only draws
	// consumption of north: mean 148.7, 90 % within [111.7, 197.5]
	// consumption of south: mean 109.8, 90 % within [105.5, 115.4]
}
