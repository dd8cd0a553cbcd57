package formats

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/table"
	"gonum.org/v1/gonum/mat"
)

// sigmaTable is a table of two regions with two sectors, a third region
// that only consumes, two categories, and two extensions: air with
// stressors CO2/air and CH4/air, water with N/water.
func sigmaTable() *table.Table {
	return &table.Table{
		Source:     "t",
		Regions:    []string{"r1", "r2"},
		Sectors:    []string{"food", "power"},
		Consumers:  []string{"r1", "r2", "r3"},
		Categories: []string{"hh", "gov"},
		Extensions: []*table.Extension{
			{Name: "air", Stressors: []string{"CO2/air", "CH4/air"}},
			{Name: "water", Stressors: []string{"N/water"}},
		},
	}
}

// A file of S in pymrio's layout, rows and columns out of the table's
// order: column k (0-based) of row "CO2 air" holds 0.1 + k/100, and so on.
const sigmaSFile = "region\t\tr2\tr1\tr1\tr2\n" +
	"sector\t\tfood\tfood\tpower\tpower\n" +
	"stressor\tcompartment\t\t\t\t\n" +
	"N\twater\t0.3\t0.31\t0.32\t0.33\n" +
	"CO2\tair\t0.1\t0.11\t0\t0.13\n" +
	"CH4\tair\t0.2\t0.21\t0.22\t0.23\n"

func TestReadSigma(t *testing.T) {
	cases := []struct {
		name, target, file string
		want               []*mat.Dense
	}{
		{"S of two extensions", "S", sigmaSFile, []*mat.Dense{
			mat.NewDense(2, 4, []float64{0.11, 0, 0.1, 0.13, 0.21, 0.22, 0.2, 0.23}),
			mat.NewDense(1, 4, []float64{0.31, 0.32, 0.3, 0.33}),
		}},
		{"S with one index column", "S", "region\tr1\tr1\tr2\tr2\n" +
			"sector\tfood\tpower\tfood\tpower\n" +
			"stressor\t\t\t\t\n" +
			"CO2/air\t0.1\t0.2\t0.3\t0.4\nN/water\t0.5\t0.6\t0.7\t0.8\nCH4/air\t0\t0\t0\t1e-3\n", []*mat.Dense{
			mat.NewDense(2, 4, []float64{0.1, 0.2, 0.3, 0.4, 0.0, 0.0, 0.0, 1e-3}),
			mat.NewDense(1, 4, []float64{0.5, 0.6, 0.7, 0.8}),
		}},
		{"Y", "Y", "region\t\tr3\tr1\tr2\tr3\tr1\tr2\n" +
			"category\t\thh\thh\thh\tgov\tgov\tgov\n" +
			"region\tsector\t\t\t\t\t\t\n" +
			"r1\tfood\t0.3\t0.1\t0.2\t0.6\t0.4\t0.5\n" +
			"r2\tpower\t0\t0\t0\t0\t0\t0.5\n" +
			"r1\tpower\t0.1\t0.1\t0.1\t0.1\t0.1\t0.1\n" +
			"r2\tfood\t0.05\t0.05\t0.05\t0.05\t0.05\t0.05\n", []*mat.Dense{
			mat.NewDense(4, 6, []float64{
				0.1, 0.4, 0.2, 0.5, 0.3, 0.6,
				0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
				0.05, 0.05, 0.05, 0.05, 0.05, 0.05,
				0.0, 0.0, 0.0, 0.5, 0.0, 0.0,
			}),
		}},
		{"A", "A", "region\t\tr1\tr1\tr2\tr2\n" +
			"sector\t\tfood\tpower\tfood\tpower\n" +
			"region\tsector\t\t\t\t\n" +
			"r2\tpower\t0.13\t0.14\t0.15\t0.16\n" +
			"r1\tfood\t0.01\t0.02\t0.03\t0.04\n" +
			"r1\tpower\t0.05\t0.06\t0.07\t0.08\n" +
			"r2\tfood\t0.09\t0.1\t0.11\t0.12\n", []*mat.Dense{
			mat.NewDense(4, 4, []float64{0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16}),
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readSigma(strings.NewReader(tc.file), "sigma.txt", tc.target, sigmaTable())
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d matrices, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !mat.Equal(got[i], tc.want[i]) {
					t.Errorf("matrix %d:\n got %v\nwant %v", i, mat.Formatted(got[i]), mat.Formatted(tc.want[i]))
				}
			}
		})
	}
}

