package acceptance

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// labeled is a matrix with its row and column labels, each label a list of
// parts (region, sector) as the file's index columns and header rows give
// them.
type labeled struct {
	rows, cols [][]string
	v          *mat.Dense
}

// rowIndex maps each row label, its parts joined by sep, to its position.
func (l *labeled) rowIndex(sep string) map[string]int { return index(l.rows, sep) }

// colIndex maps each column label, its parts joined by sep, to its position.
func (l *labeled) colIndex(sep string) map[string]int { return index(l.cols, sep) }

func index(labels [][]string, sep string) map[string]int {
	out := make(map[string]int, len(labels))
	for i, l := range labels {
		out[strings.Join(l, sep)] = i
	}
	return out
}

// readCSV reads a comma-separated matrix with one header row and one index
// column, as the shared data's CSV files are written (the first cell
// empty, quotes where a label holds a comma).
func readCSV(t testing.TB, path string) *labeled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) < 2 {
		t.Fatalf("%s: %d lines, want a header and data", path, len(recs))
	}
	l := &labeled{}
	for _, c := range recs[0][1:] {
		l.cols = append(l.cols, []string{c})
	}
	l.v = mat.NewDense(len(recs)-1, len(l.cols), nil)
	for i, rec := range recs[1:] {
		l.rows = append(l.rows, []string{rec[0]})
		for j, cell := range rec[1:] {
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				t.Fatalf("%s line %d cell %d: %v", path, i+2, j+2, err)
			}
			l.v.Set(i, j, v)
		}
	}
	return l
}

// readSavedTxt reads a tab-separated file as pymrio's save_all writes it:
// header rows of column label parts (after the index columns), a row of
// index names, then rows of index labels and numbers.
func readSavedTxt(t testing.TB, path string, indexCols, headerRows int) *labeled {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) < headerRows+2 {
		t.Fatalf("%s: %d lines, too few", path, len(lines))
	}
	l := &labeled{}
	var header [][]string
	for _, line := range lines[:headerRows] {
		header = append(header, strings.Split(line, "\t")[indexCols:])
	}
	for j := range header[0] {
		var parts []string
		for h := range header {
			parts = append(parts, header[h][j])
		}
		l.cols = append(l.cols, parts)
	}
	body := lines[headerRows+1:]
	l.v = mat.NewDense(len(body), len(l.cols), nil)
	for i, line := range body {
		cells := strings.Split(line, "\t")
		if len(cells) != indexCols+len(l.cols) {
			t.Fatalf("%s line %d: %d cells, want %d", path, headerRows+2+i, len(cells), indexCols+len(l.cols))
		}
		l.rows = append(l.rows, cells[:indexCols])
		for j, cell := range cells[indexCols:] {
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				t.Fatalf("%s line %d cell %d: %v", path, headerRows+2+i, indexCols+j+1, err)
			}
			l.v.Set(i, j, v)
		}
	}
	return l
}

// savedTable is a small MRIO system to write in pymrio's save_all layout
// (txt format). Y has one column per (region, category); every extension
// has F and, when FY is set, F_Y.
type savedTable struct {
	regions, sectors, categories []string
	Z, Y                         [][]float64
	exts                         []savedExt
}

// savedExt is one extension of a savedTable.
type savedExt struct {
	name      string
	stressors []string
	units     []string
	F, FY     [][]float64
}

// products returns the (region, sector) labels of Z's rows, region-major.
func (s *savedTable) products() [][2]string {
	var out [][2]string
	for _, r := range s.regions {
		for _, p := range s.sectors {
			out = append(out, [2]string{r, p})
		}
	}
	return out
}

// demand returns the (region, category) labels of Y's columns.
func (s *savedTable) demand() [][2]string {
	var out [][2]string
	for _, r := range s.regions {
		for _, c := range s.categories {
			out = append(out, [2]string{r, c})
		}
	}
	return out
}

// savedFiles are the files of a saved table, by path relative to its
// folder: the text files as rows of cells, so that tests can damage one
// cell before writing them.
type savedFiles map[string][][]string

