package formats

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"path"
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

	src *source
	dir string // the folder it describes, in src
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

func readParams(src *source, dir string) (*pymrioParams, error) {
	rel := path.Join(dir, paramsFile)
	data, err := src.readAll(rel)
	if err != nil {
		return nil, err
	}
	p := &pymrioParams{src: src, dir: dir}
	if err := json.Unmarshal(data, p); err != nil {
		return nil, fileError(src.name(rel), ErrLayout, "%v", err)
	}
	return p, nil
}

// path returns how errors name the parameters file.
func (p *pymrioParams) path() string { return p.src.name(path.Join(p.dir, paramsFile)) }

func (p *pymrioParams) has(key string) bool {
	_, ok := p.Files[key]
	return ok
}

// pymrioRoot returns the folder of src holding the system's parameters:
// the root when it has them, else the one folder at most two levels down
// whose parameters describe an IOSystem, as in a zip archive of a
// download.
func pymrioRoot(src *source) (string, error) {
	if src.exists(paramsFile) {
		return ".", nil
	}
	dirs, err := src.find(paramsFile, 2)
	if err != nil {
		return "", err
	}
	var roots []string
	for _, d := range dirs {
		p, err := readParams(src, d)
		if err != nil {
			return "", err
		}
		if p.SystemType == "IOSystem" {
			roots = append(roots, d)
		}
	}
	switch len(roots) {
	case 0:
		_, err := src.readAll(paramsFile) // says why the root has none
		if err == nil {
			err = openError(src.name(paramsFile), fs.ErrNotExist)
		}
		return "", err
	case 1:
		return roots[0], nil
	}
	return "", fileError(src.path, ErrLayout, "holds %d systems (%s); give the folder of one",
		len(roots), strings.Join(roots, ", "))
}

// pymrioReader reads a folder in the layout of pymrio's save_all, with
// the adjustments a variant of it needs (EXIOBASE 3 is one).
type pymrioReader struct {
	src *source

	// fix, when set, adjusts each frame as read, before its labels are
	// matched; key is the file's key in file_parameters.json.
	fix func(key string, f *frame) error

	// fyKeys are the keys that may name an extension's final-demand
	// stressors, the first present taken.
	fyKeys []string

	notes []string
}

// read returns the table whose parameters are in the folder root.
func (r *pymrioReader) read(root string) (*table.Table, error) {
	params, err := readParams(r.src, root)
	if err != nil {
		return nil, err
	}
	t := &table.Table{Source: r.src.path}
	coreKey := "Z"
	if !params.has("Z") {
		coreKey = "A"
		if !params.has("A") {
			return nil, fileError(params.path(), ErrLayout, "names neither Z nor A")
		}
	}
	f, err := r.frame(params, coreKey, 2, 2, false, square)
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
	dem, err := r.demand(t, params, prod)
	if err != nil {
		return nil, err
	}
	if t.X, err = r.output(params, prod); err != nil {
		return nil, err
	}

	dirs, err := r.src.dirs(root)
	if err != nil {
		return nil, err
	}
	for _, dir := range dirs {
		p, err := readParams(r.src, dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue // not something save_all wrote
		}
		if err != nil {
			return nil, err
		}
		if p.SystemType != "Extension" {
			continue
		}
		ext, err := r.extension(path.Base(dir), p, prod, dem, t.A != nil)
		if err != nil {
			return nil, err
		}
		t.Extensions = append(t.Extensions, ext)
	}
	if err := r.flowsWhereNeeded(t, params.path()); err != nil {
		return nil, err
	}
	for _, ext := range t.Extensions {
		if ext.Name == pymrioFactorInputs {
			t.ValueAdded = valueAdded(ext, t.X)
		}
	}
	t.Notes = r.notes
	return t, nil
}

// frame reads the file the parameters name under key, after checking they
// give the layout expected; indexCols < 0 takes any number of index
// columns. It returns nil and no error when the parameters name no such
// file.
func (r *pymrioReader) frame(p *pymrioParams, key string, indexCols, headerRows int, text bool, rowsHint int) (*frame, error) {
	f, ok := p.Files[key]
	if !ok {
		return nil, nil
	}
	switch {
	case strings.HasSuffix(f.Name, ".parquet"):
		// The file's own metadata gives its layout: load checks it.
	case !strings.HasSuffix(f.Name, ".txt"):
		return nil, fileError(p.path(), ErrLayout, "file %s is %q; only the txt and parquet layouts are read", key, f.Name)
	case indexCols >= 0 && int(f.IndexCols) != indexCols || indexCols < 0 && f.IndexCols < 1:
		return nil, fileError(p.path(), ErrLayout, "file %s has nr_index_col %d, want %d", key, f.IndexCols, indexCols)
	case int(f.HeaderRows) != headerRows:
		return nil, fileError(p.path(), ErrLayout, "file %s has nr_header %d, want %d", key, f.HeaderRows, headerRows)
	}
	ic := int(f.IndexCols)
	if strings.HasSuffix(f.Name, ".parquet") {
		ic = max(indexCols, 0) // the file says; any when the caller takes any
	}
	return r.load(p, key, layout{comma: '\t', indexCols: ic, headerRows: headerRows, text: text}, rowsHint)
}