func TestReadSigmaErrors(t *testing.T) {
	const s = sigmaSFile
	cases := []struct {
		name, target, file string
		want               string
		kind               error
	}{
		{"missing row", "S", strings.Replace(s, "CH4\tair\t0.2\t0.21\t0.22\t0.23\n", "", 1),
			`formats: sigma.txt: labels do not agree: no row "CH4/air"; every stressor of the table needs a sigma in sigma.txt`, ErrLabel},
		{"extra row", "S", s + "SO2\tair\t1\t1\t1\t1\n",
			`formats: sigma.txt line 7 column 1: labels do not agree: row "SO2/air" is not a stressor of the table`, ErrLabel},
		{"row twice", "S", s + "CO2\tair\t1\t1\t1\t1\n",
			`formats: sigma.txt line 7 column 1: duplicated label: row "CO2/air" appears twice (also line 5)`, ErrDuplicateLabel},
		{"missing column", "S", "region\t\tr1\tr1\tr2\n" + "sector\t\tfood\tpower\tfood\n" + "stressor\tcompartment\t\t\t\n" +
			"N\twater\t1\t1\t1\nCO2\tair\t1\t1\t1\nCH4\tair\t1\t1\t1\n",
			`formats: sigma.txt line 2: labels do not agree: no column "r2/power"; every product of the table needs a sigma in sigma.txt`, ErrLabel},
		{"extra column", "A", "region\t\tr1\tr1\tr2\tr2\tr3\n" + "sector\t\tfood\tpower\tfood\tpower\tfood\n" + "region\tsector\t\t\t\t\t\n" +
			"r1\tfood\t1\t1\t1\t1\t1\nr1\tpower\t1\t1\t1\t1\t1\nr2\tfood\t1\t1\t1\t1\t1\nr2\tpower\t1\t1\t1\t1\t1\n",
			`formats: sigma.txt line 2 column 7: labels do not agree: column "r3/food" is not a product (region/sector) of the table`, ErrLabel},
		{"missing column of Y", "Y", "region\t\tr1\tr2\tr3\tr1\tr2\n" + "category\t\thh\thh\thh\tgov\tgov\n" + "region\tsector\t\t\t\t\t\n" +
			"r1\tfood\t1\t1\t1\t1\t1\nr1\tpower\t1\t1\t1\t1\t1\nr2\tfood\t1\t1\t1\t1\t1\nr2\tpower\t1\t1\t1\t1\t1\n",
			`formats: sigma.txt line 2: labels do not agree: no column "r3/gov"; every final-demand column of the table needs a sigma in sigma.txt`, ErrLabel},
		{"missing row of A", "A", "region\t\tr1\tr1\tr2\tr2\n" + "sector\t\tfood\tpower\tfood\tpower\n" + "region\tsector\t\t\t\t\n" +
			"r1\tfood\t1\t1\t1\t1\nr2\tfood\t1\t1\t1\t1\nr2\tpower\t1\t1\t1\t1\n",
			`formats: sigma.txt: labels do not agree: no row "r1/power"; every product of the table needs a sigma in sigma.txt`, ErrLabel},
		{"negative", "S", strings.Replace(s, "0.21", "-0.21", 1),
			`formats: sigma.txt line 6 column 4: sigma -0.21 is outside [0, 3] (row "CH4/air", column "r1/food")`, nil},
		{"above the most", "S", strings.Replace(s, "0.21", "3.5", 1),
			`formats: sigma.txt line 6 column 4: sigma 3.5 is outside [0, 3] (row "CH4/air", column "r1/food")`, nil},
		{"NaN", "S", strings.Replace(s, "0.32", "NaN", 1),
			`formats: sigma.txt line 4 column 5: not a finite number: "NaN" (row "N/water", column "r1/power")`, ErrNotFinite},
		{"Inf", "S", strings.Replace(s, "0.13", "+Inf", 1),
			`formats: sigma.txt line 5 column 6: not a finite number: "+Inf" (row "CO2/air", column "r2/power")`, ErrNotFinite},
		{"not a number", "S", strings.Replace(s, "0.13", "high", 1),
			`formats: sigma.txt line 5 column 6: not a number: "high" (row "CO2/air", column "r2/power")`, ErrNotNumber},
		{"ragged row", "S", strings.Replace(s, "\t0.22", "", 1),
			`formats: sigma.txt line 6 column 6: ragged row: 5 cells, want 6 as on line 1`, ErrRagged},
		{"long row", "S", strings.Replace(s, "0.13\n", "0.13\t1\n", 1),
			`formats: sigma.txt line 5 column 7: ragged row: 7 cells, want 6 as on line 1`, ErrRagged},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readSigma(strings.NewReader(tc.file), "sigma.txt", tc.target, sigmaTable())
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error\n got %v\nwant %s", err, tc.want)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("error %v is not %v", err, tc.kind)
			}
		})
	}
}

