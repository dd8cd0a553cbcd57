package acceptance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goodTable is a small valid table: two regions of two sectors, one
// final-demand category, one stressor with direct emissions of
// households.
func goodTable() *savedTable {
	return &savedTable{
		regions: []string{"north", "south"}, sectors: []string{"food", "steel"}, categories: []string{"households"},
		Z: [][]float64{
			{10, 5, 3, 2},
			{4, 20, 1, 6},
			{2, 1, 8, 3},
			{1, 5, 2, 15},
		},
		Y: [][]float64{{30, 5}, {10, 8}, {6, 20}, {4, 25}},
		exts: []savedExt{{
			name: "emissions", stressors: []string{"co2"}, units: []string{"kg"},
			F:  [][]float64{{100, 200, 80, 150}},
			FY: [][]float64{{10, 12}},
		}},
	}
}

// singularTable is goodTable with sector north/food using all of its own
// output and nothing else: x = Z[0][0], so A[0][0] = 1 and row 0 of I - A
// is zero.
func singularTable() *savedTable {
	tb := goodTable()
	tb.Z[0] = []float64{10, 0, 0, 0}
	for i := 1; i < 4; i++ {
		tb.Z[i][0] = 0
	}
	tb.Y[0] = []float64{0, 0}
	return tb
}

// nearSingularTable is singularTable with a sliver of north/food's output
// going to final demand: A[0][0] = 1 - 1e-14, so I - A is invertible but
// its reciprocal condition estimate is far below 1e-12.
func nearSingularTable() *savedTable {
	tb := singularTable()
	tb.Z[0][0] = 10 - 1e-13
	tb.Y[0][0] = 1e-13
	return tb
}

// Lines and cells of the files the cases damage, 1-based as an editor
// counts: save_all's txt files have two header rows and a row of index
// names, so the first data row is line 4; Z and Y have two index columns,
// so the first number is cell 3; F has one, its first number is cell 2.
const (
	firstDataLine = 4
	firstZCell    = 3
	firstFCell    = 2
)

// setCell replaces one cell of a saved file, 1-based line and cell.
func (f savedFiles) setCell(name string, line, cell int, v string) {
	f[name][line-1][cell-1] = v
}

