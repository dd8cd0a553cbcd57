package formats

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// layout says how a delimited text file lays out one labelled matrix:
//
//	header rows:  indexCols cells naming the column levels, then one label per column
//	[index names: indexCols names, then empty cells] only after two or more header rows
//	data rows:    indexCols label cells, then one number per column
type layout struct {
	comma      rune // the separator: '\t' or ','; quoting as in CSV
	indexCols  int  // >= 1
	headerRows int  // >= 1
	text       bool // data cells are text (unit files), kept in frame.text
}

// frame is one labelled matrix as a file holds it, in the file's order.
type frame struct {
	file      string
	indexCols int

	rowParts [][]string // per data row, its index cells
	colParts [][]string // per data column, its header cells, one per header row
	rowLines []int      // per data row, its 1-based line
	colLine  int        // line of the last header row

	data []float64 // row-major, len(rowParts) x len(colParts); nil for text
	text []string  // row-major cells when layout.text
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

// readFrame reads a labelled matrix from r; file names it in errors.
//
// TODO(speed): cells are parsed on one goroutine; tables of 10^4 sectors
// (10^8 cells) would read several times faster split into blocks of lines
// parsed in parallel.
func readFrame(r io.Reader, file string, l layout, rowsHint int) (*frame, error) {
	c := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	c.Comma = l.comma
	c.FieldsPerRecord = -1 // checked here, to say more
	c.ReuseRecord = true
	rs := &csvRecords{r: c}
	f := &frame{file: file, indexCols: l.indexCols}
	fail := func(line int, err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return &ParseError{File: file, Line: pe.Line,
				Err: fmt.Errorf("%w (byte %d of the line)", pe.Err, pe.Column)}
		}
		return &ParseError{File: file, Line: line, Err: err}
	}

	width, firstLine := 0, 0
	for h := 0; h < l.headerRows; h++ {
		rec, line, err := rs.next()
		if err == io.EOF {
			return nil, fileError(file, ErrLayout, "ends before its %d header rows", l.headerRows)
		}
		if err != nil {
			return nil, fail(line, err)
		}
		if h == 0 {
			width, firstLine = len(rec), line
			if width <= l.indexCols {
				return nil, &ParseError{File: file, Line: line, Err: wrapKind(ErrLayout,
					"%d cells; want %d label cells and at least one column", width, l.indexCols)}
			}
			f.colParts = make([][]string, width-l.indexCols)
		}
		if len(rec) != width {
			return nil, ragged(file, line, len(rec), width, firstLine)
		}
		for j, cell := range rec[l.indexCols:] {
			f.colParts[j] = append(f.colParts[j], strings.Clone(cell))
		}
		f.colLine = line
	}

	n := len(f.colParts)
	if rowsHint == square {
		rowsHint = n
	}
	if rowsHint > 0 && !l.text {
		f.data = make([]float64, 0, rowsHint*n)
	}
	for first := true; ; first = false {
		rec, line, err := rs.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fail(line, err)
		}
		if len(rec) != width {
			return nil, ragged(file, line, len(rec), width, firstLine)
		}
		cells := rec[l.indexCols:]
		if first && l.headerRows > 1 && allEmpty(cells) {
			continue // the row of index names under multi-level headers
		}
		parts := make([]string, l.indexCols)
		for k := range parts {
			parts[k] = strings.Clone(rec[k])
		}
		f.rowParts = append(f.rowParts, parts)
		f.rowLines = append(f.rowLines, line)
		i := len(f.rowParts) - 1
		if l.text {
			for _, cell := range cells {
				f.text = append(f.text, strings.Clone(cell))
			}
			continue
		}
		for j, cell := range cells {
			v, err := parseNumber(cell)
			if err != nil {
				return nil, &ParseError{File: file, Line: line, Column: l.indexCols + j + 1,
					Err: fmt.Errorf("%w (row %q, column %q)", err, f.rowLabel(i), f.colLabel(j))}
			}
			f.data = append(f.data, v)
		}
	}
	if f.rows() == 0 {
		return nil, fileError(file, ErrLayout, "no data rows")
	}
	return f, nil
}

func ragged(file string, line, got, want, firstLine int) error {
	return &ParseError{File: file, Line: line,
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

// parseNumber parses a decimal number. It rejects what strconv.ParseFloat
// would also take but a table should not hold: NaN, Inf, hexadecimal
// floats, underscores, and values out of float64's range. The error
// wraps ErrNotNumber or ErrNotFinite and quotes the cell.
func parseNumber(s string) (float64, error) {
	plain := s != ""
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case s == "":
		return 0, fmt.Errorf("%w: empty cell", ErrNotNumber)
	case err == nil && (math.IsNaN(v) || math.IsInf(v, 0)):
		return 0, fmt.Errorf("%w: %q", ErrNotFinite, s)
	case errors.Is(err, strconv.ErrRange) && plain && math.IsInf(v, 0):
		return 0, fmt.Errorf("%w: %q is out of range", ErrNotFinite, s)
	case err == nil && plain:
		return v, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrNotNumber, s)
}

// csvRecords yields the records of a delimited file with their lines.
// encoding/csv skips empty lines, knows quoting (pandas quotes a label
// holding the separator or a quote) and allocates one string per record;
// cells are slices of it, so a caller clones what it keeps.
type csvRecords struct{ r *csv.Reader }

// next returns the next non-empty record, valid until the next call, and
// the 1-based line it starts on; io.EOF at the end.
func (c *csvRecords) next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	return rec, line, nil
}