// TestReadSigmaAmbiguous gives two extensions a stressor of one label.
func TestReadSigmaAmbiguous(t *testing.T) {
	tab := sigmaTable()
	tab.Extensions[1].Stressors = []string{"CO2/air"}
	file := strings.Replace(sigmaSFile, "N\twater\t0.3\t0.31\t0.32\t0.33\n", "", 1)
	_, err := readSigma(strings.NewReader(file), "sigma.txt", "S", tab)
	want := `formats: sigma.txt line 4 column 1: labels do not agree: stressor "CO2/air" is in extensions "air" and "water"; a table of sigmas names stressors by label alone and cannot tell them apart`
	if err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
}

func TestReadSigmaFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "S.txt")
	if err := os.WriteFile(p, []byte(sigmaSFile), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSigma(p, "S", sigmaTable())
	if err != nil {
		t.Fatal(err)
	}
	if v := got[1].At(0, 3); v != 0.33 {
		t.Errorf("sigma of N/water in r2/power = %v, want 0.33", v)
	}
	if _, err := ReadSigma(filepath.Join(t.TempDir(), "none.txt"), "S", sigmaTable()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want fs.ErrNotExist", err)
	}
}

// FuzzReadSigma checks that any input gives an error or matrices of the
// table's shapes holding finite sigmas >= 0.
func FuzzReadSigma(f *testing.F) {
	f.Add(sigmaSFile, "S")
	f.Add(strings.Replace(sigmaSFile, "0.2", "-1", 1), "S")
	f.Add("region\t\tr1\tr1\tr2\tr2\nsector\t\tfood\tpower\tfood\tpower\nregion\tsector\t\t\t\t\nr1\tfood\t1\t1\t1\t1\n", "A")
	f.Fuzz(func(t *testing.T, file, target string) {
		switch target {
		case "S", "Y", "A":
		default:
			return
		}
		tab := sigmaTable()
		got, err := readSigma(strings.NewReader(file), "f", target, tab)
		if err != nil {
			return
		}
		shapes := map[string][][2]int{"S": {{2, 4}, {1, 4}}, "Y": {{4, 6}}, "A": {{4, 4}}}[target]
		if len(got) != len(shapes) {
			t.Fatalf("%d matrices, want %d", len(got), len(shapes))
		}
		for i, m := range got {
			if r, c := m.Dims(); r != shapes[i][0] || c != shapes[i][1] {
				t.Fatalf("matrix %d is %d×%d, want %v", i, r, c, shapes[i])
			}
			for _, v := range m.RawMatrix().Data {
				if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("sigma %v read without an error", v)
				}
			}
		}
	})
}
