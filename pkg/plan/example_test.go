package plan_test

import (
	"fmt"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

func ExampleMake() {
	job := &spec.Job{
		Job:    "ga",
		Output: "out",
		Tables: []spec.Table{
			{Year: "2019", Format: "useeio", Path: "tables/2019"},
			{Year: "2020", Format: "useeio", Path: "tables/2020"},
		},
		Scenarios: []spec.Scenario{
			{Name: "baseline"},
			{Name: "cleaner", Shocks: []spec.Shock{{Target: spec.TargetS, Region: "US-GA", Scale: 0.8}}},
		},
	}
	tasks, err := plan.Make(job, plan.Options{Run: "r1", Format: "parquet"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range tasks {
		fmt.Println(t.ID(), t.Format)
	}
	// Output:
	// ga/2019/baseline/all parquet
	// ga/2019/cleaner/all parquet
	// ga/2020/baseline/all parquet
	// ga/2020/cleaner/all parquet
}
