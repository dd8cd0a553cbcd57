package output

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mrioflow/mrioflow/pkg/accounts"
)

// Option changes how files are written and read.
type Option func(*config)

// config holds the options; newConfig writes every default.
type config struct {
	mem       memory.Allocator
	batchRows int
	meta      [][2]string
}

func newConfig(opts []Option) config {
	cfg := config{
		mem:       memory.DefaultAllocator, // WithAllocator
		batchRows: 1 << 16,                 // WithBatchRows
	}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// WithAllocator sets the allocator of every Arrow buffer written or read.
// The default is memory.DefaultAllocator.
func WithAllocator(mem memory.Allocator) Option {
	return func(c *config) { c.mem = mem }
}

// WithBatchRows sets the number of rows per Arrow record batch (and per
// chunk handed to the Parquet writer). The default is 65536. It panics if
// n < 1.
func WithBatchRows(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("output: batch rows %d < 1", n))
	}
	return func(c *config) { c.batchRows = n }
}

// WithMetadata adds a key and value to the schema metadata of written files,
// such as the job, year and scenario. It panics if key starts with
// "mrioflow.", the prefix of the metadata the package writes itself.
func WithMetadata(key, value string) Option {
	if strings.HasPrefix(key, "mrioflow.") {
		panic(fmt.Sprintf("output: metadata key %q is reserved", key))
	}
	return func(c *config) { c.meta = append(c.meta, [2]string{key, value}) }
}

// sink receives finished record batches: an Arrow IPC or a Parquet file.
type sink interface {
	write(rec arrow.RecordBatch) error
	close() error
}

// errClosed is returned by Write after Close.
var errClosed = errors.New("output: write after close")

// A Writer writes the rows of one account to an io.Writer, in one format.
// Each call to Write appends the rows of one Result; Close finishes the file.
//
// A Writer that fails stays failed: every later Write and Close returns its
// first error, and the bytes written so far are not a valid file.
//
// A Writer is not safe for concurrent use.
type Writer struct {
	acct *account
	cfg  config
	out  sink

	bld  *array.RecordBuilder
	strs []*array.StringBuilder  // by column; nil for other columns
	nums []*array.Float64Builder // by column; nil for other columns
	ints []*array.Int64Builder   // by column; nil for other columns

	row     []string // text values of the row being built, for errors
	inf     int      // column of the first infinite value of the row, or -1
	infVal  float64
	pending int   // rows in bld
	rows    int64 // rows handed to out

	err    error
	closed bool
}

// NewWriter returns a Writer of the account called name, in format f, to w.
// An unknown account or format is an error.
func NewWriter(w io.Writer, name string, f Format, opts ...Option) (*Writer, error) {
	acct := lookup(name)
	if acct == nil {
		return nil, fmt.Errorf("output: unknown account %q (want one of %s)",
			name, strings.Join(Accounts(), ", "))
	}
	cfg := newConfig(opts)
	schema := acct.schema
	if len(cfg.meta) > 0 {
		schema = withMetadata(schema, cfg.meta)
	}
	var (
		out sink
		err error
	)
	switch f {
	case Arrow:
		out, err = newArrowSink(w, schema, cfg.mem)
	case Parquet:
		out, err = newParquetSink(w, schema, cfg.mem)
	default:
		return nil, fmt.Errorf("output: %s: unknown format %v", name, f)
	}
	if err != nil {
		return nil, fmt.Errorf("output: %s: %w", name, err)
	}
	wr := &Writer{
		acct: acct,
		cfg:  cfg,
		out:  out,
		bld:  array.NewRecordBuilder(cfg.mem, schema),
		strs: make([]*array.StringBuilder, len(acct.columns)),
		nums: make([]*array.Float64Builder, len(acct.columns)),
		ints: make([]*array.Int64Builder, len(acct.columns)),
		row:  make([]string, len(acct.columns)),
		inf:  -1,
	}
	for i, b := range wr.bld.Fields() {
		switch b := b.(type) {
		case *array.StringBuilder:
			wr.strs[i] = b
		case *array.Float64Builder:
			wr.nums[i] = b
		case *array.Int64Builder:
			wr.ints[i] = b
		default:
			panic(fmt.Sprintf("output: %s: column %d has builder %T", name, i, b))
		}
	}
	return wr, nil
}

// withMetadata returns schema with extra metadata appended.
func withMetadata(schema *arrow.Schema, extra [][2]string) *arrow.Schema {
	md := schema.Metadata()
	keys, values := slices.Clone(md.Keys()), slices.Clone(md.Values())
	for _, kv := range extra {
		keys = append(keys, kv[0])
		values = append(values, kv[1])
	}
	meta := arrow.NewMetadata(keys, values)
	return arrow.NewSchema(schema.Fields(), &meta)
}

// Write appends the rows of res to the file. Groups must hold one entry per
// extension of res, in the same order, for the groups account; the other
// accounts ignore it.
//
// Write returns an error, and the Writer stays failed, when the Writer
// is one of Summary (see WriteSummary), when the account needs what res
// lacks (sector flows that were not computed, groups that were not given,
// a Leontief inverse that was not kept), when res.Inverse fails to hand
// out L (its error is returned as it is), when a value is infinite (the
// error names its row and column), or when the underlying writer fails. It panics when the shapes
// of res's matrices disagree with its labels.
func (w *Writer) Write(res *accounts.Result, groups []*accounts.Groups) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errClosed
	}
	fill, ok := fillers[w.acct.name]
	if !ok {
		return w.fail(fmt.Errorf("output: %s: a Result has no rows of this account; use WriteSummary", w.acct.name))
	}
	if err := fill(w, res, groups); err != nil {
		return w.fail(err)
	}
	return nil
}

