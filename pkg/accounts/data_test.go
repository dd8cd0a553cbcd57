package accounts

import (
	"github.com/mrioflow/mrioflow/internal/shareddata"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// pymrioDir returns the folder of pymrio's test MRIO in the shared data,
// found by walking up from the package folder.
func pymrioDir(t testing.TB) string {
	t.Helper()
	return shareddata.Dir(t, "pymrio-test-mrio")
}

// labelled is a matrix read from a file, with its row and column labels.
type labelled struct {
	rows, cols []string
	m          *mat.Dense
}

// readExpected reads one of the expected/*.csv files: a header row of
// column labels (first cell empty), then a label and numbers per row.
func readExpected(t testing.TB, name string) labelled {
	t.Helper()
	lines := readLines(t, filepath.Join(pymrioDir(t), "expected", name))
	var out labelled
	out.cols = strings.Split(lines[0], ",")[1:]
	var data []float64
	for i, line := range lines[1:] {
		cells := strings.Split(line, ",")
		out.rows = append(out.rows, cells[0])
		data = append(data, parseFloats(t, name, i+2, cells[1:])...)
	}
	out.m = mat.NewDense(len(out.rows), len(out.cols), data)
	return out
}

// readSaved reads a matrix that pymrio's save_all wrote as text: two header
// rows of column labels, a row of index names, then nIndex label cells and
// the numbers on each row. cols holds the two header labels of each
// column, joined by "_".
func readSaved(t testing.TB, rel string, nIndex int) labelled {
	t.Helper()
	lines := readLines(t, filepath.Join(pymrioDir(t), "saved", rel))
	top := strings.Split(lines[0], "\t")[nIndex:]
	second := strings.Split(lines[1], "\t")[nIndex:]
	var out labelled
	for j := range top {
		out.cols = append(out.cols, top[j]+"_"+second[j])
	}
	var data []float64
	for i, line := range lines[3:] {
		cells := strings.Split(line, "\t")
		out.rows = append(out.rows, strings.Join(cells[:nIndex], "_"))
		data = append(data, parseFloats(t, rel, i+4, cells[nIndex:])...)
	}
	out.m = mat.NewDense(len(out.rows), len(out.cols), data)
	return out
}

func readLines(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	return strings.Split(strings.TrimRight(text, "\n"), "\n")
}

func parseFloats(t testing.TB, file string, line int, cells []string) []float64 {
	t.Helper()
	out := make([]float64, len(cells))
	for j, c := range cells {
		v, err := strconv.ParseFloat(c, 64)
		if err != nil {
			t.Fatalf("%s:%d: column %d: %v", file, line, j+2, err)
		}
		out[j] = v
	}
	return out
}

// splitLabels splits "region_rest" labels at the first "_" into the
// distinct regions and the distinct rests, in order of appearance.
func splitLabels(labels []string) (regions, rest []string) {
	seenR, seenS := map[string]bool{}, map[string]bool{}
	for _, l := range labels {
		r, s, _ := strings.Cut(l, "_")
		if !seenR[r] {
			seenR[r] = true
			regions = append(regions, r)
		}
		if !seenS[s] {
			seenS[s] = true
			rest = append(rest, s)
		}
	}
	return regions, rest
}

// flowTable builds a table in flow form from Z and Y read with their
// "region_sector" and "consumer_category" labels.
func flowTable(source string, z, y labelled, exts ...*table.Extension) *table.Table {
	regions, sectors := splitLabels(z.cols)
	consumers, categories := splitLabels(y.cols)
	return &table.Table{
		Source: source, Regions: regions, Sectors: sectors,
		Consumers: consumers, Categories: categories,
		Z: z.m, Y: y.m, Extensions: exts,
	}
}

// smallMRIO builds pymrio's 2-region, 3-sector test system in flow form
// from the expected CSV files.
func smallMRIO(t testing.TB) *table.Table {
	f := readExpected(t, "small_mrio_F.csv")
	fy := readExpected(t, "small_mrio_F_Y.csv")
	return flowTable("small_mrio", readExpected(t, "small_mrio_Z.csv"), readExpected(t, "small_mrio_Y.csv"),
		&table.Extension{Name: "ext", Stressors: f.rows, Units: []string{"t", "t"}, F: f.m, FY: fy.m})
}

// testMRIO builds pymrio's 6-region, 8-sector test MRIO in flow form from
// the files save_all wrote, with the emissions and the value-added
// extension.
func testMRIO(t testing.TB) *table.Table {
	va := readSaved(t, "factor_inputs/F.txt", 1)
	em := readSaved(t, "emissions/F.txt", 2)
	emY := readSaved(t, "emissions/F_Y.txt", 2)
	stressors := make([]string, len(em.rows))
	for i, r := range em.rows {
		stressors[i] = r[:strings.LastIndex(r, "_")] // drop the compartment
	}
	return flowTable("test_mrio", readSaved(t, "Z.txt", 2), readSaved(t, "Y.txt", 2),
		&table.Extension{Name: "emissions", Stressors: stressors, Units: []string{"kg", "kg"}, F: em.m, FY: emY.m},
		&table.Extension{Name: "factor_inputs", Stressors: va.rows, Units: []string{"Mill USD"}, F: va.m})
}
