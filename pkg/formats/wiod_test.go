package formats

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/table"
)

func wiodMock(t *testing.T) string {
	return filepath.Join(sharedData(t), "format-mocks", "wiod_mock", "wiot09_row_sep12.xlsx")
}

// TestWIODMock reads the WIOD mock world table, which holds pymrio's test
// MRIO's Z under WIOD's labels: regions AUS, BEL, LUX, ROU, USA and RoW
// for reg1 to reg6, ISIC codes for sectors, c-codes for the final-demand
// categories.
func TestWIODMock(t *testing.T) {
	tab, err := Open("wiod", wiodMock(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.Regions, []string{"AUS", "BEL", "LUX", "ROU", "USA", "RoW"}) ||
		!slices.Equal(tab.Sectors, []string{"AtB", "C", "15t16", "17t18", "19", "20", "21t22", "P"}) ||
		!slices.Equal(tab.Categories, []string{"c37", "c38", "c39", "c41", "c42"}) {
		t.Fatalf("labels %q %q %q", tab.Regions, tab.Sectors, tab.Categories)
	}
	ref, _ := testMrioSaved(t)
	sameMatrix(t, "Z", tab.Z, ref.Z, 0)
	fi := tab.Extensions[0]
	if len(fi.Stressors) != 6 || fi.Stressors[4] != "Value added at basic prices" || fi.Units[0] != "millions of US$" {
		t.Errorf("factor inputs %q %q", fi.Stressors, fi.Units)
	}
	checkCells(t, []cell{
		{"Y[AUS/AtB, AUS/c37]", tab.Y.At(0, 0), 58180.65},
		{"value added AUS/AtB", tab.ValueAdded[0], 42262.90673},
		{"F[taxes, AUS/C]", fi.F.At(0, 1), 2281.21054},
	})
	if len(tab.Notes) != 1 || !strings.Contains(tab.Notes[0], "empty cells read as zero") {
		t.Errorf("notes %q", tab.Notes)
	}
	sea := tab.Extensions[1]
	if sea.Name != "SEA" || !slices.Equal(sea.Stressors, []string{"EMP", "EMPE", "H_EMP", "H_EMPE"}) || sea.Units[2] != "mill hours" {
		t.Fatalf("extension %q %q %q", sea.Name, sea.Stressors, sea.Units)
	}
	checkCells(t, []cell{{"SEA F[EMP, AUS/AtB] (the sheet DATA, column _2009)", sea.F.At(0, 0), 43.58770386015548}})
	for j := 5 * 8; j < 6*8; j++ {
		if v := sea.F.At(0, j); v != 0 {
			t.Errorf("SEA F[EMP, RoW/%s] = %v; the file has no RoW, which is zero", tab.Sectors[j%8], v)
		}
	}
	byYear, err := Open("wiod", filepath.Dir(wiodMock(t)), map[string]string{"year": "2009"})
	if err != nil {
		t.Fatal(err)
	}
	sameTables(t, byYear, tab)
}

// rewriteXLSX copies the workbook src to dst with old replaced by new in
// its part, failing the test when the part has no old.
func rewriteXLSX(t *testing.T, src, dst, part, old, new string) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == part {
			if !bytes.Contains(data, []byte(old)) {
				t.Fatalf("%s has no %q", part, old)
			}
			data = bytes.Replace(data, []byte(old), []byte(new), 1)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	write(t, dst, buf.String())
}

func TestWIODBadInput(t *testing.T) {
	tests := []struct {
		name, part, old, new, want string
		kind                       error
	}{
		{"text in a cell", "xl/worksheets/sheet1.xml", "<v>23697.221</v>", "<v>n/a</v>", `sheet "WIOT_2009" cell E7: not a number: "n/a"`, ErrNotNumber},
		{"no end of the block", "xl/sharedStrings.xml", ">c35<", ">c36<", "no c-code c35 closing the inter-industry block", ErrLayout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "wiot09_bad.xlsx")
			rewriteXLSX(t, wiodMock(t), dst, tt.part, tt.old, tt.new)
			_, err := Open("wiod", dst, nil)
			wantError(t, err, tt.want, "", "", tt.kind)
		})
	}
	dir := t.TempDir()
	_, err := Open("wiod", dir, nil)
	wantError(t, err, "is a folder; give the year with the option year", "", "", nil)
	if err := os.WriteFile(filepath.Join(dir, "wiot09_x.xlsx"), []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open("wiod", dir, map[string]string{"year": "2009"})
	wantError(t, err, "wiot09_x.xlsx: unexpected layout: not an xlsx workbook", "", "", ErrLayout)
}

// TestWIODSEAYear reads a table whose year the SEA file lacks: no
// extension SEA, and a note.
func TestWIODSEAYear(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(wiodMock(t))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "wiot09_row_sep12.xlsx"), string(data))
	sea := filepath.Join(filepath.Dir(wiodMock(t)), "WIOD_SEA_July14.xlsx")
	rewriteXLSX(t, sea, filepath.Join(dir, "WIOD_SEA_July14.xlsx"), "xl/sharedStrings.xml", ">_2009<", ">_2019<")
	tab, err := Open("wiod", filepath.Join(dir, "wiot09_row_sep12.xlsx"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Extensions) != 1 || !strings.Contains(strings.Join(tab.Notes, "\n"), "WIOD_SEA_July14.xlsx has no column _2009: no extension SEA") {
		t.Errorf("%d extensions, notes %q", len(tab.Extensions), tab.Notes)
	}
}