// TestBadInputs runs the binary on broken tables and specs. Each must exit
// with status 1, say on stderr what is wrong and where (file, line,
// column, region, year or scenario), and write nothing: no output folder
// (or an empty one) and no manifest.
func TestBadInputs(t *testing.T) {
	const year = "2001"
	tests := []struct {
		name string
		// table returns the table to write; nil means goodTable.
		table func() *savedTable
		// damage changes the table's files before they are written.
		damage func(f savedFiles)
		// spec is appended to the job file, after its tables; empty
		// means one baseline scenario.
		spec string
		// tables lists the years of the job's tables, all the same
		// table; nil means one, of year.
		years []string
		// outputBelowFile puts --output below a regular file.
		outputBelowFile bool
		// want are the strings stderr must hold; TABLE stands for the
		// table's folder.
		want []string
	}{
		{
			name:   "missing file",
			damage: func(f savedFiles) { delete(f, "Y.txt") },
			want:   []string{"year " + year, "TABLE/Y.txt"},
		},
		{
			name: "ragged row",
			damage: func(f savedFiles) {
				row := &f["Z.txt"][firstDataLine]
				*row = (*row)[:len(*row)-1]
			},
			want: []string{"TABLE/Z.txt", "line 5"},
		},
		{
			name:   "non-numeric cell",
			damage: func(f savedFiles) { f.setCell("Z.txt", firstDataLine+2, firstZCell+1, "12,5") },
			want:   []string{"TABLE/Z.txt", "line 6", "column 4", "12,5"},
		},
		{
			name:   "NaN",
			damage: func(f savedFiles) { f.setCell("Y.txt", firstDataLine+1, firstZCell, "NaN") },
			want:   []string{"TABLE/Y.txt", "line 5", "column 3"},
		},
		{
			name:   "Inf",
			damage: func(f savedFiles) { f.setCell("emissions/F.txt", firstDataLine, firstFCell+3, "inf") },
			want:   []string{"TABLE/emissions/F.txt", "line 4", "column 5"},
		},
		{
			name:   "labels differ between Z and Y",
			damage: func(f savedFiles) { f.setCell("Y.txt", firstDataLine+3, 2, "iron") },
			want:   []string{"TABLE/Y.txt", "line 7", "iron"},
		},
		{
			name: "duplicated label",
			damage: func(f savedFiles) {
				// The second row and column of Z both say north/food.
				f.setCell("Z.txt", firstDataLine+1, 2, "food")
				f.setCell("Z.txt", 2, firstZCell+1, "food")
			},
			want: []string{"TABLE/Z.txt", "line 5", "north/food"},
		},
		{
			name: "all-zero table",
			table: func() *savedTable {
				tb := goodTable()
				for _, row := range append(tb.Z, tb.Y...) {
					clear(row)
				}
				return tb
			},
			want: []string{"year " + year, "TABLE", "zero"},
		},
		{
			name:  "singular I - A",
			table: singularTable,
			want:  []string{"year " + year, "TABLE", "singular"},
		},
		{
			name:  "near-singular I - A",
			table: nearSingularTable,
			want:  []string{"year " + year, "TABLE", "reciprocal condition estimate"},
		},
		{
			name: "unknown stressor",
			spec: "stressors: [co2, methane]\nscenarios:\n  - name: baseline\n",
			want: []string{"year " + year, `"methane"`},
		},
		{
			name: "unknown shock region",
			spec: "scenarios:\n  - name: baseline\n  - name: mars\n    shocks: [{target: S, region: mars, scale: 0.5}]\n",
			want: []string{"year " + year, "scenario mars", `"mars"`},
		},
		{
			name: "unknown group region",
			spec: "groups:\n  west: [north, atlantis]\nscenarios:\n  - name: baseline\n",
			want: []string{"year " + year, "group west", `"atlantis"`},
		},
		{
			name: "two scenarios with one name",
			spec: "scenarios:\n  - name: baseline\n  - name: cheap\n  - name: cheap\n    shocks: [{target: Y, scale: 0.5}]\n",
			want: []string{"scenario", "cheap", "line 8"},
		},
		{
			name:  "two tables with one year",
			years: []string{year, "2002", year},
			want:  []string{"year", year, "line 6"},
		},
		{
			name:            "output path beneath a regular file",
			outputBelowFile: true,
			want:            []string{"OUTFILE", "is a file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			tableDir := filepath.Join(dir, "table")
			tb := goodTable()
			if tt.table != nil {
				tb = tt.table()
			}
			files := tb.files()
			if tt.damage != nil {
				tt.damage(files)
			}
			files.write(t, tableDir)
			years := tt.years
			if years == nil {
				years = []string{year}
			}
			var tables [][2]string
			for _, y := range years {
				tables = append(tables, [2]string{y, tableDir})
			}
			spec := tt.spec
			if spec == "" {
				spec = "scenarios:\n  - name: baseline\n"
			}
			out := filepath.Join(dir, "out")
			job := jobYAML(t, dir, "bad", out, tables, spec)
			args := []string{"run", job, "--workers", "1"}
			outFile := filepath.Join(dir, "file")
			if tt.outputBelowFile {
				writeFile(t, dir, "file", "keep me\n")
				out = filepath.Join(outFile, "out")
				args = append(args, "--output", out)
			}

			res := run(t, dir, args...)
			t.Logf("exit %d; stderr:\n%s", res.code, res.stderr)
			if res.code != 1 {
				t.Errorf("exit %d, want 1\n%s", res.code, res)
			}
			for _, w := range tt.want {
				w = strings.ReplaceAll(w, "TABLE", tableDir)
				w = strings.ReplaceAll(w, "OUTFILE", outFile)
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr does not hold %q", w)
				}
			}
			if got := filesBelow(t, out); len(got) != 0 {
				t.Errorf("files written below the output folder: %v\nstdout:\n%s", got, res.stdout)
			}
			for _, f := range filesBelow(t, dir) {
				if filepath.Base(f) == "manifest.json" {
					t.Errorf("a manifest was written: %s", f)
				}
			}
			if tt.outputBelowFile {
				if data, err := os.ReadFile(outFile); err != nil || string(data) != "keep me\n" {
					t.Errorf("the file above the output: %q, %v; want it unchanged", data, err)
				}
			}
		})
	}
}
