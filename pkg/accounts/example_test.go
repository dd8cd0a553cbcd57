package accounts_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// Two regions of one sector each, in flow form, with one stressor.
func ExampleCompute() {
	t := &table.Table{
		Source:     "example",
		Regions:    []string{"north", "south"},
		Sectors:    []string{"goods"},
		Consumers:  []string{"north", "south"},
		Categories: []string{"households"},
		Z:          mat.NewDense(2, 2, []float64{10, 20, 5, 15}),
		Y:          mat.NewDense(2, 2, []float64{50, 20, 30, 50}),
		Extensions: []*table.Extension{{
			Name: "air", Stressors: []string{"CO2"}, Units: []string{"t"},
			F: mat.NewDense(1, 2, []float64{100, 40}),
		}},
	}
	res, err := accounts.Compute(t, accounts.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	e := res.Extensions[0]
	for r, name := range res.Regions {
		fmt.Printf("%s: production %.1f, consumption %.1f, net exports %.1f\n",
			name, e.Production.At(0, r), e.Consumption.At(0, r), e.NetExports.At(0, r))
	}
	// Output:
	// north: production 100.0, consumption 79.9, net exports 20.1
	// south: production 40.0, consumption 60.1, net exports -20.1
}

func ExampleComputeGroups() {
	res := &accounts.Result{
		Regions:   []string{"a", "b", "c"},
		Consumers: []string{"a", "b", "c"},
		Extensions: []*accounts.Extension{{
			Name: "air", Stressors: []string{"CO2"},
			Flows: []*mat.Dense{mat.NewDense(3, 3, []float64{
				6, 2, 2,
				1, 3, 0,
				0, 0, 5,
			})},
		}},
	}
	gs, err := accounts.ComputeGroups(res, []string{"west"}, map[string]string{"a": "west", "b": "west"})
	if err != nil {
		fmt.Println(err)
		return
	}
	g := gs[0]
	fmt.Println(g.Names)
	fmt.Println(mat.Formatted(g.Value[0]))
	fmt.Printf("share of west's emissions for west's demand: %.3f\n", g.Share[0].At(0, 0))
	// Output:
	// [west other]
	// ⎡12   2⎤
	// ⎣ 0   5⎦
	// share of west's emissions for west's demand: 0.857
}
