package scenario_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/scenario"
	"github.com/mrioflow/mrioflow/pkg/table"
)

func ExampleApply() {
	t := &table.Table{
		Source:     "example",
		Regions:    []string{"north", "south"},
		Sectors:    []string{"coal", "gas"},
		Consumers:  []string{"north", "south"},
		Categories: []string{"households"},
		A:          mat.NewDense(4, 4, nil),
		Y:          mat.NewDense(4, 2, []float64{1, 1, 1, 1, 1, 1, 1, 1}),
		Extensions: []*table.Extension{{
			Name: "air", Stressors: []string{"CO2"}, Units: []string{"t"},
			S: mat.NewDense(1, 4, []float64{10, 5, 8, 4}),
		}},
	}
	err := scenario.Apply(t, []scenario.Shock{
		// Cleaner coal power everywhere.
		{Target: scenario.TargetS, Sector: "coal", Scale: 0.5},
		// The north buys a fifth less from the south.
		{Target: scenario.TargetY, Region: "north", FromRegion: "south", Scale: 0.8},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(mat.Formatted(t.Extensions[0].S))
	fmt.Println(mat.Formatted(t.Y))
	// Output:
	// [5  5  4  4]
	// ⎡  1    1⎤
	// ⎢  1    1⎥
	// ⎢0.8    1⎥
	// ⎣0.8    1⎦
}
