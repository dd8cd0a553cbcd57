package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"path"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// frame is the part of one output file the report needs: named string
// and number columns, one row per kept row. A null number is NaN.
type frame struct {
	key  string
	rows int
	// line[i] is the file row (from 0, across batches) of kept row i.
	line    []int
	scanned int
	strs    map[string][]string
	nums    map[string][]float64
	// absent lists the wanted number columns the file lacks.
	absent map[string]bool
}

// query says which columns to read and which rows to keep.
type query struct {
	strs []string // string columns, all required
	// optStrs are string columns that may be missing or null: a missing
	// one is recorded in absent and reads as nil, a null reads as "".
	optStrs []string
	nums    []string // number columns; a missing one is recorded, not an error
	// where keeps the rows whose string column equals the value; a
	// column named here that the file lacks keeps every row.
	where map[string]string
}

// num returns the number column name, or an error naming the file when
// the file has no such column.
func (f *frame) num(name string) ([]float64, error) {
	if f.absent[name] {
		return nil, fmt.Errorf("%s has no column %q", f.key, name)
	}
	col, ok := f.nums[name]
	if !ok {
		panic("report: number column " + name + " was not queried")
	}
	return col, nil
}

// str returns the string column name, which the query required.
func (f *frame) str(name string) []string {
	col, ok := f.strs[name]
	if !ok {
		panic("report: string column " + name + " was not queried")
	}
	return col
}

// readFrame decodes an Arrow IPC file, or a Parquet file when key ends in
// .parquet, keeping the columns and rows q names. It returns an error
// naming the file and column when a required column is missing or has a
// type the report cannot read.
func readFrame(ctx context.Context, mem memory.Allocator, key string, data []byte, q query) (*frame, error) {
	f := &frame{
		key:    key,
		strs:   make(map[string][]string, len(q.strs)),
		nums:   make(map[string][]float64, len(q.nums)),
		absent: make(map[string]bool),
	}
	for _, name := range q.strs {
		f.strs[name] = nil
	}
	for _, name := range q.optStrs {
		f.strs[name] = nil
	}
	for _, name := range q.nums {
		f.nums[name] = nil
	}
	if err := decode(ctx, mem, key, data, f, q); err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return f, nil
}

// decode reads data into f. The Arrow and Parquet readers trust the
// lengths and offsets a file gives, and some damaged files make them
// panic rather than fail; decode turns such a panic into an error, as
// the file, not the program, is at fault.
//
// TODO(arrow-fuzz): a crafted file can also make arrow-go allocate
// without bound (a schema claiming billions of fields, a compressed
// buffer claiming a huge size), which no recover catches; FuzzReadFrame
// finds such files within a minute. The manifest's sha256 keeps changed
// files from the decoder; without a manifest only a bounds check of the
// footer's and each message's flatbuffers before decoding would fix it.
func decode(ctx context.Context, mem memory.Allocator, key string, data []byte, f *frame, q query) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("damaged file: %v", p)
		}
	}()
	if len(data) == 0 {
		return errors.New("empty file")
	}
	if path.Ext(key) == ".parquet" {
		return readParquet(ctx, mem, data, f, q)
	}
	return readIPC(mem, data, f, q)
}

