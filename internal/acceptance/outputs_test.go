package acceptance

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mrioflow/mrioflow/pkg/output"
)

// outFile is one output file held as plain Go columns.
type outFile struct {
	path    string
	account string // from the schema metadata
	schema  *arrow.Schema
	rows    int
	batches int
	text    map[string][]string
	num     map[string][]float64 // NaN where null
	null    map[string][]bool
}

// readArrowFile reads an Arrow IPC output file with arrow-go's file reader
// under a checked allocator, and fails the test if any byte it allocated
// is not freed once the columns are copied out.
func readArrowFile(t testing.TB, path string) *outFile {
	t.Helper()
	data := readBytes(t, path)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	r, err := ipc.NewFileReader(bytes.NewReader(data), ipc.WithAllocator(mem))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	f := newOutFile(path, r.Schema())
	for i := range r.NumRecords() {
		rec, err := r.RecordBatchAt(i)
		if err != nil {
			t.Fatalf("%s: record batch %d: %v", path, i, err)
		}
		f.add(t, rec)
		rec.Release()
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	// Every batch is released and the reader closed: nothing may stay.
	mem.AssertSize(t, 0)
	return f
}

// readParquetFile reads a Parquet output file with output.ReadTable.
func readParquetFile(t testing.TB, path string) *outFile {
	t.Helper()
	return readTable(t, path, readBytes(t, path), output.Parquet)
}

// readTable reads the bytes of an output file with output.ReadTable under
// a checked allocator, which must hold nothing once the table is released.
func readTable(t testing.TB, path string, data []byte, format output.Format) *outFile {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	tbl, err := output.ReadTable(data, format, output.WithAllocator(mem))
	if err != nil {
		t.Fatalf("%s: output.ReadTable: %v", path, err)
	}
	f := newOutFile(path, tbl.Schema())
	f.addTable(t, tbl)
	tbl.Release()
	if n := mem.CurrentAlloc(); n != 0 {
		t.Errorf("%s: output.ReadTable: %d bytes still allocated after Release", path, n)
	}
	return f
}

// readBytes returns the contents of the file at path.
func readBytes(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// readOutput reads an output file by its extension.
func readOutput(t testing.TB, path string) *outFile {
	t.Helper()
	if strings.HasSuffix(path, ".parquet") {
		return readParquetFile(t, path)
	}
	return readArrowFile(t, path)
}

func newOutFile(path string, schema *arrow.Schema) *outFile {
	f := &outFile{path: path, schema: schema,
		text: map[string][]string{}, num: map[string][]float64{}, null: map[string][]bool{}}
	f.account, _ = schema.Metadata().GetValue(output.MetaAccount)
	return f
}

// add copies the rows of rec into f.
func (f *outFile) add(t testing.TB, rec arrow.RecordBatch) {
	t.Helper()
	f.batches++
	for i, field := range rec.Schema().Fields() {
		col := rec.Column(i)
		for j := range col.Len() {
			f.null[field.Name] = append(f.null[field.Name], col.IsNull(j))
		}
		switch c := col.(type) {
		case *array.String:
			for j := range c.Len() {
				f.text[field.Name] = append(f.text[field.Name], c.Value(j))
			}
		case *array.Float64:
			for j := range c.Len() {
				v := c.Value(j)
				if c.IsNull(j) {
					v = math.NaN()
				}
				f.num[field.Name] = append(f.num[field.Name], v)
			}
		default:
			t.Fatalf("%s: column %q has type %s, want utf8 or float64", f.path, field.Name, col.DataType())
		}
	}
	f.rows += int(rec.NumRows())
}

// addTable copies the rows of tbl into f.
func (f *outFile) addTable(t testing.TB, tbl arrow.Table) {
	t.Helper()
	tr := array.NewTableReader(tbl, -1)
	defer tr.Release()
	for tr.Next() {
		f.add(t, tr.RecordBatch())
	}
}

// col returns the numbers of the column called name, failing the test when
// there is none.
func (f *outFile) col(t testing.TB, name string) []float64 {
	t.Helper()
	return outColumn(t, f, f.num, "number", name)
}

// labels returns the text column called name, failing the test when there
// is none.
func (f *outFile) labels(t testing.TB, name string) []string {
	t.Helper()
	return outColumn(t, f, f.text, "text", name)
}

// outColumn returns cols[name], failing the test when f has no such column
// of that kind.
func outColumn[T any](t testing.TB, f *outFile, cols map[string][]T, kind, name string) []T {
	t.Helper()
	v, ok := cols[name]
	if !ok {
		t.Fatalf("%s: no %s column %q", f.path, kind, name)
	}
	return v
}

// keyed maps the row key made of the text columns given (joined with "|")
// to the value of the number column value, failing the test on a repeated
// key.
func (f *outFile) keyed(t testing.TB, value string, keys ...string) map[string]float64 {
	t.Helper()
	vals := f.col(t, value)
	cols := make([][]string, len(keys))
	for i, k := range keys {
		cols[i] = f.labels(t, k)
	}
	out := make(map[string]float64, f.rows)
	parts := make([]string, len(keys))
	for r := range f.rows {
		for i := range keys {
			parts[i] = cols[i][r]
		}
		k := strings.Join(parts, "|")
		if _, dup := out[k]; dup {
			t.Fatalf("%s: two rows for %s", f.path, k)
		}
		out[k] = vals[r]
	}
	return out
}

// key joins label parts as keyed does.
func key(parts ...string) string { return strings.Join(parts, "|") }

// distinct returns the values of a text column, each once, in the order
// they first come.
func (f *outFile) distinct(t testing.TB, name string) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for _, v := range f.labels(t, name) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// scenarioFiles returns the output files of one job's output folder, by
// partition "year=Y/scenario=S" and account.
func scenarioFiles(t testing.TB, jobDir, ext string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, rel := range filesBelow(t, jobDir) {
		if !strings.HasSuffix(rel, ext) {
			continue
		}
		dir, name := filepath.Split(rel)
		part := strings.TrimSuffix(dir, "/")
		if out[part] == nil {
			out[part] = map[string]string{}
		}
		out[part][strings.TrimSuffix(name, ext)] = filepath.Join(jobDir, filepath.FromSlash(rel))
	}
	if len(out) == 0 {
		t.Fatalf("no %s files below %s", ext, jobDir)
	}
	return out
}

// partition returns the output files of one year and scenario.
func partition(t testing.TB, jobDir, year, scenario, ext string) map[string]string {
	t.Helper()
	files := scenarioFiles(t, jobDir, ext)[fmt.Sprintf("year=%s/scenario=%s", year, scenario)]
	if files == nil {
		t.Fatalf("%s: no files of year %s, scenario %s", jobDir, year, scenario)
	}
	return files
}