// Rows returns the number of rows written so far, including those still
// buffered for the next record batch.
func (w *Writer) Rows() int64 { return w.rows + int64(w.pending) }

// Close writes the buffered rows and the file footer, and releases the
// Writer's memory. It returns the Writer's first error, if any. Closing
// twice returns the same result.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err == nil && w.pending > 0 {
		w.flush()
	}
	w.bld.Release()
	// A failed file is closed too, to release what the sink holds; its
	// bytes are garbage either way.
	if err := w.out.close(); err != nil && w.err == nil {
		w.err = fmt.Errorf("output: %s: close: %w", w.acct.name, err)
	}
	return w.err
}

// fail records err as the Writer's first error and returns the first error.
func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

// str sets text column col of the current row.
func (w *Writer) str(col int, v string) {
	w.row[col] = v
	w.strs[col].Append(v)
}

// optStr sets text column col of the current row, with null for "".
func (w *Writer) optStr(col int, v string) {
	if v == "" {
		w.null(col)
		return
	}
	w.str(col, v)
}

// null writes null in column col of the current row.
func (w *Writer) null(col int) {
	w.row[col] = ""
	w.bld.Field(col).AppendNull()
}

// num sets number column col of the current row: NaN becomes null, and an
// infinite value marks the row as bad for endRow to report.
func (w *Writer) num(col int, v float64) {
	switch {
	case math.IsNaN(v):
		w.nums[col].AppendNull()
	case math.IsInf(v, 0):
		w.nums[col].AppendNull()
		if w.inf < 0 {
			w.inf, w.infVal = col, v
		}
	default:
		w.nums[col].Append(v)
	}
}

// endRow finishes the current row and hands a full batch to the sink. It
// returns an error naming the row when a value was infinite, or the sink's
// error.
func (w *Writer) endRow() error {
	if w.inf >= 0 {
		return fmt.Errorf("output: %s: %s: %s is %v, which no output may hold",
			w.acct.name, w.describeRow(), w.acct.columns[w.inf].name, w.infVal)
	}
	w.pending++
	if w.pending >= w.cfg.batchRows {
		return w.flush()
	}
	return nil
}

// describeRow names the current row by its text columns.
func (w *Writer) describeRow() string {
	var parts []string
	for i, c := range w.acct.columns {
		if w.strs[i] != nil && c.name != "unit" {
			parts = append(parts, fmt.Sprintf("%s %q", c.name, w.row[i]))
		}
	}
	return strings.Join(parts, ", ")
}

// flush hands the buffered rows to the sink as one record batch.
func (w *Writer) flush() error {
	rec := w.bld.NewRecordBatch()
	defer rec.Release()
	n := w.pending
	w.pending = 0
	if err := w.out.write(rec); err != nil {
		return w.fail(fmt.Errorf("output: %s: write: %w", w.acct.name, err))
	}
	w.rows += int64(n)
	return nil
}

// Encode returns the account called name of res as one file in format f,
// and its number of rows. Groups is as for Writer.Write. Encode fails
// where NewWriter, Write or Close fail, and then returns no data.
func Encode(name string, f Format, res *accounts.Result, groups []*accounts.Groups, opts ...Option) ([]byte, int64, error) {
	return encode(name, f, opts, func(w *Writer) error { return w.Write(res, groups) })
}

// EncodeTo writes the account called name of res to w as one file in
// format f, the bytes Encode returns, and returns its number of rows.
// Groups is as for Writer.Write. It fails where NewWriter, Write or
// Close fail; what it wrote to w is then not a file. It holds what a
// Writer holds (for leontief one chunk of L's columns and one record
// batch, or a Parquet row group), never the file.
func EncodeTo(w io.Writer, name string, f Format, res *accounts.Result, groups []*accounts.Groups, opts ...Option) (int64, error) {
	return encodeTo(w, name, f, opts, func(w *Writer) error { return w.Write(res, groups) })
}

// encode returns the file that write writes to a new Writer of account
// name, and its number of rows; no data on error.
func encode(name string, f Format, opts []Option, write func(*Writer) error) ([]byte, int64, error) {
	var buf pieces
	rows, err := encodeTo(&buf, name, f, opts, write)
	if err != nil {
		return nil, 0, err
	}
	return buf.join(), rows, nil
}

// encodeTo has write write to a new Writer of account name on out, closes
// it and returns its number of rows.
func encodeTo(out io.Writer, name string, f Format, opts []Option, write func(*Writer) error) (int64, error) {
	w, err := NewWriter(out, name, f, opts...)
	if err != nil {
		return 0, err
	}
	err = write(w)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	return w.Rows(), nil
}

// pieceSize is the size of the pieces of a pieces buffer.
const pieceSize = 1 << 20

// pieces is an io.Writer that keeps what it is given in pieces of
// pieceSize, so that a file is never copied while it grows, as in a
// bytes.Buffer, whose doublings hold up to three times the file at once
// (a 144 MB Leontief inverse raised the peak by 600 MB). join copies it
// once into a slice of its exact size.
type pieces struct {
	full [][]byte
	cur  []byte
	n    int
}

func (p *pieces) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		if len(p.cur) == cap(p.cur) {
			if p.cur != nil {
				p.full = append(p.full, p.cur)
			}
			p.cur = make([]byte, 0, pieceSize)
		}
		k := min(len(b), cap(p.cur)-len(p.cur))
		p.cur = append(p.cur, b[:k]...)
		b = b[k:]
	}
	p.n += n
	return n, nil
}

// join returns everything written, in one slice, and empties p.
func (p *pieces) join() []byte {
	out := make([]byte, 0, p.n)
	for i, b := range p.full {
		out = append(out, b...)
		p.full[i] = nil
	}
	out = append(out, p.cur...)
	*p = pieces{}
	return out
}