func readIPC(mem memory.Allocator, data []byte, f *frame, q query) error {
	r, err := ipc.NewFileReader(bytes.NewReader(data), ipc.WithAllocator(mem))
	if err != nil {
		return fmt.Errorf("not an Arrow IPC file: %w", err)
	}
	defer r.Close()
	if err := checkSchema(r.Schema(), f, q); err != nil {
		return err
	}
	for i := range r.NumRecords() {
		rec, err := r.RecordBatch(i)
		if err != nil {
			return fmt.Errorf("record batch %d: %w", i, err)
		}
		err = f.append(rec, q)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

func readParquet(ctx context.Context, mem memory.Allocator, data []byte, f *frame, q query) error {
	tbl, err := pqarrow.ReadTable(ctx, bytes.NewReader(data), parquet.NewReaderProperties(mem),
		pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		return fmt.Errorf("not a Parquet file: %w", err)
	}
	defer tbl.Release()
	if err := checkSchema(tbl.Schema(), f, q); err != nil {
		return err
	}
	tr := array.NewTableReader(tbl, 1<<16)
	defer tr.Release()
	for tr.Next() {
		if err := f.append(tr.RecordBatch(), q); err != nil {
			return err
		}
	}
	return tr.Err()
}

// checkSchema fails on a missing string column and records missing
// number columns.
func checkSchema(s *arrow.Schema, f *frame, q query) error {
	for _, name := range q.strs {
		if !s.HasField(name) {
			have := make([]string, s.NumFields())
			for i, fd := range s.Fields() {
				have[i] = fd.Name
			}
			return fmt.Errorf("no column %q; its columns are %s", name, quoteList(have))
		}
	}
	for _, name := range append(slices.Clone(q.optStrs), q.nums...) {
		if !s.HasField(name) {
			f.absent[name] = true
		}
	}
	return nil
}

// append adds the rows of rec that pass q.where.
func (f *frame) append(rec arrow.RecordBatch, q query) error {
	s := rec.Schema()
	strCol := func(name string) (func(int) (string, bool), error) {
		idx := s.FieldIndices(name)
		if len(idx) == 0 {
			return nil, nil
		}
		get, err := stringGetter(rec.Column(idx[0]))
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", name, err)
		}
		return get, nil
	}
	type filter struct {
		get  func(int) (string, bool)
		want string
	}
	var filters []filter
	for _, name := range sortedKeys(q.where) {
		get, err := strCol(name)
		if err != nil {
			return err
		}
		if get != nil {
			filters = append(filters, filter{get, q.where[name]})
		}
	}
	strNames := slices.Concat(q.strs, q.optStrs)
	strs := make([]func(int) (string, bool), len(strNames))
	for i, name := range strNames {
		get, err := strCol(name)
		if err != nil {
			return err
		}
		strs[i] = get
	}
	nums := make([]func(int) float64, len(q.nums))
	for i, name := range q.nums {
		idx := s.FieldIndices(name)
		if len(idx) == 0 {
			continue
		}
		get, err := numberGetter(rec.Column(idx[0]))
		if err != nil {
			return fmt.Errorf("column %q: %w", name, err)
		}
		nums[i] = get
	}
rows:
	for row := range int(rec.NumRows()) {
		for _, flt := range filters {
			if v, ok := flt.get(row); !ok || v != flt.want {
				continue rows
			}
		}
		for i, name := range strNames {
			if strs[i] == nil {
				continue
			}
			v, ok := strs[i](row)
			if !ok && i < len(q.strs) {
				return fmt.Errorf("row %d: column %q is null", f.scanned+row, name)
			}
			f.strs[name] = append(f.strs[name], v)
		}
		for i, name := range q.nums {
			v := math.NaN()
			if nums[i] != nil {
				v = nums[i](row)
			}
			f.nums[name] = append(f.nums[name], v)
		}
		f.line = append(f.line, f.scanned+row)
		f.rows++
	}
	f.scanned += int(rec.NumRows())
	return nil
}

// stringGetter reads a string, large string, string view or a dictionary
// of strings; ok is false for a null.
func stringGetter(a arrow.Array) (func(int) (string, bool), error) {
	switch a := a.(type) {
	case *array.String:
		return func(i int) (string, bool) { return a.Value(i), a.IsValid(i) }, nil
	case *array.LargeString:
		return func(i int) (string, bool) { return a.Value(i), a.IsValid(i) }, nil
	case *array.StringView:
		return func(i int) (string, bool) { return a.Value(i), a.IsValid(i) }, nil
	case *array.Dictionary:
		dict, err := stringGetter(a.Dictionary())
		if err != nil {
			return nil, err
		}
		return func(i int) (string, bool) {
			if a.IsNull(i) {
				return "", false
			}
			return dict(a.GetValueIndex(i))
		}, nil
	}
	return nil, fmt.Errorf("type %s, want a string", a.DataType())
}

// numberGetter reads any integer or floating point column as float64,
// with NaN for a null.
func numberGetter(a arrow.Array) (func(int) float64, error) {
	var get func(int) float64
	switch a := a.(type) {
	case *array.Float64:
		get = a.Value
	case *array.Float32:
		get = func(i int) float64 { return float64(a.Value(i)) }
	case *array.Int64:
		get = func(i int) float64 { return float64(a.Value(i)) }
	case *array.Int32:
		get = func(i int) float64 { return float64(a.Value(i)) }
	case *array.Uint64:
		get = func(i int) float64 { return float64(a.Value(i)) }
	case *array.Uint32:
		get = func(i int) float64 { return float64(a.Value(i)) }
	case *array.Null:
		return func(int) float64 { return math.NaN() }, nil
	default:
		return nil, fmt.Errorf("type %s, want a number", a.DataType())
	}
	return func(i int) float64 {
		if a.IsNull(i) {
			return math.NaN()
		}
		return get(i)
	}, nil
}
