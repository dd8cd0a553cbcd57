package formats

import (
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// copyGloria copies the GLORIA mock into a temporary folder.
func copyGloria(t *testing.T) string {
	t.Helper()
	return copyTree(t, filepath.Join(sharedData(t), "format-mocks", "gloria_mock"), "gloria")
}

// gloriaCSV reads a result file of the mock by position, independently of
// the reader.
func gloriaCSV(t *testing.T, dir, folder, part string) *mat.Dense {
	t.Helper()
	name := "0_120secMother_AllCountries_002_" + part + "-Results_2022_059_Markup001(full).csv"
	rows := readAll(t, filepath.Join(dir, folder, name), ',')
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, row := range rows {
		for j, c := range row {
			v, err := strconv.ParseFloat(c, 64)
			if err != nil {
				t.Fatal(err)
			}
			m.Set(i, j, v)
		}
	}
	return m
}

// TestGloriaMock reads the GLORIA mock (3 regions, 3 sectors) and checks
// the industry-technology construction against dense products computed
// here: Z = U g^-1 V, F = TQ g^-1 V, x = U 1 + Y 1 (so that Z 1 + Y 1 = x,
// x = L y, as pymrio has it).
func TestGloriaMock(t *testing.T) {
	dir := filepath.Join(sharedData(t), "format-mocks", "gloria_mock")
	tab, err := Open("gloria", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.Regions, []string{"AUS", "AUT", "AZE"}) || len(tab.Sectors) != 3 ||
		!slices.Equal(tab.Categories, []string{"Household final consumption P.3h", "Non-profit institutions serving households P.3n"}) {
		t.Fatalf("labels %q %q %q", tab.Regions, tab.Sectors, tab.Categories)
	}
	mrio, sat := "GLORIA_MRIOs_59_2022", "GLORIA_SatelliteAccounts_059_2022"
	T := gloriaCSV(t, dir, mrio, "T")
	yAll := gloriaCSV(t, dir, mrio, "Y")
	tq := gloriaCSV(t, dir, sat, "TQ")
	const R, S = 3, 3
	n := R * S
	u, v, y := mat.NewDense(n, n, nil), mat.NewDense(n, n, nil), mat.NewDense(n, 6, nil)
	q := mat.NewDense(5, n, nil)
	for a := range n {
		ia, pa := a/S*2*S+a%S, a/S*2*S+S+a%S // industry and product a in T
		for b := range n {
			ib, pb := b/S*2*S+b%S, b/S*2*S+S+b%S
			u.Set(a, b, T.At(pa, ib))
			v.Set(a, b, T.At(ia, pb))
		}
		for c := range 6 {
			y.Set(a, c, yAll.At(pa, c))
		}
		for k := range 5 {
			q.Set(k, a, tq.At(k, ia))
		}
	}
	ginv := mat.NewDiagDense(n, nil)
	for i := range n {
		if g := mat.Sum(v.RowView(i)); g != 0 {
			ginv.SetDiag(i, 1/g)
		}
	}
	var share, z, f mat.Dense
	share.Mul(ginv, v)
	z.Mul(u, &share)
	f.Mul(q, &share)
	sameMatrix(t, "Z", tab.Z, &z, 1e-12)
	sameMatrix(t, "Y", tab.Y, y, 0)
	sameMatrix(t, "Q F", tab.Extensions[0].F, &f, 1e-12)
	for i := range n {
		x := mat.Sum(u.RowView(i)) + mat.Sum(y.RowView(i))
		if tab.X[i] != x {
			t.Errorf("x[%d] = %v, want U 1 + Y 1 = %v", i, tab.X[i], x)
		}
		if got := mat.Sum(tab.Z.RowView(i)) + mat.Sum(tab.Y.RowView(i)); math.Abs(got-x) > 1e-12*x {
			t.Errorf("row %d: Z 1 + Y 1 = %v, x = %v", i, got, x)
		}
	}
	qe, va := tab.Extensions[0], tab.Extensions[1]
	if qe.Stressors[0] != "'c2f6_1A5_EDGAR_consistent'/Emissions (EDGAR)" || qe.Units[0] != "kilotonnes" {
		t.Errorf("Q stressor %q in %q", qe.Stressors[0], qe.Units[0])
	}
	if len(va.Stressors) != 6 || va.Stressors[3] != "AUT/Taxes on production D.29" {
		t.Errorf("VA stressors %q", va.Stressors)
	}
	if tab.Notes != nil {
		t.Errorf("notes %q, want none", tab.Notes)
	}

	// The same from zip archives of the two folders, in purchasers'
	// prices (the mock's are the same numbers).
	zipped := t.TempDir()
	for _, folder := range []string{mrio, sat} {
		if err := os.Rename(zipDir(t, filepath.Join(dir, folder), ""), filepath.Join(zipped, folder+".zip")); err != nil {
			t.Fatal(err)
		}
	}
	readMe, _ := os.ReadFile(filepath.Join(dir, "GLORIA_ReadMe_059.xlsx"))
	write(t, filepath.Join(zipped, "GLORIA_ReadMe_059.xlsx"), string(readMe))
	got, err := Open("gloria", zipped, map[string]string{"price": "pp", "year": "2022", "version": "059"})
	if err != nil {
		t.Fatal(err)
	}
	sameTables(t, got, tab)
}

// TestGloriaEmptyCountry zeroes the transactions of AZE: it is set aside
// and named in the notes, with what its final demand held.
func TestGloriaEmptyCountry(t *testing.T) {
	dir := copyGloria(t)
	for _, markup := range []string{"001", "005"} {
		file := filepath.Join(dir, "GLORIA_MRIOs_59_2022", "0_120secMother_AllCountries_002_T-Results_2022_059_Markup"+markup+"(full).csv")
		rows := readAll(t, file, ',')
		var b strings.Builder
		for i, row := range rows {
			for j := range row {
				if i >= 12 || j >= 12 {
					row[j] = "0.0"
				}
			}
			b.WriteString(strings.Join(row, ",") + "\n")
		}
		write(t, file, b.String())
	}
	tab, err := Open("gloria", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.Regions, []string{"AUS", "AUT"}) || tab.N() != 6 || len(tab.Extensions[1].Stressors) != 4 {
		t.Fatalf("regions %q, n %d, VA %q", tab.Regions, tab.N(), tab.Extensions[1].Stressors)
	}
	if len(tab.Notes) != 1 || !strings.HasPrefix(tab.Notes[0], "countries with no transactions set aside, as pymrio sets them aside: AZE; left out ") {
		t.Errorf("notes %q", tab.Notes)
	}
}

func TestGloriaBadInput(t *testing.T) {
	mrio := filepath.Join("GLORIA_MRIOs_59_2022", "0_120secMother_AllCountries_002_")
	tests := []dirCase{
		{"no ReadMe", func(t *testing.T, dir string) { remove(t, filepath.Join(dir, "GLORIA_ReadMe_059.xlsx")) }, nil,
			"<dir>: file does not exist: no GLORIA_ReadMe_059.xlsx, which names the regions, sectors and satellites", fs.ErrNotExist},
		{"no satellites", func(t *testing.T, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, "GLORIA_SatelliteAccounts_059_2022")); err != nil {
				t.Fatal(err)
			}
		}, nil, "no GLORIA_SatelliteAccounts_059_2022 folder or zip archive beside GLORIA_MRIOs_59_2022", fs.ErrNotExist},
		{"missing result", func(t *testing.T, dir string) {
			remove(t, filepath.Join(dir, mrio+"V-Results_2022_059_Markup001(full).csv"))
		},
			nil, "GLORIA_MRIOs_59_2022: file does not exist: no V-Results_2022_059_Markup001(full).csv", fs.ErrNotExist},
		{"a row short", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, mrio+"Y-Results_2022_059_Markup001(full).csv"), "0.0,0.0,0.0,0.0,0.0,0.0\n", "")
		}, nil, "Y-Results_2022_059_Markup001(full).csv: unexpected layout: 17 rows and 6 columns; the ReadMe's labels call for 18 and 6", ErrLayout},
		{"damaged ReadMe", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "GLORIA_ReadMe_059.xlsx"), "not a workbook")
		}, nil, "GLORIA_ReadMe_059.xlsx: unexpected layout: not an xlsx workbook", ErrLayout},
		{"no such year", func(*testing.T, string) {}, map[string]string{"year": "2021"},
			"<dir>: file does not exist: no GLORIA_MRIOs_VV_YEAR folder or zip archive of year 2021", fs.ErrNotExist},
		{"bad price", func(*testing.T, string) {}, map[string]string{"price": "xp"}, `formats: gloria: option price is "xp"; want bp or pp`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyGloria(t)
			tt.change(t, dir)
			_, err := Open("gloria", dir, tt.opts)
			wantError(t, err, tt.want, "<dir>", dir, tt.kind)
		})
	}
}
