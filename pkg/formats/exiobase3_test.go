package formats

import (
	"archive/zip"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/table"
	"gonum.org/v1/gonum/mat"
)

// zipDir writes the files under dir into a zip archive, each under prefix
// (a folder name and "/", or ""), deflated, and returns the archive's
// path.
func zipDir(t *testing.T, dir, prefix string) string {
	return zipDirMethod(t, dir, prefix, zip.Deflate)
}

// zipDirMethod is zipDir with the compression method given.
func zipDirMethod(t *testing.T, dir, prefix string, method uint16) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "table.zip")
	fh, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(fh)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: prefix + filepath.ToSlash(rel), Method: method})
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = fh.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// exio3Options shapes a fixture in EXIOBASE 3's layout.
type exio3Options struct {
	regions  [2]string // the two region codes
	coef     bool      // A (and S) rather than Z and F
	x        bool      // with x.txt
	fyKey    string    // the satellite's key for F_Y: "F_Y" or "F_hh"
	impacts  bool      // with an impacts folder
	unitCols int       // the satellite unit file's nr_index_col: 1, or 2 as some releases write
}

// writeExio3 writes a 2-region, 2-sector table with the numbers of the
// pymrio fixture (pymrioZ, pymrioY, pymrioF) into dir, laid out as an
// EXIOBASE 3 download.
func writeExio3(t *testing.T, dir string, o exio3Options) {
	t.Helper()
	r1, r2 := o.regions[0], o.regions[1]
	prod := [][2]string{{r1, "a"}, {r1, "b"}, {r2, "a"}, {r2, "b"}}
	dem := [][2]string{{r1, "hh"}, {r1, "gov"}, {r2, "hh"}, {r2, "gov"}}
	x := []float64{60, 40, 80, 50}
	if err := os.MkdirAll(filepath.Join(dir, "satellite"), 0o755); err != nil {
		t.Fatal(err)
	}
	core, coreFile := "Z", pymrioZ
	if o.coef {
		core = "A"
		coreFile = perOutput(pymrioZ, x)
	}
	params := `{"files": {"` + core + `": {"name": "` + core + `.txt", "nr_index_col": "2", "nr_header": "2"},
		"Y": {"name": "Y.txt", "nr_index_col": "2", "nr_header": "2"}`
	write(t, filepath.Join(dir, core+".txt"), pymrioText([2]string{"region", "sector"}, [2]string{"region", "sector"},
		prod, prod, coreFile.At))
	write(t, filepath.Join(dir, "Y.txt"), pymrioText([2]string{"region", "category"}, [2]string{"region", "sector"},
		prod, dem, pymrioY.At))
	if o.x {
		params += `, "x": {"name": "x.txt", "nr_index_col": "2", "nr_header": "1"}`
		var b strings.Builder
		b.WriteString("region\tsector\tindout\n")
		for i, p := range prod {
			b.WriteString(p[0] + "\t" + p[1] + "\t" + fmtNum(x[i]) + "\n")
		}
		write(t, filepath.Join(dir, "x.txt"), b.String())
	}
	write(t, filepath.Join(dir, "file_parameters.json"), params+`}, "systemtype": "IOSystem"}`)

	stressors := []string{"CO2 - combustion - air", "CH4 - agriculture - air"}
	sat := func(folder, fyKey string, scale float64) {
		if err := os.MkdirAll(filepath.Join(dir, folder), 0o755); err != nil {
			t.Fatal(err)
		}
		key, m := "F", pymrioF
		if o.coef {
			key = "S"
			m = perOutput(pymrioF, x)
		}
		write(t, filepath.Join(dir, folder, key+".txt"), oneIndexText(prod, stressors, func(i, j int) float64 { return scale * m.At(i, j) }))
		write(t, filepath.Join(dir, folder, fyKey+".txt"), oneIndexText(dem, stressors, func(i, j int) float64 {
			if j%2 == 0 {
				return scale * float64(7+i)
			}
			return 0
		}))
		write(t, filepath.Join(dir, folder, "unit.txt"), "stressor\tunit\n"+stressors[1]+"\tkg\n"+stressors[0]+"\tGg\n")
		write(t, filepath.Join(dir, folder, "file_parameters.json"), `{"files": {
			"`+key+`": {"name": "`+key+`.txt", "nr_index_col": "1", "nr_header": "2"},
			"`+fyKey+`": {"name": "`+fyKey+`.txt", "nr_index_col": "1", "nr_header": "2"},
			"unit": {"name": "unit.txt", "nr_index_col": "`+string(rune('0'+o.unitCols))+`", "nr_header": "1"}},
			"systemtype": "Extension", "name": "`+folder+`"}`)
	}
	sat("satellite", o.fyKey, 1)
	if o.impacts {
		sat("impacts", "F_Y", 10)
	}
}

