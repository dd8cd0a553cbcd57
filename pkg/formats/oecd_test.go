package formats

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// oecdCSV reads an ICIO file by label, independently of the reader:
// cell(row, column) is the number there, zero for an empty cell.
func oecdCSV(t *testing.T, file string) func(row, col string) float64 {
	t.Helper()
	rows := readAll(t, file, ',')
	colAt := map[string]int{}
	for j, c := range rows[0] {
		colAt[c] = j
	}
	rowAt := map[string]int{}
	for i, r := range rows {
		rowAt[r[0]] = i
	}
	return func(row, col string) float64 {
		i, ok1 := rowAt[row]
		j, ok2 := colAt[col]
		if !ok1 || !ok2 {
			t.Fatalf("%s has no cell %s, %s", file, row, col)
		}
		if rows[i][j] == "" {
			return 0
		}
		v, err := strconv.ParseFloat(rows[i][j], 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestOECD2016Mock reads the 2016-edition mock, which holds pymrio's test
// MRIO with regions AUS, NZL, CHN, PER, CN1 and CN2 (reg1 to reg6): Z must
// be the test MRIO's with CN1 and CN2 added into CHN, as pymrio adds them.
func TestOECD2016Mock(t *testing.T) {
	file := filepath.Join(sharedData(t), "format-mocks", "oecd_mock", "ICIO2016_2003.csv")
	tab, err := Open("oecd-icio", file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.Regions, []string{"AUS", "NZL", "CHN", "PER"}) ||
		!slices.Equal(tab.Consumers, []string{"AUS", "NZL", "CHN", "PER", "ALL"}) ||
		!slices.Equal(tab.Categories, []string{"HFCE", "NPS", "GGFC", "GFCF", "INV", "DIRP", "DISC"}) ||
		len(tab.Sectors) != 8 || tab.Sectors[0] != "C01T05AGR" {
		t.Fatalf("labels %q %q %q %q", tab.Regions, tab.Consumers, tab.Categories, tab.Sectors)
	}
	cell := oecdCSV(t, file)
	parts := map[string][]string{"AUS": {"AUS"}, "NZL": {"NZL"}, "CHN": {"CHN", "CN1", "CN2"}, "PER": {"PER"}}
	m := len(tab.Sectors)
	want := mat.NewDense(32, 32, nil)
	for i := range 32 {
		for j := range 32 {
			for _, pr := range parts[tab.Regions[i/m]] {
				for _, pc := range parts[tab.Regions[j/m]] {
					want.Set(i, j, want.At(i, j)+cell(pr+"_"+tab.Sectors[i%m], pc+"_"+tab.Sectors[j%m]))
				}
			}
		}
	}
	sameMatrix(t, "Z", tab.Z, want, 1e-15)

	at := func(what string, got, want float64) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	g := len(tab.Categories)
	at("Y[AUS/C01T05AGR, CHN/HFCE]", tab.Y.At(0, 2*g), cell("AUS_C01T05AGR", "HFCE_CHN"))
	at("Y[CHN/C23PET, PER/GFCF]", tab.Y.At(2*m+6, 3*g+3),
		cell("CHN_C23PET", "GFCF_PER")+cell("CN1_C23PET", "GFCF_PER")+cell("CN2_C23PET", "GFCF_PER"))
	at("Y[NZL/C20WOD, ALL/DISC]", tab.Y.At(m+4, 4*g+6), cell("NZL_C20WOD", "DISC"))
	at("Y[NZL/C20WOD, AUS/DISC]", tab.Y.At(m+4, 6), 0)
	fi := tab.Extensions[0]
	if fi.Name != "factor_inputs" || !slices.Equal(fi.Stressors, []string{"VA+TAXSUB"}) || fi.Units[0] != "Million USD" {
		t.Errorf("factor inputs %q %q %q", fi.Name, fi.Stressors, fi.Units)
	}
	at("F[VA+TAXSUB, CHN/C01T05AGR]", fi.F.At(0, 2*m),
		cell("VA+TAXSUB", "CHN_C01T05AGR")+cell("VA+TAXSUB", "CN1_C01T05AGR")+cell("VA+TAXSUB", "CN2_C01T05AGR"))
	at("F_Y[VA+TAXSUB, AUS/HFCE]", fi.FY.At(0, 0), 0) // an empty cell
	if tab.ValueAdded != nil {
		t.Errorf("value added %v; the 2016 edition has only VA+TAXSUB", tab.ValueAdded)
	}
	notes := strings.Join(tab.Notes, "\n")
	for _, w := range []string{"CN1 into CHN, CN2 into CHN", "consumers that do not produce, kept with their final demand (MATH.md 14): ALL",
		"ICIO2016_2003.csv: 50 empty cells read as zero"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes %q lack %q", tab.Notes, w)
		}
	}
}

// TestOECD2018Mock reads the 2018-edition mock as a CSV, as the zip the
// OECD ships, and from the folder with the option year.
func TestOECD2018Mock(t *testing.T) {
	dir := filepath.Join(sharedData(t), "format-mocks", "oecd_mock")
	file := filepath.Join(dir, "ICIO2018_2010.CSV")
	tab, err := Open("oecd-icio", file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.Regions, []string{"AUS", "BEL", "MEX", "BRA", "COL"}) ||
		!slices.Equal(tab.Categories, []string{"HFCE", "NPISH", "GGFC", "INVNT", "P33"}) {
		t.Fatalf("labels %q %q", tab.Regions, tab.Categories)
	}
	cell := oecdCSV(t, file)
	m := len(tab.Sectors)
	if got, want := tab.Z.At(2*m+1, 3*m), cell("MEX_05T06", "BRA_01T03")+cell("MX1_05T06", "BRA_01T03"); got != want {
		t.Errorf("Z[MEX/05T06, BRA/01T03] = %v, want %v", got, want)
	}
	if got, want := tab.Z.At(m, 2*m+7), cell("BEL_01T03", "MEX_17T18")+cell("BEL_01T03", "MX1_17T18"); got != want {
		t.Errorf("Z[BEL/01T03, MEX/17T18] = %v, want %v", got, want)
	}
	if got, want := tab.ValueAdded[2*m], cell("VALU", "MEX_01T03")+cell("VALU", "MX1_01T03"); got != want {
		t.Errorf("value added of MEX/01T03 = %v, want VALU %v", got, want)
	}
	for _, p := range []struct {
		path string
		opts map[string]string
	}{
		{filepath.Join(dir, "ICIO2018_2010.zip"), nil},
		{dir, map[string]string{"year": "2010"}},
	} {
		got, err := Open("oecd-icio", p.path, p.opts)
		if err != nil {
			t.Fatal(err)
		}
		sameTables(t, got, tab)
	}
}

// oecd2021 is a table in the layout of the 2021 and 2023 editions: TLS
// and VA rows, DPABR among the final demand, OUT row and column, and a
// region split in two (MX1, MX2) beside its whole.
const oecd2021 = `V1,AUS_A01,AUS_B05,MEX_A01,MEX_B05,MX1_A01,MX1_B05,MX2_A01,MX2_B05,AUS_HFCE,AUS_DPABR,MEX_HFCE,MEX_DPABR,OUT
AUS_A01,1,2,3,4,5,6,7,8,10,1,20,2,69
AUS_B05,1,1,1,1,1,1,1,1,1,1,1,1,12
MEX_A01,2,2,2,2,2,2,2,2,2,2,2,2,24
MEX_B05,0,0,0,0,0,0,0,0,9,0,0,0,9
MX1_A01,1,0,0,0,0,0,0,0,0,0,0,0,1
MX1_B05,0,1,0,0,0,0,0,0,0,0,0,0,1
MX2_A01,0,0,1,0,0,0,0,0,0,0,0,0,1
MX2_B05,0,0,0,1,0,0,0,0,0,0,0,0,1
TLS,1,1,1,1,1,1,1,1,1,1,1,1,
VA,50,5,20,10,3,3,3,3,,,,,
OUT,69,12,24,9,1,1,1,1,,,,,
`

func TestOECD2021Layout(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "ICIO2021_2018.csv"), oecd2021)
	tab, err := Open("oecd-icio", dir, map[string]string{"year": "2018"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.Regions, []string{"AUS", "MEX"}) || !slices.Equal(tab.Sectors, []string{"A01", "B05"}) ||
		!slices.Equal(tab.Categories, []string{"HFCE", "DPABR"}) {
		t.Fatalf("labels %q %q %q", tab.Regions, tab.Sectors, tab.Categories)
	}
	// MEX = MEX + MX1 + MX2, in rows and columns.
	sameMatrix(t, "Z", tab.Z, mat.NewDense(4, 4, []float64{
		1, 2, 3 + 5 + 7, 4 + 6 + 8,
		1, 1, 3, 3,
		2 + 1, 2, 6 + 1, 6,
		0, 0 + 1, 0, 0 + 1,
	}), 0)
	sameMatrix(t, "Y", tab.Y, mat.NewDense(4, 4, []float64{10, 1, 20, 2, 1, 1, 1, 1, 2, 2, 2, 2, 9, 0, 0, 0}), 0)
	fi := tab.Extensions[0]
	if !slices.Equal(fi.Stressors, []string{"TLS", "VA"}) {
		t.Errorf("factor inputs %q", fi.Stressors)
	}
	if want := []float64{50, 5, 26, 16}; !slices.Equal(tab.ValueAdded, want) {
		t.Errorf("value added %v, want the VA row %v", tab.ValueAdded, want)
	}
	sameMatrix(t, "F_Y", fi.FY, mat.NewDense(2, 4, []float64{1, 1, 1, 1, 0, 0, 0, 0}), 0)
}

func TestOECDBadInput(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, file string) string
		opts   map[string]string
		want   string
		kind   error
	}{
		{"renamed column", func(t *testing.T, f string) string {
			edit(t, f, "V1,AUS_A01,AUS_B05", "V1,AUS_A01,AUS_B06")
			return f
		}, nil, `<file> line 3 column 1: labels do not agree: row "AUS_B05" names a product, but no column does`, ErrLabel},
		{"renamed column of a region", func(t *testing.T, f string) string {
			edit(t, f, "V1,AUS_A01,AUS_B05,MEX_A01", "V1,AUS_A01,AUS_B05,MEZ_A01")
			return f
		}, nil, `<file> line 4 column 1: labels do not agree: row "MEX_A01" names a product, but no column does`, ErrLabel},
		{"column of a region that does not produce", func(t *testing.T, f string) string {
			edit(t, f, ",AUS_HFCE,", ",XYZ_A01,")
			return f
		}, nil, `<file> line 1 column 10: labels do not agree: column "XYZ_A01" names a sector of a region that produces nothing`, ErrLabel},
		{"renamed row", func(t *testing.T, f string) string {
			edit(t, f, "\nMEX_B05,", "\nMEX_B5,")
			return f
		}, nil, `<file>: labels do not agree: no row and column MEX/B05; every region needs every sector of ICIO2021_2018.csv`, ErrLabel},
		{"final demand twice", func(t *testing.T, f string) string {
			edit(t, f, "AUS_DPABR", "DPABR_AUS")
			edit(t, f, "MEX_HFCE", "AUS_DPABR")
			return f
		}, nil, `<file> line 1 column 12: duplicated label: column "AUS_DPABR" is a final demand given twice (AUS/DPABR)`, ErrDuplicateLabel},
		{"text in a cell", func(t *testing.T, f string) string {
			edit(t, f, "MX2_B05,0,0,0,1", "MX2_B05,0,0,0,one")
			return f
		}, nil, `<file> line 9 column 5: not a number: "one" (row "MX2_B05", column "MEX_B05")`, ErrNotNumber},
		{"truncated zip", func(t *testing.T, f string) string {
			z := zipDir(t, filepath.Dir(f), "")
			data, _ := os.ReadFile(z)
			write(t, z, string(data[:len(data)-30]))
			return z
		}, nil, "table.zip: unexpected layout: not a folder, nor a zip archive that can be read", ErrLayout},
		{"folder without a year", func(t *testing.T, f string) string { return filepath.Dir(f) }, nil,
			"is a folder; give the year with the option year", nil},
		{"year not there", func(t *testing.T, f string) string { return filepath.Dir(f) }, map[string]string{"year": "2019"},
			"no ICIOyyyy_2019.csv or .zip", fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "ICIO2021_2018.csv")
			write(t, f, oecd2021)
			p := tt.change(t, f)
			_, err := Open("oecd-icio", p, tt.opts)
			wantError(t, err, tt.want, "<file>", f, tt.kind)
		})
	}
}
