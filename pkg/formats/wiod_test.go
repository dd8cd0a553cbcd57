package formats

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
