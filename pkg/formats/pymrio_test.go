package formats

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/table"
	"gonum.org/v1/gonum/mat"
)

// The numbers of the fixture testdata/pymrio.
var (
	pymrioZ = mat.NewDense(4, 4, []float64{10, 20, 5, 1, 3, 8, 2, 4, 6, 1, 12, 9, 2, 5, 7, 11})
	pymrioY = mat.NewDense(4, 4, []float64{30, 5, 4, 1, 20, 2, 3, 0, 6, 1, 40, 8, 2, 0, 25, 5})
	pymrioF = mat.NewDense(2, 4, []float64{100, 200, 50, 80, 1, 2, 0.5, 0.25})
	pymrioV = []float64{40, 30, 60, 50}
)

func openPymrio(t *testing.T, dir string) *table.Table {
	t.Helper()
	tab, err := Open("pymrio", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestPymrio(t *testing.T) {
	tab := openPymrio(t, filepath.Join("testdata", "pymrio"))
	labels := []struct {
		what      string
		got, want []string
	}{
		{"regions", tab.Regions, []string{"r1", "r2"}},
		{"sectors", tab.Sectors, []string{"a", "b"}},
		{"consumers", tab.Consumers, []string{"r1", "r2"}},
		{"categories", tab.Categories, []string{"hh", "gov"}},
	}
	for _, l := range labels {
		if !slices.Equal(l.got, l.want) {
			t.Errorf("%s = %q, want %q", l.what, l.got, l.want)
		}
	}
	sameMatrix(t, "Z", tab.Z, pymrioZ, 0)
	sameMatrix(t, "Y", tab.Y, pymrioY, 0)
	if tab.A != nil || tab.X != nil {
		t.Errorf("A = %v, X = %v; want nil for a flow table without x", tab.A, tab.X)
	}
	if len(tab.Extensions) != 2 {
		t.Fatalf("%d extensions, want 2", len(tab.Extensions))
	}
	em, fi := tab.Extensions[0], tab.Extensions[1]
	if em.Name != "emissions" || fi.Name != "factor_inputs" {
		t.Errorf("extensions %q, %q; want emissions, factor_inputs (the folder names)", em.Name, fi.Name)
	}
	if !slices.Equal(em.Stressors, []string{"co2/air", "ch4/air"}) || !slices.Equal(em.Units, []string{"kg", "g"}) {
		t.Errorf("emissions: stressors %q, units %q", em.Stressors, em.Units)
	}
	sameMatrix(t, "emissions F", em.F, pymrioF, 0)
	sameMatrix(t, "emissions F_Y", em.FY, mat.NewDense(2, 4, []float64{7, 0, 9, 0, 0.5, 0, 0.25, 0}), 0)
	if !slices.Equal(fi.Stressors, []string{"Value Added"}) || !slices.Equal(fi.Units, []string{"EUR"}) || fi.FY != nil {
		t.Errorf("factor_inputs: stressors %q, units %q, FY %v", fi.Stressors, fi.Units, fi.FY)
	}
	if !slices.Equal(tab.ValueAdded, pymrioV) {
		t.Errorf("ValueAdded = %v, want %v", tab.ValueAdded, pymrioV)
	}
}

// pymrioText writes a matrix in pymrio's txt layout: two header rows, the
// row of index names, then rows; labels are pairs, value(i, j) the cell of
// rows[i] and cols[j].
func pymrioText(colLevels, index [2]string, rows, cols [][2]string, value func(i, j int) float64) string {
	var b strings.Builder
	for level := range 2 {
		b.WriteString(colLevels[level] + "\t")
		for _, c := range cols {
			b.WriteString("\t" + c[level])
		}
		b.WriteString("\n")
	}
	b.WriteString(index[0] + "\t" + index[1] + strings.Repeat("\t", len(cols)) + "\n")
	for i, r := range rows {
		b.WriteString(r[0] + "\t" + r[1])
		for j := range cols {
			b.WriteString("\t" + strconv.FormatFloat(value(i, j), 'g', -1, 64))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestPymrioMatchesByLabel reorders the rows and columns of every file:
// the table read must hold the same numbers under the same labels.
func TestPymrioMatchesByLabel(t *testing.T) {
	prod := [][2]string{{"r1", "a"}, {"r1", "b"}, {"r2", "a"}, {"r2", "b"}} // the fixture's order
	dem := [][2]string{{"r1", "hh"}, {"r1", "gov"}, {"r2", "hh"}, {"r2", "gov"}}
	at := func(m *mat.Dense, rows, cols []int) func(i, j int) float64 {
		return func(i, j int) float64 { return m.At(rows[i], cols[j]) }
	}
	pick := func(labels [][2]string, order []int) [][2]string {
		out := make([][2]string, len(order))
		for i, o := range order {
			out[i] = labels[o]
		}
		return out
	}
	rowOrder, colOrder, demOrder := []int{3, 0, 2, 1}, []int{3, 1, 2, 0}, []int{1, 3, 0, 2}
	dir := copyDir(t, "pymrio")
	write(t, filepath.Join(dir, "Z.txt"), pymrioText([2]string{"region", "sector"}, [2]string{"region", "sector"},
		pick(prod, rowOrder), pick(prod, colOrder), at(pymrioZ, rowOrder, colOrder)))
	write(t, filepath.Join(dir, "Y.txt"), pymrioText([2]string{"region", "category"}, [2]string{"region", "sector"},
		pick(prod, colOrder), pick(dem, demOrder), at(pymrioY, colOrder, demOrder)))
	write(t, filepath.Join(dir, "emissions", "F.txt"), pymrioText([2]string{"region", "sector"}, [2]string{"stressor", "compartment"},
		[][2]string{{"co2", "air"}, {"ch4", "air"}}, pick(prod, rowOrder), at(pymrioF, []int{0, 1}, rowOrder)))
	write(t, filepath.Join(dir, "emissions", "unit.txt"), "stressor\tcompartment\tunit\nch4\tair\tg\nco2\tair\tkg\n")
	tab := openPymrio(t, dir)

	// Regions and sectors come in the order of Z's rows: r2, r1 and b, a;
	// so the products are r2/b, r2/a, r1/b, r1/a, the fixture's 3, 2, 1, 0.
	if !slices.Equal(tab.Regions, []string{"r2", "r1"}) || !slices.Equal(tab.Sectors, []string{"b", "a"}) {
		t.Fatalf("regions %q, sectors %q; want the order of Z's rows", tab.Regions, tab.Sectors)
	}
	if !slices.Equal(tab.Categories, []string{"gov", "hh"}) {
		t.Errorf("categories %q, want gov, hh (first seen in Y)", tab.Categories)
	}
	p := []int{3, 2, 1, 0} // product i of the table is the fixture's p[i]
	d := []int{3, 2, 1, 0} // columns r2/gov, r2/hh, r1/gov, r1/hh
	wantZ, wantY := mat.NewDense(4, 4, nil), mat.NewDense(4, 4, nil)
	wantF := mat.NewDense(2, 4, nil)
	for i := range 4 {
		for j := range 4 {
			wantZ.Set(i, j, pymrioZ.At(p[i], p[j]))
			wantY.Set(i, j, pymrioY.At(p[i], d[j]))
		}
		for s := range 2 {
			wantF.Set(s, i, pymrioF.At(s, p[i]))
		}
	}
	sameMatrix(t, "Z", tab.Z, wantZ, 0)
	sameMatrix(t, "Y", tab.Y, wantY, 0)
	sameMatrix(t, "F", tab.Extensions[0].F, wantF, 0)
	if got := tab.Extensions[0].Units; !slices.Equal(got, []string{"kg", "g"}) {
		t.Errorf("units %q, want kg, g matched by stressor", got)
	}
}

func TestPymrioExtraConsumer(t *testing.T) {
	dir := copyDir(t, "pymrio")
	write(t, filepath.Join(dir, "Y.txt"), "region\t\tr1\tr1\tr2\tr2\tROW\tROW\n"+
		"category\t\thh\tgov\thh\tgov\thh\tgov\n"+
		"region\tsector\t\t\t\t\t\t\n"+
		"r1\ta\t30\t5\t4\t1\t7\t0\n"+
		"r1\tb\t20\t2\t3\t0\t0\t1\n"+
		"r2\ta\t6\t1\t40\t8\t2\t0\n"+
		"r2\tb\t2\t0\t25\t5\t3\t3\n")
	write(t, filepath.Join(dir, "emissions", "F_Y.txt"), "region\t\tr1\tr1\tr2\tr2\tROW\tROW\n"+
		"category\t\thh\tgov\thh\tgov\thh\tgov\n"+
		"stressor\tcompartment\t\t\t\t\t\t\n"+
		"co2\tair\t7\t0\t9\t0\t1\t0\n"+
		"ch4\tair\t0.5\t0\t0.25\t0\t0\t0\n")
	tab := openPymrio(t, dir)
	if !slices.Equal(tab.Consumers, []string{"r1", "r2", "ROW"}) {
		t.Fatalf("consumers %q, want r1, r2, ROW", tab.Consumers)
	}
	if got := tab.Y.At(3, 5); got != 3 {
		t.Errorf("Y[r2/b, ROW/gov] = %v, want 3", got)
	}
	if got := tab.Extensions[0].FY.At(0, 4); got != 1 {
		t.Errorf("FY[co2/air, ROW/hh] = %v, want 1", got)
	}
}

func TestPymrioCoefficientForm(t *testing.T) {
	dir := copyDir(t, "pymrio")
	edit(t, filepath.Join(dir, "file_parameters.json"), `"Z": {`, `"x": {"name": "x.txt", "nr_index_col": "2", "nr_header": "1"}, "A": {`)
	edit(t, filepath.Join(dir, "file_parameters.json"), `"Z.txt"`, `"A.txt"`)
	write(t, filepath.Join(dir, "A.txt"), "region\t\tr1\tr1\tr2\tr2\nsector\t\ta\tb\ta\tb\nregion\tsector\t\t\t\t\n"+
		"r1\ta\t0.1\t0.2\t0\t0\nr1\tb\t0\t0.1\t0\t0\nr2\ta\t0\t0\t0.3\t0\nr2\tb\t0\t0\t0\t0.4\n")
	write(t, filepath.Join(dir, "x.txt"), "region\tsector\tindout\nr2\tb\t8\nr1\ta\t2\nr1\tb\t4\nr2\ta\t6\n")
	for _, ext := range []string{"emissions", "factor_inputs"} {
		edit(t, filepath.Join(dir, ext, "file_parameters.json"), `"F": {`, `"S": {`)
	}
	write(t, filepath.Join(dir, "factor_inputs", "F.txt"), "region\tr1\tr1\tr2\tr2\nsector\ta\tb\ta\tb\ninputtype\t\t\t\t\n"+
		"Value Added\t0.5\t0.25\t0.5\t0.5\n")
	tab := openPymrio(t, dir)
	if tab.Z != nil || tab.A == nil || tab.A.At(3, 3) != 0.4 {
		t.Fatalf("Z = %v, A = %v; want the coefficients of A.txt", tab.Z, tab.A)
	}
	if want := []float64{2, 4, 6, 8}; !slices.Equal(tab.X, want) {
		t.Errorf("X = %v, want %v", tab.X, want)
	}
	if tab.Extensions[0].S == nil || tab.Extensions[0].F != nil {
		t.Errorf("emissions: S %v, F %v; want S", tab.Extensions[0].S, tab.Extensions[0].F)
	}
	if want := []float64{1, 1, 3, 4}; !slices.Equal(tab.ValueAdded, want) {
		t.Errorf("ValueAdded = %v, want S x = %v", tab.ValueAdded, want)
	}
}

func TestPymrioBadInput(t *testing.T) {
	runBad(t, "pymrio", "pymrio", []badCase{
		{name: "missing file", change: func(t *testing.T, dir string) { remove(t, filepath.Join(dir, "Y.txt")) },
			want: []string{"formats: <dir>/Y.txt: no such file or directory"}, kind: fs.ErrNotExist},
		{name: "missing parameters", change: func(t *testing.T, dir string) { remove(t, filepath.Join(dir, "file_parameters.json")) },
			want: []string{"formats: <dir>/file_parameters.json: no such file"}, kind: fs.ErrNotExist},
		{name: "ragged row", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Z.txt"), "r1\tb\t3\t8\t2\t4", "r1\tb\t3\t8\t2")
		}, want: []string{"formats: <dir>/Z.txt line 5 column 6: ragged row: 5 cells, want 6 as on line 1"}, kind: ErrRagged},
		{name: "non-numeric cell", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Y.txt"), "r2\ta\t6\t1", "r2\ta\t6\tone")
		}, want: []string{`formats: <dir>/Y.txt line 6 column 4: not a number: "one" (row "r2/a", column "r1/gov")`}, kind: ErrNotNumber},
		{name: "NaN", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "emissions", "F.txt"), "ch4\tair\t1\t2", "ch4\tair\tnan\t2")
		}, want: []string{`<dir>/emissions/F.txt line 5 column 3: not a finite number: "nan" (row "ch4/air", column "r1/a")`}, kind: ErrNotFinite},
		{name: "Inf", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Z.txt"), "r2\tb\t2", "r2\tb\tInf")
		}, want: []string{`<dir>/Z.txt line 7 column 3: not a finite number: "Inf"`}, kind: ErrNotFinite},
		{name: "labels differ between Z and Y", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Y.txt"), "r2\tb\t", "r2\tc\t")
		}, want: []string{`formats: <dir>/Y.txt line 7 column 1: labels do not agree: row "r2/c" is not a product (row) of Z.txt`}, kind: ErrLabel},
		{name: "row missing from Y", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Y.txt"), "r2\tb\t2\t0\t25\t5\n", "")
		}, want: []string{`formats: <dir>/Y.txt: labels do not agree: no row "r2/b"; every region needs every sector of Z.txt`}, kind: ErrLabel},
		{name: "column of Z not a row", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Z.txt"), "sector\t\ta\tb\ta\tb", "sector\t\ta\tb\ta\tB")
		}, want: []string{`formats: <dir>/Z.txt line 2 column 6: labels do not agree: column "r2/B" is not a product (row) of Z.txt`}, kind: ErrLabel},
		{name: "duplicated label", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Z.txt"), "r2\ta\t", "r1\ta\t")
		}, want: []string{`formats: <dir>/Z.txt line 6 column 1: duplicated label: row "r1/a" appears twice (also line 4)`}, kind: ErrDuplicateLabel},
		{name: "duplicated stressor", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "emissions", "F.txt"), "ch4\tair", "co2\tair")
		}, want: []string{`<dir>/emissions/F.txt line 5 column 1: duplicated label: row "co2/air" appears twice (also line 4)`}, kind: ErrDuplicateLabel},
		{name: "region without a sector", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Z.txt"), "r2\tb\t", "r3\tb\t")
		}, want: []string{`formats: <dir>/Z.txt: labels do not agree: no row "r2/b"; every region needs every sector of Z.txt`}, kind: ErrLabel},
		{name: "unit of an unknown stressor", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "emissions", "unit.txt"), "ch4\tair", "n2o\tair")
		}, want: []string{`<dir>/emissions/unit.txt line 3 column 1: labels do not agree: row "n2o/air" is not a stressor of F.txt`}, kind: ErrLabel},
		{name: "all-zero table", change: func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "Z.txt"), "region\t\tr1\tr1\tr2\tr2\nsector\t\ta\tb\ta\tb\nregion\tsector\t\t\t\t\n"+
				"r1\ta\t0\t0\t0\t0\nr1\tb\t0\t0\t0\t0\nr2\ta\t0\t0\t0\t0\nr2\tb\t0\t0\t0\t0\n")
			write(t, filepath.Join(dir, "Y.txt"), "region\t\tr1\tr1\tr2\tr2\ncategory\t\thh\tgov\thh\tgov\nregion\tsector\t\t\t\t\n"+
				"r1\ta\t0\t0\t0\t0\nr1\tb\t0\t0\t0\t0\nr2\ta\t0\t0\t0\t0\nr2\tb\t0\t0\t0\t0\n")
		}, want: []string{"formats: pymrio: table: <dir>: Z and Y are all zero"}},
		{name: "unexpected layout", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "file_parameters.json"), `"nr_index_col": "2"`, `"nr_index_col": "3"`)
		}, want: []string{"formats: <dir>/file_parameters.json: unexpected layout: file Z has nr_index_col 3, want 2"}, kind: ErrLayout},
		{name: "neither Z nor A", change: func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "file_parameters.json"), `"Z": {`, `"Q": {`)
		}, want: []string{"file_parameters.json: unexpected layout: names neither Z nor A"}, kind: ErrLayout},
		{name: "unknown option", opts: map[string]string{"demand": "x"}, change: func(*testing.T, string) {},
			want: []string{`formats: pymrio: unknown option "demand" (known: none)`}},
	})
}

func TestOpenUnknownFormat(t *testing.T) {
	_, err := Open("exiobase9", "x", nil)
	want := `formats: unknown format "exiobase9" (known: ` + strings.Join(Formats(), ", ") + ")"
	if err == nil || err.Error() != want || !strings.Contains(want, "pymrio, ") || !strings.Contains(want, "useeio") {
		t.Errorf("Open(unknown format) = %v, want %s", err, want)
	}
}

// TestPymrioZip reads the fixture from a zip archive, at its root and in
// a folder: the same table as from the folder.
func TestPymrioZip(t *testing.T) {
	want := openPymrio(t, filepath.Join("testdata", "pymrio"))
	for _, prefix := range []string{"", "saved/"} {
		t.Run("prefix "+prefix, func(t *testing.T) {
			got := openPymrio(t, zipDir(t, filepath.Join("testdata", "pymrio"), prefix))
			sameTables(t, got, want)
			if !slices.Equal(got.ValueAdded, want.ValueAdded) {
				t.Errorf("ValueAdded = %v, want %v", got.ValueAdded, want.ValueAdded)
			}
		})
	}
}
