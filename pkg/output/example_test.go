package output_test

import (
	"fmt"

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
