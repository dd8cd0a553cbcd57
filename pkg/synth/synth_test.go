package synth

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readTxt reads a pymrio txt matrix with two header rows, an index-name row
// and two index columns.
func readTxt(t *testing.T, path string) [][]float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	var rows [][]float64
	for _, l := range lines[3:] {
		cells := strings.Split(l, "\t")[2:]
		row := make([]float64, len(cells))
		for i, c := range cells {
			if row[i], err = strconv.ParseFloat(c, 64); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func TestStructure(t *testing.T) {
	dir := t.TempDir()
	opt := Options{Regions: 3, Sectors: 5, Stressors: 2, Seed: 42}
	if err := Write(dir, opt); err != nil {
		t.Fatal(err)
	}
	n := 15
	z := readTxt(t, filepath.Join(dir, "Z.txt"))
	y := readTxt(t, filepath.Join(dir, "Y.txt"))
	f := readTxt(t, filepath.Join(dir, "emissions", "F.txt"))
	if len(z) != n || len(z[0]) != n || len(y) != n || len(y[0]) != 3*len(Categories) || len(f) != 2 || len(f[0]) != n {
		t.Fatalf("shapes Z %dx%d Y %dx%d F %dx%d", len(z), len(z[0]), len(y), len(y[0]), len(f), len(f[0]))
	}
	x := make([]float64, n)
	negativeInventory := false
	for i := range x {
		for _, v := range z[i] {
			x[i] += v
		}
		for c, v := range y[i] {
			x[i] += v
			if c%len(Categories) == len(Categories)-1 && v < 0 {
				negativeInventory = true
			}
		}
	}
	if !negativeInventory {
		t.Error("no negative change in inventories")
	}
	for j := 0; j < n; j++ {
		var col float64
		for i := 0; i < n; i++ {
			col += z[i][j] / x[j]
		}
		if col <= 0 || col > 0.55+1e-6 {
			t.Errorf("column %d of A sums to %g, want (0, 0.55]", j, col)
		}
	}
	// Import blocks are sparser than domestic ones.
	var dom, imp int
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if z[i][j] != 0 {
				if i/5 == j/5 {
					dom++
				} else {
					imp++
				}
			}
		}
	}
	if dom != 3*25 || imp >= 6*25/2 {
		t.Errorf("non-zeros: domestic %d of 75, imports %d of 150", dom, imp)
	}
}

func TestDeterministic(t *testing.T) {
	read := func(seed uint64) []byte {
		dir := t.TempDir()
		if err := Write(dir, Options{Regions: 2, Sectors: 3, Seed: seed}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "Z.txt"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(read(1), read(1)) {
		t.Error("one seed gave two tables")
	}
	if bytes.Equal(read(1), read(2)) {
		t.Error("two seeds gave one table")
	}
}
