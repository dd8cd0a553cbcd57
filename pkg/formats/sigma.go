package formats

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/spec"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// ReadSigma reads a table of per-entry sigmas of a Monte Carlo scenario
// (the standard deviation of the log of each entry's factor) for the
// target "S", "Y" or "A" of t, from file, in pymrio's txt layout of that
// matrix: tab-separated, two header rows (region, then sector or
// category) followed by the row of index names, then one row per label.
//
//	S  like an extension's S.txt: one row per stressor, its label in one
//	   or more index columns (as many as the empty cells after the first
//	   header cell, plus one), a column per product (region, sector)
//	Y  like Y.txt: a row per product, a column per consumer and category
//	A  like A.txt: a row and a column per product
//
// Rows and columns are matched to t by label, in any order. A row of S
// names a stressor by its label as the job names it, its index cells
// joined by "/" ("emission_type1/air"), whichever extension holds it: a
// label that two extensions of t share cannot be told apart and is an
// error.
//
// For S it returns one matrix per extension of t, of the shape of its S
// (stressors × products); for Y one of Y's shape, for A one of A's.
// Errors are *ParseError naming the file, and the line and column where
// there is one: a label t lacks, a label given twice, a label of t the
// file lacks (at the header's line for a column), a ragged row, a cell
// that is not a number or not finite, and a sigma below 0 or above
// spec.MaxSigma.
func ReadSigma(file, target string, t *table.Table) ([]*mat.Dense, error) {
	fh, err := os.Open(file)
	if err != nil {
		return nil, openError(file, err)
	}
	defer fh.Close()
	return readSigma(fh, file, target, t)
}

// readSigma is ReadSigma on r, named file in errors.
func readSigma(r io.Reader, file, target string, t *table.Table) ([]*mat.Dense, error) {
	l := layout{comma: '\t', indexCols: 2, headerRows: 2}
	if target == "S" {
		// The index columns are the first header cell and the empty ones
		// after it: a file of S is small, so it is read whole to count them.
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, &ParseError{File: file, Err: fmt.Errorf("reading: %w", err)}
		}
		l.indexCols = sigmaIndexCols(data)
		r = bytes.NewReader(data)
	}
	f, err := readFrame(r, file, l, 0)
	if err != nil {
		return nil, err
	}
	if err := f.sigmaRange(); err != nil {
		return nil, err
	}
	name := filepath.Base(file)
	prod := grid("a product (region/sector) of the table", "every product of the table needs a sigma in "+name,
		t.Regions, t.Sectors, slashed)
	switch target {
	case "S":
		return sigmaS(f, t, prod)
	case "Y":
		dem := grid("a final-demand column (consumer/category) of the table", "every final-demand column of the table needs a sigma in "+name,
			t.Consumers, t.Categories, slashed)
		m, err := byAxes(f, prod, dem)
		return []*mat.Dense{m}, err
	case "A":
		m, err := byAxes(f, prod, prod)
		return []*mat.Dense{m}, err
	}
	panic(fmt.Sprintf("formats: ReadSigma of target %q; want S, Y or A", target))
}

// sigmaIndexCols counts the index columns of a file of S: the first cell
// of its first line and the empty cells that follow it, at least one.
func sigmaIndexCols(data []byte) int {
	line, _, _ := bytes.Cut(data, []byte{'\n'})
	cells := bytes.Split(bytes.TrimRight(line, "\r"), []byte{'\t'})
	n := 1
	for n < len(cells)-1 && len(cells[n]) == 0 {
		n++
	}
	return n
}

// sigmaRange returns an error at the first number of f outside [0,
// spec.MaxSigma].
func (f *frame) sigmaRange() error {
	nc := f.cols()
	for i := range f.rows() {
		for j, v := range f.data[i*nc : (i+1)*nc] {
			if v < 0 || v > spec.MaxSigma {
				return &ParseError{File: f.file, Line: f.rowLines[i], Column: f.indexCols + j + 1,
					Err: fmt.Errorf("sigma %v is outside [0, %v] (row %q, column %q)", v, spec.MaxSigma, f.rowLabel(i), f.colLabel(j))}
			}
		}
	}
	return nil
}

// matchColumns is orderBy for the columns, with a column the file lacks
// reported at the line of its header.
func (s side) matchColumns(a *axis) ([]int, error) {
	perm, err := s.orderBy(a)
	if pe, ok := err.(*ParseError); ok && pe.Line == 0 {
		pe.Line = s.f.colLine
	}
	return perm, err
}

// sigmaS returns the frame's numbers as one matrix per extension of t,
// each row placed at the stressor of its label.
func sigmaS(f *frame, t *table.Table, prod *axis) ([]*mat.Dense, error) {
	type place struct{ ext, row int }
	places := map[string][]place{}
	var keys []string
	for x, e := range t.Extensions {
		for s, name := range e.Stressors {
			if _, ok := places[name]; !ok {
				keys = append(keys, name)
			}
			places[name] = append(places[name], place{x, s})
		}
	}
	name := filepath.Base(f.file)
	stressors := newAxis("a stressor of the table", "every stressor of the table needs a sigma in "+name, keys, keys)
	rows := f.rowSide(func(parts []string) string { return strings.Join(parts, "/") })
	rowPerm, err := rows.orderBy(stressors)
	if err != nil {
		return nil, err
	}
	for i, p := range rowPerm {
		if ps := places[keys[p]]; len(ps) > 1 {
			var in []string
			for _, q := range ps {
				in = append(in, fmt.Sprintf("%q", t.Extensions[q.ext].Name))
			}
			return nil, rows.errorAt(i, ErrLabel, "stressor %q is in extensions %s; a table of sigmas names stressors by label alone and cannot tell them apart",
				rows.shows[i], strings.Join(in, " and "))
		}
	}
	colPerm, err := f.colSide(joined).matchColumns(prod)
	if err != nil {
		return nil, err
	}
	out := make([]*mat.Dense, len(t.Extensions))
	for x, e := range t.Extensions {
		out[x] = mat.NewDense(len(e.Stressors), prod.len(), nil)
	}
	nc := f.cols()
	for i, p := range rowPerm {
		at := places[keys[p]][0]
		dst := out[at.ext].RawRowView(at.row)
		for j, v := range f.data[i*nc : (i+1)*nc] {
			dst[colPerm[j]] = v
		}
	}
	return out, nil
}