// TestWIODAir reads the mock's air emissions: each region's sectors
// against its file's secTOT row, the households in c37, and the world
// identity of MATH.md 10 (production equals consumption) through
// accounts.Compute.
func TestWIODAir(t *testing.T) {
	tab, err := Open("wiod", wiodMock(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	var air *table.Extension
	for _, e := range tab.Extensions {
		if e.Name == "AIR" {
			air = e
		}
	}
	want := []string{"CO2", "CH4", "N2O", "NOX", "SOX", "CO", "NMVOC", "NH3"}
	if air == nil || !slices.Equal(air.Stressors, want) || air.Units[0] != "Gg" || air.Units[3] != "t" {
		t.Fatalf("extension AIR %+v; want stressors %q, CO2 in Gg and NOX in t", air, want)
	}
	checkCells(t, []cell{
		{"AIR F[CO2, AUS/AtB]", air.F.At(0, 0), 6652.840865583831},
		{"AIR F[CH4, AUS/P] (empty cells)", air.F.At(1, 7), 0},
		{"AIR F_Y[CO2, AUS/c37]", air.FY.At(0, 0), 41143.2189857637},
		{"AIR F_Y[CO2, AUS/c38]", air.FY.At(0, 1), 0},
	})
	m, c := len(tab.Sectors), len(tab.Categories)
	for r, region := range tab.Regions {
		file := filepath.Join(filepath.Dir(wiodMock(t)), "AIR_may12", strings.ToUpper(region)+"_AIR_May12.xls")
		sheets, err := readXLS(file)
		if err != nil {
			t.Fatal(err)
		}
		g := sheets["2009"]
		row := slices.IndexFunc(g.cells, func(cs []string) bool { return len(cs) > 1 && cs[1] == "secTOT" })
		for s := range want {
			tot, err := parseNumber(g.cell(row, 2+s))
			if err != nil {
				t.Fatal(err)
			}
			sum := 0.0
			for i := range m {
				sum += air.F.At(s, r*m+i)
			}
			if d := math.Abs(sum - tot); d > 1e-9*math.Abs(tot) {
				t.Errorf("%s %s: sectors sum to %v, secTOT %v (difference %g)", region, want[s], sum, tot, d)
			}
			if air.FY.At(s, r*c) == 0 && s == 0 {
				t.Errorf("%s: no households' CO2", region)
			}
		}
	}
	res, err := accounts.Compute(tab, accounts.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Extensions {
		if e.Name != "AIR" {
			continue
		}
		for s, name := range e.Stressors {
			p, q := 0.0, 0.0
			for r := range res.Consumers {
				if v := e.Production.At(s, r); !math.IsNaN(v) {
					p += v
				}
				q += e.Consumption.At(s, r)
			}
			if d := math.Abs(p - q); d > 1e-9*math.Abs(p) {
				t.Errorf("%s: world production %v, consumption %v (difference %g)", name, p, q, d)
			}
		}
	}
}

// TestWIODAirBad reads copies of the mock with an air-emission file
// missing or lacking the table's year.
func TestWIODAirBad(t *testing.T) {
	mock := filepath.Dir(wiodMock(t))
	tests := []struct {
		name, want string
		change     func(t *testing.T, dir string)
		kind       error
	}{
		{"a region's file missing", "region BEL: 0 files BEL*.xls (); want one, BEL_AIR_May12.xls",
			func(t *testing.T, dir string) { remove(t, filepath.Join(dir, "AIR_may12", "BEL_AIR_May12.xls")) }, fs.ErrNotExist},
		{"a year missing", `LUX_AIR_May12.xls: unexpected layout: region LUX: no sheet "2009" for the table's year (sheets: 2019)`,
			func(t *testing.T, dir string) {
				file := filepath.Join(dir, "AIR_may12", "LUX_AIR_May12.xls")
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Contains(data, []byte("2009")) {
					t.Fatalf("%s has no 2009, the sheet's name", file)
				}
				write(t, file, strings.ReplaceAll(string(data), "2009", "2019"))
			}, ErrLayout},
		{"two sources", "several air-emission sources AIR_May12.zip, AIR_may12",
			func(t *testing.T, dir string) { write(t, filepath.Join(dir, "AIR_May12.zip"), "") }, ErrLayout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{"wiot09_row_sep12.xlsx", "AIR_may12"} {
				copyInto(t, filepath.Join(mock, f), filepath.Join(dir, f))
			}
			tt.change(t, dir)
			_, err := Open("wiod", filepath.Join(dir, "wiot09_row_sep12.xlsx"), nil)
			wantError(t, err, tt.want, "", "", tt.kind)
		})
	}
}

// copyInto copies the file or folder src to dst.
func copyInto(t *testing.T, src, dst string) {
	t.Helper()
	if info, err := os.Stat(src); err == nil && info.IsDir() {
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dst, string(data))
}
