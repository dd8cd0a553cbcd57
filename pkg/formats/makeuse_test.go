package formats

import (
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/table"
	"gonum.org/v1/gonum/mat"
)

// sutFixture writes a make and a use table of year into dir, in the BEA's
// layout: industries i1, i2; commodities c1, c2, c3; value added V001,
// V002; final demand F010, F040.
func sutFixture(t *testing.T, dir, year string) {
	t.Helper()
	write(t, filepath.Join(dir, "Summary_Make_"+year+"_BeforeRedef_17sch.csv"),
		",c1,c2,c3,Total Industry Output\n"+
			"i1,90,10,0,100\n"+
			"i2,0,30,170,200\n"+
			"Total Commodity Output,90,40,170,300\n")
	write(t, filepath.Join(dir, "Summary_Use_"+year+"_PRO_BeforeRedef_17sch.csv"),
		",i1,i2,Total Intermediate,F010,F040,Total Final Uses (GDP),Total Commodity Output\n"+
			"c1,10,20,30,50,10,60,90\n"+
			"c2,5,15,20,15,5,20,40\n"+
			"c3,25,40,65,100,5,105,170\n"+
			"Total Intermediate,40,75,115,165,20,185,300\n"+
			"V001,35,80,115,0,0,0,115\n"+
			"V002,25,45,70,0,0,0,70\n"+
			"Total Value Added,60,125,185,0,0,0,185\n"+
			"Total Industry Output,100,200,300,0,0,0,300\n")
}

