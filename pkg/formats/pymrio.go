package formats

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/table"
	"gonum.org/v1/gonum/mat"
)

func init() {
	Register(Format{Name: "pymrio", Read: readPymrio})
}

// pymrio's names for the value-added account, kept as an extension too.
const (
	pymrioFactorInputs = "factor_inputs"
	pymrioValueAdded   = "Value Added"
)

// paramsFile is the file in which pymrio's save_all describes each folder.
const paramsFile = "file_parameters.json"

// square, as a rows hint, expects as many data rows as columns.
const square = -1

// pymrioParams is a file_parameters.json.
type pymrioParams struct {
	Files      map[string]pymrioFile `json:"files"`
	SystemType string                `json:"systemtype"`
	Name       string                `json:"name"`

	dir, path string
}

type pymrioFile struct {
	Name       string   `json:"name"`
	IndexCols  jsonUint `json:"nr_index_col"`
	HeaderRows jsonUint `json:"nr_header"`
}

// jsonUint is a count pymrio writes as a string ("2"), or as a number.
type jsonUint int

func (n *jsonUint) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return errors.New("want a count, got " + string(b))
	}
	*n = jsonUint(v)
	return nil
}

func readParams(dir string) (*pymrioParams, error) {
	path := filepath.Join(dir, paramsFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, openError(path, err)
	}
	p := &pymrioParams{dir: dir, path: path}
	if err := json.Unmarshal(data, p); err != nil {
		return nil, fileError(path, ErrLayout, "%v", err)
	}
	return p, nil
}

func (p *pymrioParams) has(key string) bool {
	_, ok := p.Files[key]
	return ok
}

// read reads the file the parameters name under key, after checking they
// give the layout expected; indexCols < 0 takes any number of index
// columns. It returns nil and no error when the parameters name no such
// file.
func (p *pymrioParams) read(key string, indexCols, headerRows int, text bool, rowsHint int) (*frame, error) {
	f, ok := p.Files[key]
	if !ok {
		return nil, nil
	}
	switch {
	case f.Name == "" || filepath.Base(f.Name) != f.Name:
		return nil, fileError(p.path, ErrLayout, "file %s: name %q is not a file name", key, f.Name)
	case !strings.HasSuffix(f.Name, ".txt"):
		// TODO(pymrio-parquet): save_all(table_format="parquet") writes
		// Parquet; reading it needs arrow-go's parquet reader here.
		return nil, fileError(p.path, ErrLayout, "file %s is %q; only the txt layout is read", key, f.Name)
	case indexCols >= 0 && int(f.IndexCols) != indexCols || indexCols < 0 && f.IndexCols < 1:
		return nil, fileError(p.path, ErrLayout, "file %s has nr_index_col %d, want %d", key, f.IndexCols, indexCols)
	case int(f.HeaderRows) != headerRows:
		return nil, fileError(p.path, ErrLayout, "file %s has nr_header %d, want %d", key, f.HeaderRows, headerRows)
	}
	l := layout{comma: '\t', indexCols: int(f.IndexCols), headerRows: headerRows, text: text}
	return readFile(filepath.Join(p.dir, f.Name), l, rowsHint)
}

// slashed writes a pair of label parts as pymrio users know them.
func slashed(a, b string) string { return a + "/" + b }

// readPymrio reads the folder pymrio's IOSystem.save_all writes (txt
// format): Z and Y (flow form) or A and Y (coefficient form), optionally x,
// and one subfolder per extension with F (or S), optionally F_Y and unit.
func readPymrio(path string, _ map[string]string) (*table.Table, error) {
	root, err := readParams(path)
	if err != nil {
		return nil, err
	}
	t := &table.Table{Source: path}
	coreKey := "Z"
	if !root.has("Z") {
		coreKey = "A"
		if !root.has("A") {
			return nil, fileError(root.path, ErrLayout, "names neither Z nor A")
		}
	}
	f, err := root.read(coreKey, 2, 2, false, square)
	if err != nil {
		return nil, err
	}
	m, prod, err := core(t, f, joined, slashed)
	if err != nil {
		return nil, err
	}
	if coreKey == "Z" {
		t.Z = m
	} else {
		t.A = m
	}

	dem, err := pymrioDemand(t, root, prod)
	if err != nil {
		return nil, err
	}
	if t.X, err = pymrioOutput(root, prod); err != nil {
		return nil, err
	}

	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, openError(path, err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(path, e.Name())
		p, err := readParams(sub)
		if errors.Is(err, fs.ErrNotExist) {
			continue // not something save_all wrote
		}
		if err != nil {
			return nil, err
		}
		if p.SystemType != "Extension" {
			continue
		}
		ext, err := pymrioExtension(e.Name(), p, prod, dem, t.A != nil)
		if err != nil {
			return nil, err
		}
		t.Extensions = append(t.Extensions, ext)
		if e.Name() == pymrioFactorInputs {
			t.ValueAdded = valueAdded(ext, t.X)
		}
	}
	return t, nil
}