// perOutput returns m with column j divided by x_j.
func perOutput(m *mat.Dense, x []float64) *mat.Dense {
	r, c := m.Dims()
	out := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			out.Set(i, j, m.At(i, j)/x[j])
		}
	}
	return out
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// oneIndexText writes a matrix with one index column (rows) and two
// header rows (cols), as EXIOBASE's satellite files are.
func oneIndexText(cols [][2]string, rows []string, value func(i, j int) float64) string {
	var b strings.Builder
	for level := range 2 {
		b.WriteString([]string{"region", "sector"}[level])
		for _, c := range cols {
			b.WriteString("\t" + c[level])
		}
		b.WriteString("\n")
	}
	for i, r := range rows {
		b.WriteString(r)
		for j := range cols {
			b.WriteString("\t" + fmtNum(value(i, j)))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// sameTables fails unless a and b hold the same labels and numbers.
func sameTables(t *testing.T, got, want *table.Table) {
	t.Helper()
	if !slices.Equal(got.Regions, want.Regions) || !slices.Equal(got.Sectors, want.Sectors) ||
		!slices.Equal(got.Consumers, want.Consumers) || !slices.Equal(got.Categories, want.Categories) {
		t.Fatalf("labels %q %q %q %q, want %q %q %q %q", got.Regions, got.Sectors, got.Consumers, got.Categories,
			want.Regions, want.Sectors, want.Consumers, want.Categories)
	}
	sameMatrix(t, "Z", got.Z, want.Z, 0)
	sameMatrix(t, "A", got.A, want.A, 0)
	sameMatrix(t, "Y", got.Y, want.Y, 0)
	if !slices.Equal(got.X, want.X) {
		t.Errorf("X = %v, want %v", got.X, want.X)
	}
	if len(got.Extensions) != len(want.Extensions) {
		t.Fatalf("%d extensions, want %d", len(got.Extensions), len(want.Extensions))
	}
	for i, e := range got.Extensions {
		w := want.Extensions[i]
		if e.Name != w.Name || !slices.Equal(e.Stressors, w.Stressors) || !slices.Equal(e.Units, w.Units) {
			t.Errorf("extension %q %q %q, want %q %q %q", e.Name, e.Stressors, e.Units, w.Name, w.Stressors, w.Units)
		}
		sameMatrix(t, e.Name+" F", e.F, w.F, 0)
		sameMatrix(t, e.Name+" S", e.S, w.S, 0)
		sameMatrix(t, e.Name+" FY", e.FY, w.FY, 0)
	}
}

// testMrioSaved returns pymrio's test MRIO as its save_all wrote it, read
// by the pymrio reader, and its x = Z 1 + Y 1.
func testMrioSaved(t *testing.T) (*table.Table, []float64) {
	t.Helper()
	tab, err := Open("pymrio", filepath.Join(sharedData(t), "pymrio-test-mrio", "saved"), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := tab.N()
	x := make([]float64, n)
	for i := range n {
		x[i] = mat.Sum(tab.Z.RowView(i)) + mat.Sum(tab.Y.RowView(i))
	}
	return tab, x
}

// TestExiobase3Mock reads the EXIOBASE 3 mock, which holds pymrio's test
// MRIO as A (eight significant digits), Y and the satellite F and F_hh:
// x must come back as L y, the test MRIO's output to the precision of A;
// F and F_Y as written; the regions renamed as pymrio renames them.
func TestExiobase3Mock(t *testing.T) {
	dir := filepath.Join(sharedData(t), "format-mocks", "exio3_mock")
	tab, err := Open("exiobase3", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"AU", "BR", "FI", "FR", "KR", "WF"}; !slices.Equal(tab.Regions, want) {
		t.Errorf("regions %q, want %q", tab.Regions, want)
	}
	if len(tab.Sectors) != 8 || len(tab.Categories) != 7 || tab.Categories[6] != "Export" {
		t.Errorf("sectors %q, categories %q", tab.Sectors, tab.Categories)
	}
	ref, x := testMrioSaved(t)
	for i := range x {
		if d := math.Abs(tab.X[i]-x[i]) / x[i]; d > 1e-6 {
			t.Errorf("x[%d] = %v, want %v (relative difference %g)", i, tab.X[i], x[i], d)
		}
	}
	// Z = A diag(x): with x from L y, Z 1 + Y 1 = x to rounding.
	for i := range x {
		got := mat.Sum(tab.Z.RowView(i)) + mat.Sum(tab.Y.RowView(i))
		if d := math.Abs(got-tab.X[i]) / tab.X[i]; d > 1e-12 {
			t.Errorf("row %d: Z 1 + Y 1 = %v, x = %v (relative difference %g)", i, got, tab.X[i], d)
		}
	}
	sat := tab.Extensions[0]
	if sat.Name != "satellite" || !slices.Equal(sat.Stressors, []string{"emission_type1", "emission_type2"}) ||
		!slices.Equal(sat.Units, []string{"kg", "kg"}) {
		t.Errorf("satellite %q %q %q", sat.Name, sat.Stressors, sat.Units)
	}
	sameMatrix(t, "F", sat.F, ref.Extensions[0].F, 0)
	sameMatrix(t, "F_Y", sat.FY, ref.Extensions[0].FY, 0)
	notes := strings.Join(tab.Notes, "\n")
	for _, w := range []string{"x = L y", "ISO three-letter codes", "A.txt, Y.txt, satellite/F.txt, satellite/F_hh.txt"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes %q lack %q", tab.Notes, w)
		}
	}

	// The same files in a zip archive, under a folder, read the same.
	zipped, err := Open("exiobase3", zipDir(t, dir, "IOT_2009_pxp/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sameTables(t, zipped, tab)
}

func TestExiobase3Variants(t *testing.T) {
	tests := []struct {
		name string
		o    exio3Options
		// what must hold
		coef    bool // coefficient form
		regions []string
		notes   []string
	}{
		{"flow form, F_Y, two-letter codes", exio3Options{regions: [2]string{"AT", "WA"}, fyKey: "F_Y", unitCols: 1}, false, []string{"AT", "WA"}, nil},
		{"flow form with x and impacts", exio3Options{regions: [2]string{"AT", "WA"}, x: true, fyKey: "F_Y", impacts: true, unitCols: 1}, false, []string{"AT", "WA"}, nil},
		{"coefficients, x, S, F_hh, unit as an index column", exio3Options{regions: [2]string{"AUT", "WWA"}, coef: true, x: true, fyKey: "F_hh", unitCols: 2},
			true, []string{"AT", "WA"}, []string{"ISO three-letter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeExio3(t, dir, tt.o)
			tab, err := Open("exiobase3", dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tab.Regions, tt.regions) || (tab.A != nil) != tt.coef {
				t.Fatalf("regions %q, A %v; want %q, coefficient form %v", tab.Regions, tab.A != nil, tt.regions, tt.coef)
			}
			wantExt := 1 + boolInt(tt.o.impacts)
			if len(tab.Extensions) != wantExt {
				t.Fatalf("%d extensions, want %d", len(tab.Extensions), wantExt)
			}
			for _, e := range tab.Extensions {
				scale := map[string]float64{"satellite": 1, "impacts": 10}[e.Name]
				m := e.F
				if tt.coef {
					m = mat.NewDense(2, 4, nil)
					for s := range 2 {
						for j := range 4 {
							m.Set(s, j, e.S.At(s, j)*tab.X[j])
						}
					}
				}
				want := mat.NewDense(2, 4, nil)
				want.Scale(scale, pymrioF)
				sameMatrix(t, e.Name+" F", m, want, 1e-15)
				if got := e.FY.At(1, 2); got != scale*8 {
					t.Errorf("%s FY[1, 2] = %v, want %v", e.Name, got, scale*8)
				}
				if !slices.Equal(e.Units, []string{"Gg", "kg"}) {
					t.Errorf("%s units %q, want Gg, kg", e.Name, e.Units)
				}
			}
			for _, w := range tt.notes {
				if !strings.Contains(strings.Join(tab.Notes, "\n"), w) {
					t.Errorf("notes %q lack %q", tab.Notes, w)
				}
			}
		})
	}
}

func TestExiobase3BadInput(t *testing.T) {
	good := exio3Options{regions: [2]string{"AT", "WA"}, fyKey: "F_Y", impacts: true, unitCols: 1}
	tests := []struct {
		name   string
		change func(t *testing.T, dir string) string // returns the path to open
		opts   map[string]string
		want   []string // with <dir> for the fixture's folder
		kind   error
	}{
		{"codes differ between files", func(t *testing.T, dir string) string {
			edit(t, filepath.Join(dir, "satellite", "F.txt"), "region\tAT\tAT\tWA\tWA", "region\tAUT\tAUT\tWWA\tWWA")
			return dir
		}, nil, []string{"<dir>/satellite/F.txt: labels do not agree: regions in ISO three-letter codes (AUT, WWA), but <dir>/Z.txt writes EXIOBASE's two-letter codes", "region_codes: rename"}, ErrLabel},
		{"codes mixed in one file", func(t *testing.T, dir string) string {
			edit(t, filepath.Join(dir, "Y.txt"), "region\t\tAT\tAT\tWA\tWA", "region\t\tAT\tAT\tWWA\tWWA")
			return dir
		}, nil, []string{"<dir>/Y.txt: labels do not agree: regions in two conventions: ISO three-letter codes (WWA) and EXIOBASE's two-letter codes (AT, WA)"}, ErrLabel},
		{"renamed column", func(t *testing.T, dir string) string {
			edit(t, filepath.Join(dir, "impacts", "F.txt"), "sector\ta\tb\ta\tb", "sector\ta\tb\ta\tB")
			return dir
		}, nil, []string{`<dir>/impacts/F.txt line 2 column 5: labels do not agree: column "WA/B" is not a product (row) of Z.txt`}, ErrLabel},
		{"missing member of a zip", func(t *testing.T, dir string) string {
			remove(t, filepath.Join(dir, "satellite", "F_Y.txt"))
			return zipDir(t, dir, "IOT/")
		}, nil, []string{"table.zip/IOT/satellite/F_Y.txt: file does not exist"}, fs.ErrNotExist},
		{"truncated zip", func(t *testing.T, dir string) string {
			z := zipDir(t, dir, "")
			data, _ := os.ReadFile(z)
			write(t, z, string(data[:len(data)/2]))
			return z
		}, nil, []string{"table.zip: unexpected layout: not a folder, nor a zip archive that can be read: zip: not a valid zip file"}, ErrLayout},
		{"damaged member of a zip", func(t *testing.T, dir string) string {
			z := zipDirMethod(t, dir, "", zip.Store)
			data, _ := os.ReadFile(z)
			s := string(data)
			i := strings.Index(s, "WA\ta\t")
			write(t, z, s[:i]+"WA\tq\t"+s[i+5:])
			return z
		}, nil, []string{"table.zip/", "zip: checksum error"}, nil},
		{"unknown option value", func(t *testing.T, dir string) string { return dir }, map[string]string{"region_codes": "loose"},
			[]string{`formats: exiobase3: option region_codes is "loose"; want strict or rename`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeExio3(t, dir, good)
			p := tt.change(t, dir)
			tab, err := Open("exiobase3", p, tt.opts)
			if err == nil {
				t.Fatalf("Open() = %d regions, want an error", len(tab.Regions))
			}
			for _, w := range tt.want {
				if w = strings.ReplaceAll(w, "<dir>", dir); !strings.Contains(err.Error(), w) {
					t.Errorf("Open() error\n%s\nlacks %q", err, w)
				}
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("error %q is not %v", err, tt.kind)
			}
		})
	}
}

// TestExiobase3Rename reads files that mix the conventions with the
// option that allows it: every code renamed.
func TestExiobase3Rename(t *testing.T) {
	dir := t.TempDir()
	writeExio3(t, dir, exio3Options{regions: [2]string{"AT", "WA"}, fyKey: "F_Y", unitCols: 1})
	edit(t, filepath.Join(dir, "satellite", "F.txt"), "region\tAT\tAT\tWA\tWA", "region\tAUT\tAUT\tWWA\tWWA")
	tab, err := Open("exiobase3", dir, map[string]string{"region_codes": "rename"})
	if err != nil {
		t.Fatal(err)
	}
	sameMatrix(t, "F", tab.Extensions[0].F, pymrioF, 0)
	if n := strings.Join(tab.Notes, "\n"); !strings.Contains(n, "in satellite/F.txt") {
		t.Errorf("notes %q do not name satellite/F.txt", tab.Notes)
	}
}
