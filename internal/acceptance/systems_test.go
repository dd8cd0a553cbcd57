package acceptance

import (
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// gaDir is the GA 2019 model's CSV folder.
func gaDir(t testing.TB) string {
	return filepath.Join(dataDir(t), "useeior-ga-2r-2019", "csv")
}

// splitCode splits a USEEIO label "code/location" at its last "/".
func splitCode(t testing.TB, label string) (code, region string) {
	t.Helper()
	i := strings.LastIndexByte(label, '/')
	if i < 0 {
		t.Fatalf("label %q is not code/location", label)
	}
	return label[:i], label[i+1:]
}

// gaSystem reads the GA 2019 model as the example job asks: A, B as S,
// the 2019 Consumption_Complete demand vector of each region (from
// DemandVectors_NO_ExpRes.csv) as y_r, and the households' direct
// emissions F_Y[s, r] = B_h[s, r] times the sum of that vector. Every
// matrix is ordered by A's labels.
func gaSystem(t testing.TB) *system {
	t.Helper()
	dir := gaDir(t)
	a := readCSV(t, filepath.Join(dir, "A.csv"))
	sys := &system{A: a.v}
	order := a.rowIndex("/")
	for i, l := range a.rows {
		if l[0] != a.cols[i][0] {
			t.Fatalf("A.csv: row %d is %s, column %d is %s", i, l[0], i, a.cols[i][0])
		}
		code, region := splitCode(t, l[0])
		if len(sys.regions) == 0 || sys.regions[len(sys.regions)-1] != region {
			sys.regions = append(sys.regions, region)
		}
		if len(sys.regions) == 1 {
			sys.sectors = append(sys.sectors, code)
		}
	}
	n := len(a.rows)
	if n != len(sys.regions)*len(sys.sectors) {
		t.Fatalf("A.csv: %d rows, not %d regions x %d sectors", n, len(sys.regions), len(sys.sectors))
	}
	m := len(sys.sectors)
	for i, l := range a.rows {
		if code, region := splitCode(t, l[0]); code != sys.sectors[i%m] || region != sys.regions[i/m] {
			t.Fatalf("A.csv: row %d is %s, not region-major", i, l[0])
		}
	}

	b := readCSV(t, filepath.Join(dir, "B.csv"))
	ext := oracleExt{S: mat.NewDense(len(b.rows), n, nil)}
	for s, l := range b.rows {
		ext.stressors = append(ext.stressors, l[0])
		for j, c := range b.cols {
			ext.S.Set(s, column(t, "B.csv", order, c[0]), b.v.At(s, j))
		}
	}

	d := readCSV(t, filepath.Join(dir, "DemandVectors_NO_ExpRes.csv"))
	dcols := d.colIndex("")
	sys.yr = mat.NewDense(n, len(sys.regions), nil)
	basis := make([]float64, len(sys.regions))
	for r, region := range sys.regions {
		c := column(t, "DemandVectors_NO_ExpRes.csv", dcols, "2019_"+region+"_Consumption_Complete")
		for i, l := range d.rows {
			v := d.v.At(i, c)
			sys.yr.Set(column(t, "DemandVectors_NO_ExpRes.csv", order, l[0]), r, v)
			basis[r] += v
		}
	}

	bh := readCSV(t, filepath.Join(dir, "B_h.csv"))
	bcols := bh.colIndex("")
	ext.FY = mat.NewDense(len(ext.stressors), len(sys.regions), nil)
	for s, l := range bh.rows {
		if l[0] != ext.stressors[s] {
			t.Fatalf("B_h.csv: row %d is %s, B.csv's is %s", s, l[0], ext.stressors[s])
		}
		for r, region := range sys.regions {
			ext.FY.Set(s, r, bh.v.At(s, column(t, "B_h.csv", bcols, "F010/"+region))*basis[r])
		}
	}
	sys.exts = []oracleExt{ext}
	return sys
}

// column returns idx[label], failing the test when the file has no such
// label.
func column(t testing.TB, file string, idx map[string]int, label string) int {
	t.Helper()
	i, ok := idx[label]
	if !ok {
		t.Fatalf("%s: no label %q", file, label)
	}
	return i
}

// pymrioDir is the folder of pymrio's test MRIO as save_all wrote it.
func pymrioDir(t testing.TB) string {
	return filepath.Join(dataDir(t), "pymrio-test-mrio", "saved")
}

// pymrioSystem reads pymrio's saved test MRIO with this package's reader
// and returns it as pymrio's calc_all sees it, with the value added of each
// sector (factor_inputs' "Value Added"), and the flows F and F_Y.
func pymrioSystem(t testing.TB) (*system, []flowExt) {
	t.Helper()
	regions, sectors, Z, Y, exts := savedSystem(t, pymrioDir(t),
		extDir{"emissions", 2}, extDir{"factor_inputs", 1})
	var va []float64
	for _, e := range exts {
		for s, name := range e.stressors {
			if e.name == "factor_inputs" && name == "Value Added" {
				va = mat.Row(nil, s, e.F)
			}
		}
	}
	if va == nil {
		t.Fatal("pymrio test MRIO: no Value Added in factor_inputs")
	}
	return flowSystem(regions, sectors, Z, Y, va, exts), exts
}
