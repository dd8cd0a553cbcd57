package formats

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// pyTuple writes labels as Python writes a tuple of strings.
func pyTuple(parts []string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		if strings.Contains(p, "'") && !strings.Contains(p, `"`) {
			q[i] = `"` + p + `"`
		} else {
			q[i] = "'" + strings.ReplaceAll(strings.ReplaceAll(p, `\`, `\\`), "'", `\'`) + "'"
		}
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// writePandasParquet writes the frame f as pandas' to_parquet would: the
// row labels as index columns named index, the column labels as names
// (tuples for two or more levels), pandas metadata naming both.
func writePandasParquet(t *testing.T, path string, f *frame, index, levels []string) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	var fields []arrow.Field
	var cols []arrow.Array
	for k, name := range index {
		b := array.NewStringBuilder(mem)
		for _, p := range f.rowParts {
			b.Append(p[k])
		}
		fields = append(fields, arrow.Field{Name: name, Type: arrow.BinaryTypes.String})
		cols = append(cols, b.NewArray())
		b.Release()
	}
	for j, parts := range f.colParts {
		name := parts[0]
		if len(levels) > 1 {
			name = pyTuple(parts)
		}
		if f.text != nil {
			b := array.NewStringBuilder(mem)
			for i := range f.rows() {
				b.Append(f.text[i*f.cols()+j])
			}
			fields = append(fields, arrow.Field{Name: name, Type: arrow.BinaryTypes.String})
			cols = append(cols, b.NewArray())
			b.Release()
			continue
		}
		b := array.NewFloat64Builder(mem)
		for i := range f.rows() {
			b.Append(f.data[i*f.cols()+j])
		}
		fields = append(fields, arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64})
		cols = append(cols, b.NewArray())
		b.Release()
	}
	var levelMeta []map[string]any
	for _, l := range levels {
		levelMeta = append(levelMeta, map[string]any{"name": l, "field_name": l, "pandas_type": "unicode"})
	}
	meta, _ := json.Marshal(map[string]any{"index_columns": index, "column_indexes": levelMeta, "pandas_version": "2.2.2"})
	md := arrow.NewMetadata([]string{"pandas"}, []string{string(meta)})
	sc := arrow.NewSchema(fields, &md)
	rec := array.NewRecordBatch(sc, cols, int64(f.rows()))
	for _, c := range cols {
		c.Release()
	}
	defer rec.Release()
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(sc, fh, nil, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// parquetCopy rewrites the pymrio fixture with every txt file as Parquet.
func parquetCopy(t *testing.T) string {
	t.Helper()
	dir := copyDir(t, "pymrio")
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(p) != paramsFile {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var params pymrioParams
		if err := json.Unmarshal(data, &params); err != nil {
			return err
		}
		folder := filepath.Dir(p)
		for key, f := range params.Files {
			l := layout{comma: '\t', indexCols: int(f.IndexCols), headerRows: int(f.HeaderRows), text: key == "unit"}
			fr, err := readFile(filepath.Join(folder, f.Name), l, 0)
			if err != nil {
				return err
			}
			index := []string{"level_a", "level_b"}[:l.indexCols]
			levels := []string{"region", "sector"}[:l.headerRows]
			name := strings.TrimSuffix(f.Name, ".txt") + ".parquet"
			writePandasParquet(t, filepath.Join(folder, name), fr, index, levels)
			if err := os.Remove(filepath.Join(folder, f.Name)); err != nil {
				return err
			}
			f.Name = name
			params.Files[key] = f
		}
		out, _ := json.Marshal(params)
		return os.WriteFile(p, out, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPymrioParquet reads the fixture saved in Parquet: the same table as
// from txt.
func TestPymrioParquet(t *testing.T) {
	want := openPymrio(t, filepath.Join("testdata", "pymrio"))
	got := openPymrio(t, parquetCopy(t))
	sameTables(t, got, want)
}

func TestColumnLabel(t *testing.T) {
	tests := []struct {
		name   string
		levels int
		want   string // parts joined by "|", or "error"
	}{
		{"food", 1, "food"},
		{"('reg1', 'food')", 2, "reg1|food"},
		{`("it's", 'a\\b')`, 2, `it's|a\b`},
		{`('caf\xe9', '\u00e9t\u00e9')`, 2, "café|été"},
		{"('reg1', 'food')", 3, "error"},
		{"reg1_food", 2, "error"},
		{"('reg1', food)", 2, "error"},
		{"('reg1", 2, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, err := columnLabel(tt.name, tt.levels)
			got := strings.Join(parts, "|")
			if err != nil {
				got = "error"
			}
			if got != tt.want {
				t.Errorf("columnLabel(%q, %d) = %q (%v), want %q", tt.name, tt.levels, got, err, tt.want)
			}
		})
	}
}

func TestPymrioParquetBad(t *testing.T) {
	tests := []struct {
		name    string
		content func(t *testing.T, dir string)
		want    string
	}{
		{"not Parquet", func(t *testing.T, dir string) { write(t, filepath.Join(dir, "Y.parquet"), "PAR1 but no more") },
			"Y.parquet: unexpected layout: not a Parquet file"},
		{"no pandas metadata", func(t *testing.T, dir string) {
			fr, err := readFile(filepath.Join("testdata", "pymrio", "Y.txt"), tsvLayout, 0)
			if err != nil {
				t.Fatal(err)
			}
			writePandasParquet(t, filepath.Join(dir, "Y.parquet"), fr, []string{"region", "sector"}, []string{"region", "category"})
			edit(t, filepath.Join(dir, "Y.parquet"), "pandas", "pandaz")
		}, "Y.parquet: unexpected layout: no pandas metadata"},
		{"one header level", func(t *testing.T, dir string) {
			fr, err := readFile(filepath.Join("testdata", "pymrio", "Y.txt"), tsvLayout, 0)
			if err != nil {
				t.Fatal(err)
			}
			for j := range fr.colParts {
				fr.colParts[j] = []string{fr.colLabel(j)}
			}
			writePandasParquet(t, filepath.Join(dir, "Y.parquet"), fr, []string{"region", "sector"}, []string{"col"})
		}, "Y.parquet: unexpected layout: columns of 1 header levels, want 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := parquetCopy(t)
			tt.content(t, dir)
			_, err := Open("pymrio", dir, nil)
			wantError(t, err, tt.want, "", "", ErrLayout)
		})
	}
}