// pymrioDemand reads Y into t, with its consumers and categories, and
// returns the axis of Y's columns.
func pymrioDemand(t *table.Table, root *pymrioParams, prod *axis) (*axis, error) {
	if !root.has("Y") {
		return nil, fileError(root.path, ErrLayout, "names no Y")
	}
	y, err := root.read("Y", 2, 2, false, prod.len())
	if err != nil {
		return nil, err
	}
	rowPerm, err := y.rowSide(joined).orderBy(prod)
	if err != nil {
		return nil, err
	}
	cols := y.colSide(joined)
	consumers, categories := make([]string, len(cols.keys)), make([]string, len(cols.keys))
	for j, p := range y.colParts {
		consumers[j], categories[j] = p[0], p[1]
	}
	// Producing regions first, in their order; then the regions that only
	// consume, as they come.
	t.Consumers = slices.Clone(t.Regions)
	for _, c := range firstSeen(consumers) {
		if !slices.Contains(t.Regions, c) {
			t.Consumers = append(t.Consumers, c)
		}
	}
	t.Categories = firstSeen(categories)
	name := filepath.Base(y.file)
	dem := grid("a final-demand column of "+name, "every consumer needs every category of "+name,
		t.Consumers, t.Categories, slashed)
	colPerm, err := cols.orderBy(dem)
	if err != nil {
		return nil, err
	}
	t.Y = y.matrix(rowPerm, colPerm)
	return dem, nil
}

// pymrioOutput reads x when the folder has it; nil otherwise.
func pymrioOutput(root *pymrioParams, prod *axis) ([]float64, error) {
	x, err := root.read("x", 2, 1, false, prod.len())
	if x == nil || err != nil {
		return nil, err
	}
	return column(x, prod, joined)
}

// column returns the one column of f, its rows keyed by keyOf and ordered
// by the axis.
func column(f *frame, a *axis, keyOf func([]string) string) ([]float64, error) {
	if f.cols() != 1 {
		return nil, &ParseError{File: f.file, Line: f.colLine,
			Err: wrapKind(ErrLayout, "%d columns, want 1", f.cols())}
	}
	perm, err := f.rowSide(keyOf).orderBy(a)
	if err != nil {
		return nil, err
	}
	out := make([]float64, a.len())
	for i, p := range perm {
		out[p] = f.data[i]
	}
	return out, nil
}

// pymrioExtension reads one extension folder: F (flow form) or S
// (coefficient form), F_Y and unit when present.
func pymrioExtension(name string, p *pymrioParams, prod, dem *axis, coef bool) (*table.Extension, error) {
	key, form := "F", "flow"
	if coef {
		key, form = "S", "coefficient"
	}
	if !p.has(key) {
		return nil, fileError(p.path, ErrLayout, "extension %s has no %s; a table in %s form needs it",
			name, key, form)
	}
	f, err := p.read(key, -1, 2, false, 0)
	if err != nil {
		return nil, err
	}
	rows := f.rowSide(joined)
	if err := rows.unique(); err != nil {
		return nil, err
	}
	colPerm, err := f.colSide(joined).orderBy(prod)
	if err != nil {
		return nil, err
	}
	ext := &table.Extension{Name: name, Stressors: rows.shows, Units: make([]string, f.rows())}
	m := f.matrix(identityPerm(f.rows()), colPerm)
	if coef {
		ext.S = m
	} else {
		ext.F = m
	}
	stressors := stressorAxis(f, rows)

	if fy, err := p.read("F_Y", f.indexCols, 2, false, f.rows()); err != nil {
		return nil, err
	} else if fy != nil {
		if ext.FY, err = byAxes(fy, stressors, dem); err != nil {
			return nil, err
		}
	}
	u, err := p.read("unit", f.indexCols, 1, true, f.rows())
	if err != nil || u == nil {
		return ext, err
	}
	if u.cols() != 1 {
		return nil, &ParseError{File: u.file, Line: u.colLine, Err: wrapKind(ErrLayout, "%d columns, want 1 (unit)", u.cols())}
	}
	perm, err := u.rowSide(joined).orderBy(stressors)
	if err != nil {
		return nil, err
	}
	for i, pos := range perm {
		ext.Units[pos] = u.text[i]
	}
	return ext, nil
}

// byAxes returns the frame's matrix with rows and columns ordered by the
// axes given, keyed by their joined parts.
func byAxes(f *frame, rows, cols *axis) (*mat.Dense, error) {
	rowPerm, err := f.rowSide(joined).orderBy(rows)
	if err != nil {
		return nil, err
	}
	colPerm, err := f.colSide(joined).orderBy(cols)
	if err != nil {
		return nil, err
	}
	return f.matrix(rowPerm, colPerm), nil
}

func identityPerm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

// valueAdded returns the value added by sector from pymrio's factor-input
// extension: its "Value Added" row of F, or of S times x. Nil when the
// extension has no such row, or is in coefficient form without x.
func valueAdded(ext *table.Extension, x []float64) []float64 {
	for i, s := range ext.Stressors {
		if s != pymrioValueAdded {
			continue
		}
		if ext.F != nil {
			return mat.Row(nil, i, ext.F)
		}
		if x == nil {
			return nil
		}
		va := mat.Row(nil, i, ext.S)
		for j := range va {
			va[j] *= x[j]
		}
		return va
	}
	return nil
}

// stressorAxis returns the axis of the stressors, the rows of f.
func stressorAxis(f *frame, rows side) *axis {
	name := filepath.Base(f.file)
	return newAxis("a stressor of "+name, name+" has it", rows.keys, rows.shows)
}
