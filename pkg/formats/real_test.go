package formats

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// TestRealPymrio reads pymrio's test MRIO as its save_all wrote it.
func TestRealPymrio(t *testing.T) {
	dir := filepath.Join(sharedData(t), "pymrio-test-mrio", "saved")
	tab, err := Open("pymrio", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Regions) != 6 || len(tab.Sectors) != 8 || len(tab.Categories) != 7 || len(tab.Consumers) != 6 {
		t.Fatalf("%d regions, %d sectors, %d categories, %d consumers; want 6, 8, 7, 6",
			len(tab.Regions), len(tab.Sectors), len(tab.Categories), len(tab.Consumers))
	}
	if tab.Regions[5] != "reg6" || tab.Sectors[2] != "manufactoring" || tab.Categories[6] != "Export" {
		t.Errorf("labels %q, %q, %q", tab.Regions, tab.Sectors, tab.Categories)
	}
	if len(tab.Extensions) != 2 {
		t.Fatalf("%d extensions, want 2", len(tab.Extensions))
	}
	em, fi := tab.Extensions[0], tab.Extensions[1]
	if em.Name != "emissions" || !slices.Equal(em.Stressors, []string{"emission_type1/air", "emission_type2/water"}) ||
		!slices.Equal(em.Units, []string{"kg", "kg"}) {
		t.Errorf("emissions: %q %q %q", em.Name, em.Stressors, em.Units)
	}
	if fi.Name != "factor_inputs" || !slices.Equal(fi.Stressors, []string{"Value Added"}) || fi.Units[0] != "Mill USD" {
		t.Errorf("factor_inputs: %q %q %q", fi.Name, fi.Stressors, fi.Units)
	}
	m := len(tab.Sectors)
	cells := []cell{
		{"Z[reg1/food, reg1/food]", tab.Z.At(0, 0), 23697.221},
		{"Z[reg1/mining, reg1/food]", tab.Z.At(1, 0), 257.18317},
		{"Z[reg1/food, reg2/food]", tab.Z.At(0, m), 1347.6682},
		{"Y[reg1/food, reg1/households]", tab.Y.At(0, 0), yCell(t, dir, 0, 0)},
		{"F[emission_type1/air, reg1/food]", em.F.At(0, 0), 1848064.8},
		{"F[emission_type2/water, reg1/mining]", em.F.At(1, 1), 22343.295},
		{"F_Y[emission_type1/air, reg2/households]", em.FY.At(0, 7), 38566929},
		{"F_Y[emission_type2/water, reg6/households]", em.FY.At(1, 35), 163362050},
		{"value added reg1/food", tab.ValueAdded[0], 111490.88},
		{"value added reg2/food", tab.ValueAdded[m], 74141.167},
	}
	checkCells(t, cells)
	if tab.X != nil || tab.A != nil {
		t.Errorf("the saved test MRIO has no x or A; got X %v", tab.X)
	}
}

// yCell reads one number of Y.txt by position, independently of the reader.
func yCell(t *testing.T, dir string, i, j int) float64 {
	t.Helper()
	rows := readAll(t, filepath.Join(dir, "Y.txt"), '\t')
	v, err := strconv.ParseFloat(rows[3+i][2+j], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func readAll(t *testing.T, file string, comma rune) [][]string {
	t.Helper()
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.Comma = comma
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestRealUseeio reads the two-region Georgia model.
func TestRealUseeio(t *testing.T) {
	dir := filepath.Join(sharedData(t), "useeior-ga-2r-2019", "csv")
	tab, err := Open("useeio", dir, map[string]string{"demand": "Consumption_Complete"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.Regions, []string{"US-GA", "RoUS"}) || len(tab.Sectors) != 73 {
		t.Fatalf("regions %q, %d sectors; want US-GA, RoUS and 73", tab.Regions, len(tab.Sectors))
	}
	e := tab.Extensions[0]
	if e.Name != "GHG" || len(e.Stressors) != 16 {
		t.Fatalf("extension %q with %d stressors, want GHG with 16", e.Name, len(e.Stressors))
	}
	if e.Stressors[9] != "HFCs and PFCs, unspecified/emission/air/kg CO2e" || e.Units[9] != "kg CO2e" || e.Units[0] != "kg" {
		t.Errorf("stressor 10 %q in %q; unit 1 %q", e.Stressors[9], e.Units[9], e.Units[0])
	}
	m := len(tab.Sectors)
	cells := []cell{
		{"A[111CA/US-GA, 111CA/US-GA]", tab.A.At(0, 0), 0.07912050010576767},
		{"A[111CA/US-GA, 113FF/US-GA]", tab.A.At(0, 1), 0.004951621910241234},
		{"S[CO2, 111CA/US-GA]", e.S.At(0, 0), 0.0749387955304077},
		{"S[CO2, 22/US-GA]", e.S.At(0, 5), 2.0483916643294533},
		{"x[111CA/US-GA]", tab.X[0], 7738350875.123274},
		{"Y[111CA/US-GA, US-GA]", tab.Y.At(0, 0), 1584605083.065176},
		{"Y[113FF/US-GA, RoUS]", tab.Y.At(1, 1), 1350897.521364212},
	}
	checkCells(t, cells)
	if tab.Sectors[5] != "22" {
		t.Errorf("sector 6 = %q, want 22", tab.Sectors[5])
	}

	// FY must give the household (F010) totals of the model's satellite
	// table: per SOURCE.md, exactly.
	want := map[[2]string]float64{}
	for _, row := range readAll(t, filepath.Join(dir, "SatelliteTables_totals_by_sector_GHG.csv"), ',')[1:] {
		if row[4] != "F010" {
			continue
		}
		v, err := strconv.ParseFloat(row[6], 64)
		if err != nil {
			t.Fatal(err)
		}
		want[[2]string{row[0] + "/" + row[1] + "/" + row[7], row[5]}] += v
	}
	if len(want) == 0 {
		t.Fatal("no household rows in the satellite table")
	}
	for s, label := range e.Stressors {
		for r, region := range tab.Regions {
			got, w := e.FY.At(s, r), want[[2]string{label, region}]
			if math.Abs(got-w) > 1e-12*math.Abs(w) {
				t.Errorf("FY[%s, %s] = %v, want %v (difference %g)", label, region, got, w, got-w)
			}
		}
	}

	// Value added from U's rows by industry against x (1 - colsum A) by
	// commodity (MATH.md 12): the same totals, up to the model's
	// commodity-industry conversion.
	for r, region := range tab.Regions {
		derived := 0.0
		for j := r * m; j < (r+1)*m; j++ {
			col := 0.0
			for i := range tab.N() {
				col += tab.A.At(i, j)
			}
			derived += tab.X[j] * (1 - col)
		}
		got := tab.RegionValueAdded[r]
		if d := math.Abs(got-derived) / derived; d > 1e-5 {
			t.Errorf("value added of %s = %v, x (1 - colsum A) = %v (relative difference %g)", region, got, derived, d)
		}
	}
}

// cell is one number read, and the number the source file holds.
type cell struct {
	what      string
	got, want float64
}

func checkCells(t *testing.T, cells []cell) {
	t.Helper()
	for _, c := range cells {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
}