// files lays the table out as pymrio's save_all does.
func (s *savedTable) files() savedFiles {
	out := savedFiles{}
	out["file_parameters.json"] = [][]string{{params("IOSystem", "", map[string][2]int{
		"Z": {2, 2}, "Y": {2, 2}})}}
	out["Z.txt"] = grid([]string{"region", "sector"}, s.products(), []string{"region", "sector"}, rowLabels(s.products()), s.Z)
	out["Y.txt"] = grid([]string{"region", "category"}, s.demand(), []string{"region", "sector"}, rowLabels(s.products()), s.Y)
	for _, e := range s.exts {
		files := map[string][2]int{"F": {1, 2}, "unit": {1, 1}}
		var rows [][]string
		for _, st := range e.stressors {
			rows = append(rows, []string{st})
		}
		out[e.name+"/F.txt"] = grid([]string{"region", "sector"}, s.products(), []string{"stressor"}, rows, e.F)
		if e.FY != nil {
			files["F_Y"] = [2]int{1, 2}
			out[e.name+"/F_Y.txt"] = grid([]string{"region", "category"}, s.demand(), []string{"stressor"}, rows, e.FY)
		}
		unit := [][]string{{"stressor", "unit"}}
		for i, st := range e.stressors {
			u := "t"
			if e.units != nil {
				u = e.units[i]
			}
			unit = append(unit, []string{st, u})
		}
		out[e.name+"/unit.txt"] = unit
		out[e.name+"/file_parameters.json"] = [][]string{{params("Extension", e.name, files)}}
	}
	return out
}

// params returns a file_parameters.json naming each file key.txt with its
// index columns and header rows.
func params(system, name string, files map[string][2]int) string {
	type file struct {
		Name     string `json:"name"`
		IndexCol string `json:"nr_index_col"`
		Header   string `json:"nr_header"`
	}
	p := struct {
		Files      map[string]file `json:"files"`
		SystemType string          `json:"systemtype"`
		Name       string          `json:"name,omitempty"`
	}{Files: map[string]file{}, SystemType: system, Name: name}
	for k, v := range files {
		p.Files[k] = file{Name: k + ".txt", IndexCol: strconv.Itoa(v[0]), Header: strconv.Itoa(v[1])}
	}
	b, err := json.MarshalIndent(p, "", "    ")
	if err != nil {
		panic(err)
	}
	return string(b)
}

func rowLabels(l [][2]string) [][]string {
	out := make([][]string, len(l))
	for i, p := range l {
		out[i] = []string{p[0], p[1]}
	}
	return out
}

// grid lays out a matrix as save_all does: a header row per column label
// part (its name, then blanks up to the index width), a row of index names,
// then one row per row label.
func grid(colNames []string, cols [][2]string, indexNames []string, rows [][]string, v [][]float64) [][]string {
	ic := len(indexNames)
	var out [][]string
	for h, name := range colNames {
		line := append([]string{name}, make([]string, ic-1)...)
		for _, c := range cols {
			line = append(line, c[h])
		}
		out = append(out, line)
	}
	out = append(out, append(append([]string{}, indexNames...), make([]string, len(cols))...))
	for i, r := range rows {
		line := append([]string{}, r...)
		for _, x := range v[i] {
			line = append(line, strconv.FormatFloat(x, 'g', -1, 64))
		}
		out = append(out, line)
	}
	return out
}

// write writes the files into dir.
func (f savedFiles) write(t testing.TB, dir string) {
	t.Helper()
	for name, rows := range f {
		var b strings.Builder
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t"))
			b.WriteByte('\n')
		}
		text := b.String()
		if strings.HasSuffix(name, ".json") {
			text = rows[0][0]
		}
		writeFile(t, dir, filepath.FromSlash(name), text)
	}
}

// dense turns a labeled matrix into rows of numbers.
func dense(m mat.Matrix) [][]float64 {
	r, c := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = make([]float64, c)
		for j := range out[i] {
			out[i][j] = m.At(i, j)
		}
	}
	return out
}

// jobYAML writes a job file into dir and returns its path. tables lists
// "year: path" pairs of pymrio tables; extra is appended as it is.
func jobYAML(t testing.TB, dir, job, out string, tables [][2]string, extra string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "job: %s\noutput: %s\ntables:\n", job, strconv.Quote(out))
	for _, tb := range tables {
		fmt.Fprintf(&b, "  - {year: %q, format: pymrio, path: %s}\n", tb[0], strconv.Quote(tb[1]))
	}
	b.WriteString(extra)
	return writeFile(t, dir, "job.yaml", b.String())
}