// load reads the file the parameters name under key with the layout given.
func (r *pymrioReader) load(p *pymrioParams, key string, l layout, rowsHint int) (*frame, error) {
	name := p.Files[key].Name
	if name == "" || path.Base(name) != name {
		return nil, fileError(p.path(), ErrLayout, "file %s: name %q is not a file name", key, name)
	}
	rel := path.Join(p.dir, name)
	var fr *frame
	var err error
	if strings.HasSuffix(name, ".parquet") {
		fr, err = p.src.parquetFrame(rel, l.text)
		switch {
		case err != nil:
		case l.indexCols > 0 && fr.indexCols != l.indexCols:
			err = fileError(fr.file, ErrLayout, "%d index columns, want %d", fr.indexCols, l.indexCols)
		case fr.cols() == 0:
			err = fileError(fr.file, ErrLayout, "no data columns")
		case len(fr.colParts[0]) != l.headerRows:
			err = fileError(fr.file, ErrLayout, "columns of %d header levels, want %d", len(fr.colParts[0]), l.headerRows)
		}
	} else {
		fr, err = p.src.frame(rel, l, rowsHint)
	}
	if err == nil && r.fix != nil {
		err = r.fix(key, fr)
	}
	return fr, err
}

// slashed writes a pair of label parts as pymrio users know them.
func slashed(a, b string) string { return a + "/" + b }

// readPymrio reads the folder pymrio's IOSystem.save_all writes (txt
// format), or a zip archive of it: Z and Y (flow form) or A and Y
// (coefficient form), optionally x, and one subfolder per extension with F
// (or S), optionally F_Y and unit.
func readPymrio(p string, _ map[string]string) (*table.Table, error) {
	return readSaveAll(p, &pymrioReader{fyKeys: []string{"F_Y"}})
}

// readSaveAll reads the system in the folder or archive at p with r,
// whose source it sets.
func readSaveAll(p string, r *pymrioReader) (*table.Table, error) {
	src, err := openSource(p)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	r.src = src
	root, err := pymrioRoot(src)
	if err != nil {
		return nil, err
	}
	return r.read(root)
}

// demand reads Y into t, with its consumers and categories, and returns
// the axis of Y's columns.
func (r *pymrioReader) demand(t *table.Table, root *pymrioParams, prod *axis) (*axis, error) {
	if !root.has("Y") {
		return nil, fileError(root.path(), ErrLayout, "names no Y")
	}
	y, err := r.frame(root, "Y", 2, 2, false, prod.len())
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

// output reads x when the folder has it; nil otherwise.
func (r *pymrioReader) output(root *pymrioParams, prod *axis) ([]float64, error) {
	x, err := r.frame(root, "x", 2, 1, false, prod.len())
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

// extension reads one extension folder: S in coefficient form when it has
// it, else F; F_Y (under one of fyKeys) and unit when present.
func (r *pymrioReader) extension(name string, p *pymrioParams, prod, dem *axis, coef bool) (*table.Extension, error) {
	key := "F"
	if coef && p.has("S") || !p.has("F") {
		key = "S"
	}
	if !p.has(key) {
		return nil, fileError(p.path(), ErrLayout, "extension %s has neither F nor S", name)
	}
	f, err := r.frame(p, key, -1, 2, false, 0)
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
	if key == "S" {
		ext.S = m
	} else {
		ext.F = m
	}
	stressors := stressorAxis(f, rows)

	for _, k := range r.fyKeys {
		fy, err := r.frame(p, k, f.indexCols, 2, false, f.rows())
		if err != nil {
			return nil, err
		}
		if fy != nil {
			if ext.FY, err = byAxes(fy, stressors, dem); err != nil {
				return nil, err
			}
			break
		}
	}
	return ext, r.units(ext, p, f.indexCols, stressors)
}

// units reads the extension's unit file, when it has one, into ext.Units.
// The file's stressor labels take as many cells as F's; some EXIOBASE
// releases count the unit column among the index columns, which is
// allowed.
func (r *pymrioReader) units(ext *table.Extension, p *pymrioParams, indexCols int, stressors *axis) error {
	uf, ok := p.Files["unit"]
	if !ok {
		return nil
	}
	if n := int(uf.IndexCols); !strings.HasSuffix(uf.Name, ".parquet") && (n != indexCols && n != indexCols+1 || uf.HeaderRows != 1) {
		return fileError(p.path(), ErrLayout, "file unit has nr_index_col %d and nr_header %d, want %d and 1",
			n, uf.HeaderRows, indexCols)
	}
	u, err := r.load(p, "unit", layout{comma: '\t', indexCols: indexCols, headerRows: 1, text: true}, len(ext.Stressors))
	if err != nil {
		return err
	}
	if u.cols() != 1 {
		return &ParseError{File: u.file, Line: u.colLine, Err: wrapKind(ErrLayout, "%d columns, want 1 (unit)", u.cols())}
	}
	perm, err := u.rowSide(joined).orderBy(stressors)
	if err != nil {
		return err
	}
	for i, pos := range perm {
		ext.Units[pos] = u.text[i]
	}
	return nil
}

// byAxes returns the frame's matrix with rows and columns ordered by the
// axes given, keyed by their joined parts; a column the frame lacks is
// reported at the line of its header.
func byAxes(f *frame, rows, cols *axis) (*mat.Dense, error) {
	rowPerm, err := f.rowSide(joined).orderBy(rows)
	if err != nil {
		return nil, err
	}
	colPerm, err := f.colSide(joined).matchColumns(cols)
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