func TestSUTFixture(t *testing.T) {
	dir := t.TempDir()
	sutFixture(t, dir, "2001")
	tab, err := Open("sut", dir, map[string]string{"year": "2001"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.Regions, []string{"US"}) || !slices.Equal(tab.Sectors, []string{"c1", "c2", "c3"}) ||
		!slices.Equal(tab.Categories, []string{"F010", "F040"}) {
		t.Fatalf("labels %q %q %q", tab.Regions, tab.Sectors, tab.Categories)
	}
	// MATH.md: A = B D with B = U g^-1, D = V q^-1, x = q = V^T 1; so
	// Z = A diag(q) = U g^-1 V.
	u := mat.NewDense(3, 2, []float64{10, 20, 5, 15, 25, 40})
	v := mat.NewDense(2, 3, []float64{90, 10, 0, 0, 30, 170})
	g := []float64{100, 200}
	q := []float64{90, 40, 170}
	b := mat.NewDense(3, 2, nil)
	d := mat.NewDense(2, 3, nil)
	for i := range 3 {
		for j := range 2 {
			b.Set(i, j, u.At(i, j)/g[j])
			d.Set(j, i, v.At(j, i)/q[i])
		}
	}
	var a, z mat.Dense
	a.Mul(b, d)
	z.Mul(&a, mat.NewDiagDense(3, q))
	sameMatrix(t, "Z", tab.Z, &z, 1e-14)
	if !slices.Equal(tab.X, q) {
		t.Errorf("x = %v, want q = V^T 1 = %v", tab.X, q)
	}
	sameMatrix(t, "Y", tab.Y, mat.NewDense(3, 2, []float64{50, 10, 15, 5, 100, 5}), 0)
	e := tab.Extensions[0]
	if e.Name != "value_added" || !slices.Equal(e.Stressors, []string{"V001", "V002", "Total Value Added"}) || e.Units[0] != "million USD" {
		t.Errorf("extension %q %q %q", e.Name, e.Stressors, e.Units)
	}
	// S = f D: value added per unit of commodity output.
	f := mat.NewDense(3, 2, []float64{35, 80, 25, 45, 60, 125})
	for s := range 3 {
		for c := range 3 {
			var want float64
			for i := range 2 {
				want += f.At(s, i) / g[i] * v.At(i, c)
			}
			if got := e.F.At(s, c); math.Abs(got-want) > 1e-12*want {
				t.Errorf("F[%s, %s] = %v, want %v", e.Stressors[s], tab.Sectors[c], got, want)
			}
		}
	}
	checkValueAdded(t, tab, 1e-12)
	if tab.Notes != nil {
		t.Errorf("notes %q for a balanced table", tab.Notes)
	}
}

// checkValueAdded asserts MATH.md 12 on a table from make and use: value
// added per commodity is x minus the inputs of Z, to rtol.
func checkValueAdded(t *testing.T, tb *table.Table, rtol float64) {
	t.Helper()
	for c := range tb.N() {
		in := mat.Sum(tb.Z.ColView(c))
		if d := math.Abs(tb.X[c] - in - tb.ValueAdded[c]); d > rtol*tb.X[c] {
			t.Errorf("%s: x - colsum Z = %v, value added %v (difference %g)", tb.Sectors[c], tb.X[c]-in, tb.ValueAdded[c], d)
		}
	}
}

// TestSUTBEA reads the twelve years of the BEA's summary tables: value
// added must be x minus the inputs, to the rounding of the BEA's whole
// millions, and add up to the use table's total value added exactly.
func TestSUTBEA(t *testing.T) {
	dir := filepath.Join(sharedData(t), "bea-summary-2012-2023", "csv")
	for y := 2012; y <= 2023; y++ {
		year := strconv.Itoa(y)
		t.Run(year, func(t *testing.T) {
			tab, err := Open("sut", dir, map[string]string{"year": year})
			if err != nil {
				t.Fatal(err)
			}
			if len(tab.Sectors) != 73 || len(tab.Categories) != 20 {
				t.Fatalf("%d commodities, %d final-demand columns; want 73, 20", len(tab.Sectors), len(tab.Categories))
			}
			checkValueAdded(t, tab, 1e-3) // the BEA rounds to whole millions
			var total float64
			for _, v := range tab.ValueAdded {
				total += v
			}
			use := readAll(t, filepath.Join(dir, "Summary_Use_"+year+"_PRO_BeforeRedef_17sch.csv"), ',')
			var want float64 // the sum over industries of the row Total Value Added
			for _, row := range use {
				if row[0] != "Total Value Added" {
					continue
				}
				for _, cell := range row[1:slices.Index(use[0], "Total Intermediate")] {
					v, err := strconv.ParseFloat(cell, 64)
					if err != nil {
						t.Fatal(err)
					}
					want += v
				}
			}
			if math.Abs(total-want) > 1e-12*want {
				t.Errorf("value added %v, the use table's total %v", total, want)
			}
		})
	}
}

func TestSUTBadInput(t *testing.T) {
	tests := []dirCase{
		{"no year", func(*testing.T, string) {}, map[string]string{},
			`formats: sut: the file name "Summary_Make_{year}_BeforeRedef_17sch.csv" needs the option year`, nil},
		{"missing use", func(t *testing.T, dir string) {
			remove(t, filepath.Join(dir, "Summary_Use_2002_PRO_BeforeRedef_17sch.csv"))
		}, nil,
			"<dir>/Summary_Use_2002_PRO_BeforeRedef_17sch.csv: no such file", fs.ErrNotExist},
		{"renamed industry column", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Summary_Use_2002_PRO_BeforeRedef_17sch.csv"), ",i1,i2,", ",i1,i3,")
		}, nil, `<dir>/Summary_Use_2002_PRO_BeforeRedef_17sch.csv: labels do not agree: no column "i2"; Summary_Make_2002_BeforeRedef_17sch.csv has it`, ErrLabel},
		{"renamed commodity row", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Summary_Use_2002_PRO_BeforeRedef_17sch.csv"), "\nc2,", "\nC2,")
		}, nil, `Summary_Use_2002_PRO_BeforeRedef_17sch.csv: labels do not agree: no row "c2"`, ErrLabel},
		{"labels differ between years", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Summary_Make_2002_BeforeRedef_17sch.csv"), ",c1,c2,c3,", ",c1,c2,c4,")
			edit(t, filepath.Join(dir, "Summary_Use_2002_PRO_BeforeRedef_17sch.csv"), "\nc3,", "\nc4,")
		}, nil, `<dir>/Summary_Make_2002_BeforeRedef_17sch.csv: labels do not agree: its commodities differ from those of Summary_Make_2001_BeforeRedef_17sch.csv (year 2001): lacks c3; has c4 besides`, ErrLabel},
		{"duplicated commodity", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Summary_Make_2002_BeforeRedef_17sch.csv"), ",c1,c2,c3,", ",c1,c2,c1,")
		}, nil, `Summary_Make_2002_BeforeRedef_17sch.csv line 1 column 4: duplicated label: column "c1" appears twice (also column 2)`, ErrDuplicateLabel},
		{"text in a cell", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "Summary_Make_2002_BeforeRedef_17sch.csv"), "i2,0,30", "i2,(D),30")
		}, nil, `Summary_Make_2002_BeforeRedef_17sch.csv line 3 column 2: not a number: "(D)" (row "i2", column "c1")`, ErrNotNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			sutFixture(t, dir, "2001")
			sutFixture(t, dir, "2002")
			tt.change(t, dir)
			opts := tt.opts
			if opts == nil {
				opts = map[string]string{"year": "2002"}
			}
			_, err := Open("sut", dir, opts)
			wantError(t, err, tt.want, "<dir>", dir, tt.kind)
		})
	}
}
