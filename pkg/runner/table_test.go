package runner_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSaved writes a table in pymrio's save_all layout to dir: regions
// r1, r2, ... of one sector "s" each (n = len(z)), one final-demand
// category per region and one stressor, co2, in the extension
// emissions. It returns dir.
func writeSaved(t *testing.T, dir string, z, y [][]float64, f []float64) string {
	t.Helper()
	n := len(z)
	var regions []string
	for i := range n {
		regions = append(regions, fmt.Sprintf("r%d", i+1))
	}
	grid := func(colNames [2]string, colLabels [2][]string, rowNames []string, rowLabels [][]string, m [][]float64) string {
		var b strings.Builder
		for k := range 2 {
			b.WriteString(colNames[k] + strings.Repeat("\t", len(rowNames)-1))
			for _, l := range colLabels[k] {
				b.WriteString("\t" + l)
			}
			b.WriteString("\n")
		}
		b.WriteString(strings.Join(rowNames, "\t") + strings.Repeat("\t", len(colLabels[0])) + "\n")
		for i, row := range m {
			b.WriteString(strings.Join(rowLabels[i], "\t"))
			for _, v := range row {
				fmt.Fprintf(&b, "\t%v", v)
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	sectors := make([]string, n)
	cats := make([]string, n)
	var products [][]string
	for i := range n {
		sectors[i], cats[i] = "s", "hh"
		products = append(products, []string{regions[i], "s"})
	}
	params := func(kind, name string, files ...string) string {
		var parts []string
		for _, f := range files {
			header, index := 2, 2
			if f == "unit" {
				header, index = 1, 1
			} else if f == "F" {
				index = 1
			}
			parts = append(parts, fmt.Sprintf("%q: {\"name\": %q, \"nr_index_col\": \"%d\", \"nr_header\": \"%d\"}", f, f+".txt", index, header))
		}
		s := fmt.Sprintf("{\"files\": {%s}, \"systemtype\": %q", strings.Join(parts, ", "), kind)
		if name != "" {
			s += fmt.Sprintf(", \"name\": %q", name)
		}
		return s + "}"
	}
	files := map[string]string{
		"file_parameters.json":           params("IOSystem", "", "Z", "Y"),
		"Z.txt":                          grid([2]string{"region", "sector"}, [2][]string{regions, sectors}, []string{"region", "sector"}, products, z),
		"Y.txt":                          grid([2]string{"region", "category"}, [2][]string{regions, cats}, []string{"region", "sector"}, products, y),
		"emissions/F.txt":                grid([2]string{"region", "sector"}, [2][]string{regions, sectors}, []string{"stressor"}, [][]string{{"co2"}}, [][]float64{f}),
		"emissions/unit.txt":             "stressor\tunit\nco2\tkg\n",
		"emissions/file_parameters.json": params("Extension", "emissions", "F", "unit"),
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
