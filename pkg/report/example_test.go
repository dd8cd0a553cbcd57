package report

import (
	"context"
	"fmt"
	"io"
	"os"
)

// Build a report over a local folder and write it as one HTML page.
func ExampleBuild() {
	root, err := os.MkdirTemp("", "report-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(root)
	fx := newFixture()
	fx.failed[part{"2011", "tax"}] = "worker lost"
	if err := fx.write(root); err != nil {
		panic(err)
	}

	rep, err := Build(context.Background(), dirSource{root}, Options{Job: "demo", Stressor: "CO2"})
	if err != nil {
		panic(err)
	}
	if err := rep.WriteHTML(io.Discard); err != nil {
		panic(err)
	}
	fmt.Println("stressor:", rep.Header.Stressor, "in", rep.Header.Stressor.Unit)
	for _, f := range rep.Figures {
		if f.Note != "" {
			fmt.Printf("%s: %s\n", f.ID, f.Note)
		} else {
			fmt.Printf("%s: drawn, %d table rows\n", f.ID, len(f.Table.Rows))
		}
	}
	// Output:
	// stressor: emissions / CO2 in kt
	// production-consumption-2010: drawn, 4 table rows
	// production-consumption-2011: drawn, 4 table rows
	// net-exports: drawn, 4 table rows
	// flow-matrix: drawn, 3 table rows
	// group-flows: drawn, 6 table rows
	// consumer-shares: drawn, 3 table rows
	// intensities: drawn, 4 table rows
	// over-time: drawn, 8 table rows
	// scenario-tax: The task for year 2011, scenario tax failed: worker lost.
	// monte-carlo-baseline: drawn, 12 table rows
}
