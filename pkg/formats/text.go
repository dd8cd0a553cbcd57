package formats

import (
	"fmt"
	"os"
	"strings"
)

// layout says how a delimited text file lays out one labelled matrix:
//
//	header rows:  indexCols cells naming the column levels, then one label per column
//	[index names: indexCols names, then empty cells] only after two or more header rows
//	data rows:    indexCols label cells, then one number per column
//
// Without header rows the first record sets the width and the columns have
// no labels; without index columns the rows have none.
type layout struct {
	comma      rune // the separator: '\t' or ','; quoting as in CSV
	indexCols  int  // >= 0
	headerRows int  // >= 0
	text       bool // data cells are text (unit files), kept in frame.text
	blankZero  bool // an empty number cell is zero (counted in frame.blanks), as pandas' fillna(0) makes it
}

// frame is one labelled matrix as a file holds it, in the file's order.
type frame struct {
	file      string
	indexCols int

	rowParts [][]string // per data row, its index cells
	colParts [][]string // per data column, its header cells, one per header row
	rowLines []int      // per data row, its 1-based line
	colLine  int        // line of the last header row

	data   []float64 // row-major, len(rowParts) x len(colParts); nil for text
	text   []string  // row-major cells when layout.text
	blanks int       // empty cells read as zero (layout.blankZero)
}

func (f *frame) rows() int { return len(f.rowParts) }
func (f *frame) cols() int { return len(f.colParts) }

// rowLabel and colLabel return a row's or column's label cells joined by "/".
func (f *frame) rowLabel(i int) string { return strings.Join(f.rowParts[i], "/") }
func (f *frame) colLabel(j int) string { return strings.Join(f.colParts[j], "/") }

// readFile reads the labelled matrix in file. rowsHint, when > 0, is the
// number of data rows expected, to size the buffer once.
func readFile(file string, l layout, rowsHint int) (*frame, error) {
	fh, err := os.Open(file)
	if err != nil {
		return nil, openError(file, err)
	}
	defer fh.Close()
	return readFrame(fh, file, l, rowsHint)
}

// ragged reports a record of got cells where want were expected, at the
// first cell missing or the first one too many.
func ragged(file string, line, got, want, firstLine int) error {
	return &ParseError{File: file, Line: line, Column: min(got, want) + 1,
		Err: fmt.Errorf("%w: %d cells, want %d as on line %d", ErrRagged, got, want, firstLine)}
}

func allEmpty(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}
