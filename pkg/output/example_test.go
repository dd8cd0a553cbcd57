package output_test

import (
	"fmt"

	"github.com/mrioflow/mrioflow/pkg/montecarlo"
	"github.com/mrioflow/mrioflow/pkg/output"
)

func ExampleEncode() {
	res, groups := fixture(1)
	data, rows, err := output.Encode(output.Flows, output.Arrow, res, groups)
	if err != nil {
		fmt.Println(err)
		return
	}
	key := output.Key("2019", "base", output.Flows, output.Arrow)
	fmt.Println(key, rows, "rows")

	tbl, err := output.ReadTable(data, output.Arrow)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tbl.Release()
	for _, f := range tbl.Schema().Fields() {
		fmt.Printf("%s %s\n", f.Name, f.Type)
	}
	// Output:
	// year=2019/scenario=base/flows.arrow 18 rows
	// extension utf8
	// stressor utf8
	// unit utf8
	// from_region utf8
	// to_region utf8
	// value float64
}

func ExampleEncodeSummary() {
	labels := []montecarlo.Label{
		{Account: montecarlo.Production, Extension: "air", Stressor: "CO2", Region: "A"},
		{Account: montecarlo.Flows, Extension: "air", Stressor: "CO2", Region: "A", ToRegion: "B"},
	}
	draws := &montecarlo.Samples{Labels: labels, Count: 3, Values: []float64{
		4, 1,
		5, 2,
		6, 3,
	}}
	units := map[[2]string]string{{"air", "CO2"}: "kg"}
	data, n, err := output.EncodeSummary(montecarlo.Summarize(draws), units, output.Arrow)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(output.Key("2019", "mc", output.Summary, output.Arrow), n, "rows")

	tbl, err := output.ReadTable(data, output.Arrow)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tbl.Release()
	fmt.Println(tbl.Schema().Fields()[0].Name, tbl.NumCols(), "columns")
	// Output:
	// year=2019/scenario=mc/summary.arrow 2 rows
	// account 12 columns
}
