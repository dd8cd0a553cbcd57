package output

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetRowGroup is the most rows of one Parquet row group. The writer
// buffers a whole row group, so this bounds its memory too.
const parquetRowGroup = 1 << 20

// arrowSink writes an Arrow IPC file.
//
// TODO(size): plain utf8 label columns cost 4 bytes of offsets per column
// and row, which zstd barely shrinks: the Arrow file of EXIOBASE-sized
// sector flows is about 25 bytes a row, its Parquet twin well under one
// (BenchmarkEncode). Dictionary-encoding the label columns would close the
// gap, at the price of dictionary types in every schema.
type arrowSink struct{ w *ipc.FileWriter }

func newArrowSink(w io.Writer, schema *arrow.Schema, mem memory.Allocator) (sink, error) {
	fw, err := ipc.NewFileWriter(w,
		ipc.WithSchema(schema),
		ipc.WithAllocator(mem),
		ipc.WithZstd())
	if err != nil {
		return nil, err
	}
	return arrowSink{fw}, nil
}

func (s arrowSink) write(rec arrow.RecordBatch) error { return s.w.Write(rec) }
func (s arrowSink) close() error                      { return s.w.Close() }

// parquetSink writes a Parquet file that carries the Arrow schema, so a
// reader gets back the metadata and the nullability written.
type parquetSink struct{ w *pqarrow.FileWriter }

func newParquetSink(w io.Writer, schema *arrow.Schema, mem memory.Allocator) (sink, error) {
	props := parquet.NewWriterProperties(
		parquet.WithAllocator(mem),
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithMaxRowGroupLength(parquetRowGroup),
		parquet.WithCreatedBy("mrioflow"))
	aprops := pqarrow.NewArrowWriterProperties(
		pqarrow.WithAllocator(mem),
		pqarrow.WithStoreSchema())
	fw, err := pqarrow.NewFileWriter(schema, w, props, aprops)
	if err != nil {
		return nil, err
	}
	return parquetSink{fw}, nil
}

func (s parquetSink) write(rec arrow.RecordBatch) error { return s.w.WriteBuffered(rec) }
func (s parquetSink) close() error                      { return s.w.Close() }
