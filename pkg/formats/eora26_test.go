package formats

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestEora26Mock reads the Eora26 mock, which holds pymrio's test MRIO:
// the same Z, Y, F, F_Y and value added as pymrio's saved copy of it.
func TestEora26Mock(t *testing.T) {
	dir := filepath.Join(sharedData(t), "format-mocks", "eora26_mock")
	tab, err := Open("eora26", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := testMrioSaved(t)
	if !slices.Equal(tab.Regions, ref.Regions) || !slices.Equal(tab.Sectors, ref.Sectors) ||
		!slices.Equal(tab.Categories, ref.Categories) || !slices.Equal(tab.Consumers, ref.Consumers) {
		t.Fatalf("labels %q %q %q, want those of the test MRIO", tab.Regions, tab.Sectors, tab.Categories)
	}
	sameMatrix(t, "Z", tab.Z, ref.Z, 0)
	sameMatrix(t, "Y", tab.Y, ref.Y, 0)
	q, va := tab.Extensions[0], tab.Extensions[1]
	if q.Name != "Q" || !slices.Equal(q.Stressors, []string{"I-GHG-CO2 emissions/emission_type1", "I-GHG-CO2 emissions/emission_type2"}) ||
		!slices.Equal(q.Units, []string{"kg", "kg"}) {
		t.Errorf("Q: %q %q %q", q.Name, q.Stressors, q.Units)
	}
	sameMatrix(t, "Q", q.F, ref.Extensions[0].F, 0)
	sameMatrix(t, "QY", q.FY, ref.Extensions[0].FY, 0)
	if va.Name != "VA" || !slices.Equal(va.Stressors, []string{"Primary Inputs/Value Added"}) || va.Units[0] != "Mill USD" {
		t.Errorf("VA: %q %q %q", va.Name, va.Stressors, va.Units)
	}
	if !slices.Equal(tab.ValueAdded, ref.ValueAdded) {
		t.Errorf("value added %v, want %v", tab.ValueAdded, ref.ValueAdded)
	}
	if tab.Notes != nil {
		t.Errorf("notes %q for a table with no discrepancy", tab.Notes)
	}
}

// eoraFixture writes a 2-region, 2-sector Eora26 year with the
// discrepancy region ROW (one sector, two categories) into dir. Its
// numbers: T[i][j] = 10 i + j + 1, FD[i][j] = 100 + 10 i + j, one VA and
// one Q row of 1000 + j, QY of 2000 + j.
func eoraFixture(t *testing.T, dir string) {
	t.Helper()
	labelsT := "Region A\tRA\tIndustries\ts1\nRegion A\tRA\tIndustries\ts2\n" +
		"Region B\tRB\tIndustries\ts1\nRegion B\tRB\tIndustries\ts2\nRest of the World\tROW\tIndustries\tTOTAL\n"
	labelsFD := "Region A\tRA\tFinal Demand\thh\nRegion A\tRA\tFinal Demand\tgov\n" +
		"Region B\tRB\tFinal Demand\thh\nRegion B\tRB\tFinal Demand\tgov\n" +
		"Rest of the World\tROW\tFinal Demand\thh\nRest of the World\tROW\tFinal Demand\tgov\n"
	grid := func(rows, cols int, v func(i, j int) float64) string {
		var b strings.Builder
		for i := range rows {
			for j := range cols {
				if j > 0 {
					b.WriteString("\t")
				}
				b.WriteString(fmtNum(v(i, j)))
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	files := map[string]string{
		"labels_T.txt":          labelsT,
		"labels_FD.txt":         labelsFD,
		"labels_VA.txt":         "Primary Inputs\tCompensation of employees D.1\n",
		"labels_Q.txt":          "Total CO2 emissions from EDGAR (Gg)\tTotal\t\n",
		"Eora26_2015_bp_T.txt":  grid(5, 5, func(i, j int) float64 { return float64(10*i + j + 1) }),
		"Eora26_2015_bp_FD.txt": grid(5, 6, func(i, j int) float64 { return float64(100 + 10*i + j) }),
		"Eora26_2015_bp_VA.txt": grid(1, 5, func(_, j int) float64 { return float64(1000 + j) }),
		"Eora26_2015_bp_Q.txt":  grid(1, 5, func(_, j int) float64 { return float64(1000 + j) }),
		"Eora26_2015_bp_QY.txt": grid(1, 6, func(_, j int) float64 { return float64(2000 + j) }),
	}
	for name, content := range files {
		write(t, filepath.Join(dir, name), content)
	}
}

func TestEora26Discrepancy(t *testing.T) {
	dir := t.TempDir()
	eoraFixture(t, dir)
	tab, err := Open("eora26", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.Regions, []string{"RA", "RB"}) || !slices.Equal(tab.Consumers, []string{"RA", "RB"}) ||
		!slices.Equal(tab.Sectors, []string{"s1", "s2"}) || !slices.Equal(tab.Categories, []string{"hh", "gov"}) {
		t.Fatalf("labels %q %q %q %q", tab.Regions, tab.Consumers, tab.Sectors, tab.Categories)
	}
	wantZ := mat.NewDense(4, 4, nil)
	wantY := mat.NewDense(4, 4, nil)
	for i := range 4 {
		for j := range 4 {
			wantZ.Set(i, j, float64(10*i+j+1))
			wantY.Set(i, j, float64(100+10*i+j))
		}
	}
	sameMatrix(t, "Z", tab.Z, wantZ, 0)
	sameMatrix(t, "Y", tab.Y, wantY, 0)
	q := tab.Extensions[0]
	if q.Stressors[0] != "Total CO2 emissions from EDGAR/Total" || q.Units[0] != "Gg" {
		t.Errorf("Q stressor %q in %q", q.Stressors[0], q.Units[0])
	}
	sameMatrix(t, "QY", q.FY, mat.NewDense(1, 4, []float64{2000, 2001, 2002, 2003}), 0)
	// What was set aside: T's ROW row (41..45) and column (5, 15, 25, 35;
	// 45 counted once), FD's ROW row and columns, one entry of VA and Q,
	// two of QY.
	want := map[string]float64{
		"Eora26_2015_bp_T.txt":  41 + 42 + 43 + 44 + 45 + 5 + 15 + 25 + 35,
		"Eora26_2015_bp_FD.txt": 140 + 141 + 142 + 143 + 144 + 145 + 104 + 105 + 114 + 115 + 124 + 125 + 134 + 135,
		"Eora26_2015_bp_VA.txt": 1004,
		"Eora26_2015_bp_Q.txt":  1004,
		"Eora26_2015_bp_QY.txt": 2004 + 2005,
	}
	if len(tab.Notes) != len(want) {
		t.Fatalf("notes %q, want one per file", tab.Notes)
	}
	for file, amount := range want {
		w := file + ": the entries of the statistical discrepancy ROW set aside, " + fmtNum(amount) + " in all"
		if !slices.Contains(tab.Notes, w) {
			t.Errorf("notes %q lack %q", tab.Notes, w)
		}
	}
	full, err := Open("eora26", dir, map[string]string{"country_names": "full"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(full.Regions, []string{"Region A", "Region B"}) {
		t.Errorf("regions by full name %q", full.Regions)
	}
}

// TestEora26Zip reads the mock from a zip archive of the data, with the
// labels in the archive, in indices.zip beside it, and beside it
// unpacked.
func TestEora26Zip(t *testing.T) {
	mock := filepath.Join(sharedData(t), "format-mocks", "eora26_mock")
	want, err := Open("eora26", mock, nil)
	if err != nil {
		t.Fatal(err)
	}
	split := func(t *testing.T) (data, labels string) {
		data, labels = t.TempDir(), t.TempDir()
		entries, _ := os.ReadDir(mock)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(mock, e.Name()))
			to := data
			if strings.HasPrefix(e.Name(), "labels_") {
				to = labels
			}
			write(t, filepath.Join(to, e.Name()), string(b))
		}
		return data, labels
	}
	tests := []struct {
		name  string
		setup func(t *testing.T) string
	}{
		{"labels inside", func(t *testing.T) string { return zipDir(t, mock, "") }},
		{"indices.zip beside", func(t *testing.T) string {
			data, labels := split(t)
			z := zipDir(t, data, "")
			idx := zipDir(t, labels, "")
			if err := os.Rename(idx, filepath.Join(filepath.Dir(z), "indices.zip")); err != nil {
				t.Fatal(err)
			}
			return z
		}},
		{"labels unpacked beside", func(t *testing.T) string {
			data, labels := split(t)
			z := zipDir(t, data, "")
			entries, _ := os.ReadDir(labels)
			for _, e := range entries {
				b, _ := os.ReadFile(filepath.Join(labels, e.Name()))
				write(t, filepath.Join(filepath.Dir(z), e.Name()), string(b))
			}
			return z
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Open("eora26", tt.setup(t), nil)
			if err != nil {
				t.Fatal(err)
			}
			sameTables(t, got, want)
		})
	}
}

func TestEora26BadInput(t *testing.T) {
	tests := []dirCase{
		{"missing label file", func(t *testing.T, dir string) { remove(t, filepath.Join(dir, "labels_FD.txt")) }, nil,
			"<dir>/labels_FD.txt: file does not exist; Eora26 names its rows and columns in labels_T.txt", fs.ErrNotExist},
		{"missing data file", func(t *testing.T, dir string) { remove(t, filepath.Join(dir, "Eora26_2015_bp_QY.txt")) }, nil,
			"<dir>/Eora26_2015_bp_QY.txt: file does not exist", fs.ErrNotExist},
		{"no such year", func(*testing.T, string) {}, map[string]string{"year": "2016"},
			"<dir>: file does not exist: no Eora26 files of year 2016", fs.ErrNotExist},
		{"two years", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "Eora26_2016_bp_T.txt"), "1\n")
		}, nil, "<dir>: unexpected layout: Eora26 files of 2015_bp, 2016_bp; choose with the options year and price", ErrLayout},
		{"a column too many", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Eora26_2015_bp_T.txt"), "\n", "\t0\n")
		}, nil, "<dir>/Eora26_2015_bp_T.txt line 2 column 6: ragged row: 5 cells, want 6 as on line 1", ErrRagged},
		{"labels do not fit", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "labels_Q.txt"), "\n", "\nSecond (kg)\tTotal\t\n")
		}, nil, "<dir>/Eora26_2015_bp_Q.txt: unexpected layout: 1 rows and 5 columns; labels_Q.txt names 2 rows and labels_T.txt 5 columns", ErrLayout},
		{"sector missing in a region", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "labels_T.txt"), "RB\tIndustries\ts2", "RB\tIndustries\ts3")
		}, nil, `<dir>/labels_T.txt: labels do not agree: no "RA/s3"; every region needs every sector of labels_T.txt`, ErrLabel},
		{"label twice", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "labels_FD.txt"), "RB\tFinal Demand\tgov", "RB\tFinal Demand\thh")
		}, nil, `<dir>/labels_FD.txt line 4: duplicated label: "RB/hh" appears twice (also line 3)`, ErrDuplicateLabel},
		{"bad number", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Eora26_2015_bp_FD.txt"), "\t112\t", "\tNaN\t")
		}, nil, `<dir>/Eora26_2015_bp_FD.txt line 2 column 3: not a finite number: "NaN"`, ErrNotFinite},
		{"bad option", func(*testing.T, string) {}, map[string]string{"country_names": "iso"},
			`formats: eora26: option country_names is "iso"; want eora or full`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			eoraFixture(t, dir)
			tt.change(t, dir)
			_, err := Open("eora26", dir, tt.opts)
			wantError(t, err, tt.want, "<dir>", dir, tt.kind)
		})
	}
}
