package formats

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// A pandas DataFrame written to Parquet (DataFrame.to_parquet, which
// pymrio's save_all calls with table_format "parquet") keeps its index as
// ordinary columns and says so in the schema's metadata, under the key
// "pandas":
//
//	{"index_columns": ["region", "sector"],
//	 "column_indexes": [{"name": "region", ...}, {"name": "sector", ...}], ...}
//
// Columns with two or more header levels are named by Python's text of
// the tuple of their labels, "('reg1', 'food')".

// pandasMeta is the part of pandas' Parquet metadata read here.
type pandasMeta struct {
	IndexColumns  []json.RawMessage `json:"index_columns"`
	ColumnIndexes []struct {
		Name *string `json:"name"`
	} `json:"column_indexes"`
}

// parquetFrame reads the DataFrame in the Parquet file at rel into a
// frame: the index columns pandas names are the row labels, the other
// columns the data, numbers or (text) strings.
func (s *source) parquetFrame(rel string, text bool) (*frame, error) {
	name := s.name(rel)
	fh, err := s.open(rel)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(fh)
	fh.Close()
	if err != nil {
		return nil, &ParseError{File: name, Err: fmt.Errorf("reading: %w", err)}
	}
	bad := func(format string, args ...any) error { return fileError(name, ErrLayout, format, args...) }
	pr, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		return nil, bad("not a Parquet file: %v", err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, bad("%v", err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return nil, bad("%v", err)
	}
	defer tbl.Release()

	sc := tbl.Schema()
	pandas := pr.MetaData().KeyValueMetadata().FindValue("pandas")
	if pandas == nil {
		return nil, bad("no pandas metadata: not a DataFrame written by pandas")
	}
	var meta pandasMeta
	if err := json.Unmarshal([]byte(*pandas), &meta); err != nil {
		return nil, bad("pandas metadata: %v", err)
	}
	index := map[string]bool{}
	var indexCols []int
	for _, raw := range meta.IndexColumns {
		var col string
		if json.Unmarshal(raw, &col) != nil {
			return nil, bad("an index kept as a range, not as columns: pymrio's tables have labelled rows")
		}
		i := sc.FieldIndices(col)
		if len(i) != 1 {
			return nil, bad("no index column %q", col)
		}
		index[col] = true
		indexCols = append(indexCols, i[0])
	}
	levels := max(len(meta.ColumnIndexes), 1)
	f := &frame{file: name, indexCols: len(indexCols), colLine: 1}
	var dataCols []int
	for i, fd := range sc.Fields() {
		if index[fd.Name] {
			continue
		}
		parts, err := columnLabel(fd.Name, levels)
		if err != nil {
			return nil, bad("column %q: %v", fd.Name, err)
		}
		f.colParts = append(f.colParts, parts)
		dataCols = append(dataCols, i)
	}
	rows, nc := int(tbl.NumRows()), len(dataCols)
	f.rowParts, f.rowLines = make([][]string, rows), make([]int, rows)
	for r := range rows {
		f.rowParts[r] = make([]string, len(indexCols))
		f.rowLines[r] = r + 1
	}
	for k, c := range indexCols {
		if err := eachValue(tbl.Column(c), func(r int, v arrow.Array, i int) error {
			s, ok := textAt(v, i)
			if !ok {
				return fmt.Errorf("index column %q holds %s, not text", sc.Field(c).Name, v.DataType())
			}
			f.rowParts[r][k] = s
			return nil
		}); err != nil {
			return nil, bad("%v", err)
		}
	}
	if text {
		f.text = make([]string, rows*nc)
	} else {
		f.data = make([]float64, rows*nc)
	}
	for j, c := range dataCols {
		err := eachValue(tbl.Column(c), func(r int, v arrow.Array, i int) error {
			if v.IsNull(i) {
				return &ParseError{File: name, Line: r + 1, Column: len(indexCols) + j + 1,
					Err: fmt.Errorf("%w: null (row %q, column %q)", ErrNotNumber, f.rowLabel(r), f.colLabel(j))}
			}
			if text {
				s, ok := textAt(v, i)
				if !ok {
					return fmt.Errorf("column %q holds %s, not text", f.colLabel(j), v.DataType())
				}
				f.text[r*nc+j] = s
				return nil
			}
			x, ok := numberAt(v, i)
			if !ok {
				return fmt.Errorf("column %q holds %s, not numbers", f.colLabel(j), v.DataType())
			}
			if x-x != 0 {
				return &ParseError{File: name, Line: r + 1, Column: len(indexCols) + j + 1,
					Err: fmt.Errorf("%w: %v (row %q, column %q)", ErrNotFinite, x, f.rowLabel(r), f.colLabel(j))}
			}
			f.data[r*nc+j] = x
			return nil
		})
		if pe, ok := err.(*ParseError); ok {
			return nil, pe
		}
		if err != nil {
			return nil, bad("%v", err)
		}
	}
	if rows == 0 {
		return nil, bad("no data rows")
	}
	return f, nil
}

// eachValue calls fn for every value of the chunked column, with its row.
func eachValue(col *arrow.Column, fn func(row int, v arrow.Array, i int) error) error {
	row := 0
	for _, chunk := range col.Data().Chunks() {
		for i := range chunk.Len() {
			if err := fn(row, chunk, i); err != nil {
				return err
			}
			row++
		}
	}
	return nil
}

func textAt(v arrow.Array, i int) (string, bool) {
	switch a := v.(type) {
	case *array.String:
		return a.Value(i), true
	case *array.LargeString:
		return a.Value(i), true
	case *array.Dictionary:
		return textAt(a.Dictionary(), a.GetValueIndex(i))
	}
	return "", false
}

func numberAt(v arrow.Array, i int) (float64, bool) {
	switch a := v.(type) {
	case *array.Float64:
		return a.Value(i), true
	case *array.Float32:
		return float64(a.Value(i)), true
	case *array.Int64:
		return float64(a.Value(i)), true
	case *array.Int32:
		return float64(a.Value(i)), true
	}
	return 0, false
}

// columnLabel returns the label parts of a column that pandas named: the
// name itself for one header level, else the parts of Python's text of a
// tuple of strings, "('reg1', 'food')".
func columnLabel(name string, levels int) ([]string, error) {
	if levels == 1 {
		return []string{name}, nil
	}
	s := strings.TrimSpace(name)
	if !strings.HasPrefix(s, "(") || !strings.HasSuffix(s, ")") {
		return nil, fmt.Errorf("want a tuple of %d labels", levels)
	}
	s = strings.TrimSpace(s[1 : len(s)-1])
	var parts []string
	for s != "" {
		lit, rest, err := pythonString(s)
		if err != nil {
			return nil, err
		}
		parts = append(parts, lit)
		rest = strings.TrimSpace(rest)
		if rest == "" {
			break
		}
		if rest[0] != ',' {
			return nil, fmt.Errorf("want a comma after %q", lit)
		}
		s = strings.TrimSpace(rest[1:])
	}
	if len(parts) != levels {
		return nil, fmt.Errorf("%d labels, want %d", len(parts), levels)
	}
	return parts, nil
}

// pythonString reads the Python string literal at the start of s, quoted
// with ' or ", and returns its value and the rest of s.
func pythonString(s string) (string, string, error) {
	if s == "" || s[0] != '\'' && s[0] != '"' {
		return "", "", fmt.Errorf("want a quoted label at %q", s)
	}
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), s[i+1:], nil
		case c != '\\':
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			break
		}
		i++
		switch e := s[i]; e {
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+n >= len(s) {
				return "", "", fmt.Errorf("short escape in %q", s)
			}
			r, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil || !utf8.ValidRune(rune(r)) {
				return "", "", fmt.Errorf("bad escape in %q", s)
			}
			b.WriteRune(rune(r))
			i += n
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return "", "", fmt.Errorf("unterminated label in %q", s)
}
