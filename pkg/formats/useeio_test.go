package formats

import (
	"io/fs"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestUseeio(t *testing.T) {
	tests := []struct {
		name  string
		opts  map[string]string
		wantY []float64 // 4 x 2, by (US-GA, RoUS)
	}{
		{"default demand", nil, []float64{40, 5, 35, 1, 10, 1400, 4, 590}},
		{"production demand", map[string]string{"demand": "Production_Complete", "demand_year": "2019"},
			[]float64{60, 0, 30, 0, 0, 1500, 0, 600}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := Open("useeio", filepath.Join("testdata", "useeio"), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			demand := "Consumption_Complete"
			if d := tt.opts["demand"]; d != "" {
				demand = d
			}
			labels := []struct {
				what      string
				got, want []string
			}{
				{"regions", tab.Regions, []string{"US-GA", "RoUS"}},
				{"sectors", tab.Sectors, []string{"11", "22"}},
				{"consumers", tab.Consumers, []string{"US-GA", "RoUS"}},
				{"categories", tab.Categories, []string{demand}},
			}
			for _, l := range labels {
				if !slices.Equal(l.got, l.want) {
					t.Errorf("%s = %q, want %q", l.what, l.got, l.want)
				}
			}
			sameMatrix(t, "A", tab.A, mat.NewDense(4, 4, []float64{
				0.1, 0.05, 0.01, 0,
				0.02, 0.2, 0, 0.03,
				0.05, 0, 0.15, 0.04,
				0, 0.01, 0.06, 0.25,
			}), 0)
			sameMatrix(t, "Y", tab.Y, mat.NewDense(4, 2, tt.wantY), 0)
			if want := []float64{100, 50, 2000, 900}; !slices.Equal(tab.X, want) {
				t.Errorf("X = %v, want %v (q.csv matched by label)", tab.X, want)
			}
			if want := []float64{80, 1472}; !slices.Equal(tab.RegionValueAdded, want) {
				t.Errorf("RegionValueAdded = %v, want %v", tab.RegionValueAdded, want)
			}
			if tab.Z != nil || tab.ValueAdded != nil {
				t.Errorf("Z %v, ValueAdded %v; want nil", tab.Z, tab.ValueAdded)
			}
			if len(tab.Extensions) != 1 {
				t.Fatalf("%d extensions, want 1", len(tab.Extensions))
			}
			e := tab.Extensions[0]
			if e.Name != "GHG" {
				t.Errorf("extension %q, want GHG", e.Name)
			}
			wantStressors := []string{"Carbon dioxide/emission/air/kg", "HFCs, mixed/emission/air/kg CO2e"}
			if !slices.Equal(e.Stressors, wantStressors) || !slices.Equal(e.Units, []string{"kg", "kg CO2e"}) {
				t.Errorf("stressors %q, units %q", e.Stressors, e.Units)
			}
			sameMatrix(t, "S", e.S, mat.NewDense(2, 4, []float64{0.5, 2, 0.4, 1.5, 1e-6, 0, 2.5e-6, 0}), 0)
			// B_h times each region's total Consumption_Complete demand
			// (89 and 1996), whatever the demand chosen.
			sameMatrix(t, "FY", e.FY, mat.NewDense(2, 2, []float64{0.03 * 89, 0.02 * 1996, 1e-7 * 89, 0}), 1e-15)
		})
	}
}

func TestUseeioOptionalFiles(t *testing.T) {
	dir := copyDir(t, "useeio")
	for _, f := range []string{"B_h.csv", "U.csv", "SatelliteTables_totals_by_sector_GHG.csv"} {
		remove(t, filepath.Join(dir, f))
	}
	tab, err := Open("useeio", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := tab.Extensions[0]
	if e.FY != nil || tab.RegionValueAdded != nil || e.Name != "satellite" {
		t.Errorf("FY %v, RegionValueAdded %v, name %q; want nil, nil, satellite", e.FY, tab.RegionValueAdded, e.Name)
	}
}

func TestUseeioBadInput(t *testing.T) {
	const demandHeader = ",2019_US-GA_Production_Complete,2019_US-GA_Consumption_Complete," +
		"2019_RoUS_Production_Complete,2019_RoUS_Consumption_Complete"
	runBad(t, "useeio", "useeio", []badCase{
		{name: "missing A", change: func(t *testing.T, dir string) { remove(t, filepath.Join(dir, "A.csv")) },
			want: []string{"formats: <dir>/A.csv: no such file or directory"}, kind: fs.ErrNotExist},
		{name: "missing demand file", opts: map[string]string{"demand_file": "DemandVectors_with_ExpRes.csv"},
			change: func(*testing.T, string) {},
			want:   []string{"formats: <dir>/DemandVectors_with_ExpRes.csv: no such file or directory"}, kind: fs.ErrNotExist},
		{name: "ragged row", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "B.csv"), "0.4,1.5", "0.4")
		}, want: []string{"formats: <dir>/B.csv line 2 column 5: ragged row: 4 cells, want 5 as on line 1"}, kind: ErrRagged},
		{name: "non-numeric cell", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "q.csv"), "11/US-GA,100", "11/US-GA,100a")
		}, want: []string{`formats: <dir>/q.csv line 3 column 2: not a number: "100a" (row "11/US-GA", column "q")`}, kind: ErrNotNumber},
		{name: "R missing value", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "A.csv"), "22/US-GA,0.02", "22/US-GA,NA")
		}, want: []string{`formats: <dir>/A.csv line 3 column 2: not a number: "NA" (row "22/US-GA", column "11/US-GA")`}, kind: ErrNotNumber},
		{name: "NaN", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "B_h.csv"), "0.02,0.03", "NaN,0.03")
		}, want: []string{`formats: <dir>/B_h.csv line 2 column 2: not a finite number: "NaN"`}, kind: ErrNotFinite},
		{name: "Inf", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "DemandVectors_NO_ExpRes.csv"), "22/RoUS,0,4", "22/RoUS,0,+Inf")
		}, want: []string{`DemandVectors_NO_ExpRes.csv line 5 column 3: not a finite number: "+Inf"`}, kind: ErrNotFinite},
		{name: "label without location", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "A.csv"), "\n22/US-GA,", "\n22US-GA,")
		}, want: []string{`formats: <dir>/A.csv line 3 column 1: unexpected layout: row "22US-GA" names no region and sector`}, kind: ErrLayout},
		{name: "sectors differ between regions", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "A.csv"), "\n22/RoUS,", "\n23/RoUS,")
		}, want: []string{`formats: <dir>/A.csv: labels do not agree: no row "23/US-GA"; every region needs every sector of A.csv`}, kind: ErrLabel},
		{name: "labels differ between A and B", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "B.csv"), ",22/RoUS", ",22/ROUS")
		}, want: []string{`formats: <dir>/B.csv line 1 column 5: labels do not agree: column "22/ROUS" is not a product (row) of A.csv`}, kind: ErrLabel},
		{name: "duplicated label", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "q.csv"), "22/US-GA,50", "11/US-GA,50")
		}, want: []string{`formats: <dir>/q.csv line 4 column 1: duplicated label: row "11/US-GA" appears twice (also line 3)`}, kind: ErrDuplicateLabel},
		{name: "duplicated stressor", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "B.csv"), `"HFCs, mixed/emission/air/kg CO2e"`, "Carbon dioxide/emission/air/kg")
		}, want: []string{`formats: <dir>/B.csv line 3 column 1: duplicated label: row "Carbon dioxide/emission/air/kg" appears twice (also line 2)`}, kind: ErrDuplicateLabel},
		{name: "unknown demand", opts: map[string]string{"demand": "Consumption_Domestic"}, change: func(*testing.T, string) {},
			want: []string{`formats: <dir>/DemandVectors_NO_ExpRes.csv line 1: labels do not agree: no column "2019_US-GA_Consumption_Domestic" (demand "Consumption_Domestic" of region US-GA in year 2019); the columns are 2019_US-GA_Production_Complete,`}, kind: ErrLabel},
		{name: "two years", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "DemandVectors_NO_ExpRes.csv"), demandHeader, ",2019_US-GA_Production_Complete,2020_US-GA_Consumption_Complete,"+
				"2019_RoUS_Production_Complete,2019_RoUS_Consumption_Complete")
		}, want: []string{"DemandVectors_NO_ExpRes.csv: unexpected layout: demand vectors of years 2019, 2020; choose one with the option demand_year"}, kind: ErrLayout},
		{name: "household column of an unknown region", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "B_h.csv"), "F010/RoUS", "F010/TX")
		}, want: []string{`formats: <dir>/B_h.csv line 1 column 2: labels do not agree: column "F010/TX" is not a region of A.csv`}, kind: ErrLabel},
		{name: "household row of an unknown stressor", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "B_h.csv"), "Carbon dioxide/", "Carbon monoxide/")
		}, want: []string{`formats: <dir>/B_h.csv line 2 column 1: labels do not agree: row "Carbon monoxide/emission/air/kg" is not a stressor of B.csv`}, kind: ErrLabel},
		{name: "all-zero table", change: func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "A.csv"), ",11/US-GA,22/US-GA,11/RoUS,22/RoUS\n"+
				"11/US-GA,0,0,0,0\n22/US-GA,0,0,0,0\n11/RoUS,0,0,0,0\n22/RoUS,0,0,0,0\n")
			write(t, filepath.Join(dir, "DemandVectors_NO_ExpRes.csv"), demandHeader+"\n"+
				"11/US-GA,0,0,0,0\n22/US-GA,0,0,0,0\n11/RoUS,0,0,0,0\n22/RoUS,0,0,0,0\n")
		}, want: []string{"formats: useeio: table: <dir>: A and Y are all zero"}},
		{name: "unknown option", opts: map[string]string{"demnd": "x"}, change: func(*testing.T, string) {},
			want: []string{`formats: useeio: unknown option "demnd" (known: demand, demand_file, demand_year)`}},
		{name: "demand file outside the folder", opts: map[string]string{"demand_file": "../d.csv"}, change: func(*testing.T, string) {},
			want: []string{`formats: useeio: demand_file "../d.csv" must be a file name in the model's folder`}},
	})
}
