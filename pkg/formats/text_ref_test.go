package formats

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// readFrameCSV is the reference the parallel reader must agree with: the
// same frame or the same error, from encoding/csv and parseNumber one cell
// at a time.
func readFrameCSV(r io.Reader, file string, l layout, rowsHint int) (*frame, error) {
	c := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	c.Comma = l.comma
	c.FieldsPerRecord = -1 // checked here, to say more
	c.ReuseRecord = true
	rs := &refRecords{r: c}
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

// refRecords yields the records of a delimited file with their lines.
// encoding/csv skips empty lines, knows quoting (pandas quotes a label
// holding the separator or a quote) and allocates one string per record;
// cells are slices of it, so a caller clones what it keeps.
type refRecords struct{ r *csv.Reader }

// next returns the next non-empty record, valid until the next call, and
// the 1-based line it starts on; io.EOF at the end.
func (c *refRecords) next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	return rec, line, nil
}
