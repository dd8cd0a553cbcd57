package output_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	flatbuffers "github.com/google/flatbuffers/go"
	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/output"
)

// Codecs of the Arrow format's BodyCompression table (Message.fbs).
const (
	codecNone = -1 // the record batch has no BodyCompression
	codecLZ4  = 0
	codecZstd = 1
)

// arrowCodecs returns the body compression codec of every record batch of
// an Arrow IPC file. The ipc package does not expose it, so this walks the
// file's flatbuffers as File.fbs and Message.fbs lay them out:
//
//	file:    "ARROW1\0\0" messages... footer int32(len(footer)) "ARROW1"
//	footer:  table Footer { version; schema; dictionaries: [Block]; recordBatches: [Block] }
//	Block:   struct { offset int64; metaDataLength int32; (pad); bodyLength int64 }
//	message: 0xFFFFFFFF int32(len) table Message { version; header_type; header; bodyLength }
//	header:  table RecordBatch { length; nodes; buffers; compression: BodyCompression { codec } }
func arrowCodecs(t *testing.T, data []byte) []int {
	t.Helper()
	const magic = "ARROW1"
	n := len(data)
	if n < 2*len(magic)+4 || string(data[:len(magic)]) != magic || string(data[n-len(magic):]) != magic {
		t.Fatal("not an Arrow IPC file")
	}
	end := n - len(magic) - 4
	footerLen := int(binary.LittleEndian.Uint32(data[end:]))
	footer := data[end-footerLen : end]
	ft := flatbuffers.Table{Bytes: footer, Pos: flatbuffers.GetUOffsetT(footer)}
	const (
		footerRecordBatches = 10 // vtable offset of field 3
		blockSize           = 24
		messageHeaderType   = 6
		messageHeader       = 8
		headerRecordBatch   = 3
		batchCompression    = 10
		compressionCodec    = 4
	)
	o := flatbuffers.UOffsetT(ft.Offset(footerRecordBatches))
	if o == 0 {
		return nil
	}
	vec, count := ft.Vector(o), ft.VectorLen(o)
	codecs := make([]int, count)
	for i := range count {
		at := vec + flatbuffers.UOffsetT(i*blockSize)
		offset := int(ft.GetInt64(at))
		if binary.LittleEndian.Uint32(data[offset:]) != 0xFFFFFFFF {
			t.Fatalf("batch %d: no continuation marker at %d", i, offset)
		}
		size := int(binary.LittleEndian.Uint32(data[offset+4:]))
		meta := data[offset+8 : offset+8+size]
		msg := flatbuffers.Table{Bytes: meta, Pos: flatbuffers.GetUOffsetT(meta)}
		if h := msg.GetUint8Slot(messageHeaderType, 0); h != headerRecordBatch {
			t.Fatalf("batch %d: message header type %d, want RecordBatch", i, h)
		}
		var batch flatbuffers.Table
		msg.Union(&batch, flatbuffers.UOffsetT(msg.Offset(messageHeader)))
		co := flatbuffers.UOffsetT(batch.Offset(batchCompression))
		if co == 0 {
			codecs[i] = codecNone
			continue
		}
		comp := flatbuffers.Table{Bytes: meta, Pos: batch.Indirect(batch.Pos + co)}
		codecs[i] = int(comp.GetInt8Slot(compressionCodec, codecLZ4))
	}
	return codecs
}

// bigFlows returns a Result with only flows by sector filled in: r regions
// of m sectors, values that repeat as real tables' do.
func bigFlows(r, m int) *accounts.Result {
	res := &accounts.Result{}
	for i := range r {
		res.Regions = append(res.Regions, fmt.Sprintf("region-%02d", i))
	}
	res.Consumers = res.Regions
	for j := range m {
		res.Sectors = append(res.Sectors, fmt.Sprintf("sector-%02d", j))
	}
	f := mat.NewDense(r*m, r, nil)
	for i := range r * m {
		for c := range r {
			f.Set(i, c, float64((i*c)%23)*0.5)
		}
	}
	res.Extensions = []*accounts.Extension{{
		Name: "air", Stressors: []string{"CO2"}, Units: []string{"kg"},
		FlowsBySector: []*mat.Dense{f},
	}}
	return res
}

func TestArrowIsZstd(t *testing.T) {
	res := bigFlows(20, 10)
	data, rows, err := output.Encode(output.FlowsBySector, output.Arrow, res, nil, output.WithBatchRows(1000))
	if err != nil {
		t.Fatal(err)
	}
	codecs := arrowCodecs(t, data)
	if want := int((rows + 999) / 1000); len(codecs) != want {
		t.Fatalf("%d record batches, want %d", len(codecs), want)
	}
	for i, c := range codecs {
		if c != codecZstd {
			t.Errorf("record batch %d: codec %d, want zstd (%d)", i, c, codecZstd)
		}
	}

	// The same table written without compression is larger, and the
	// walker above sees that it is.
	tbl, err := output.ReadTable(data, output.Arrow)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var plain bytes.Buffer
	w, err := ipc.NewFileWriter(&plain, ipc.WithSchema(tbl.Schema()))
	if err != nil {
		t.Fatal(err)
	}
	tr := array.NewTableReader(tbl, 1000)
	defer tr.Release()
	for tr.Next() {
		if err := w.Write(tr.RecordBatch()); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for i, c := range arrowCodecs(t, plain.Bytes()) {
		if c != codecNone {
			t.Errorf("uncompressed batch %d: codec %d", i, c)
		}
	}
	if len(data)*2 > plain.Len() {
		t.Errorf("zstd file has %d bytes, uncompressed %d: want less than half", len(data), plain.Len())
	}
}

func TestParquetIsZstd(t *testing.T) {
	res, groups := fixture(1)
	data, _, err := output.Encode(output.Regions, output.Parquet, res, groups)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	md := pf.MetaData()
	if md.NumRowGroups() == 0 {
		t.Fatal("no row groups")
	}
	for g := range md.NumRowGroups() {
		rg := md.RowGroup(g)
		for c := range rg.NumColumns() {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			if cc.Compression() != compress.Codecs.Zstd {
				t.Errorf("row group %d column %d: compression %v, want zstd", g, c, cc.Compression())
			}
		}
	}
}

// BenchmarkEncode writes the sector flows of one stressor at the size of
// EXIOBASE 3 (49 regions of 200 products): 480 200 rows.
func BenchmarkEncode(b *testing.B) {
	res := bigFlows(49, 200)
	for _, f := range []output.Format{output.Arrow, output.Parquet} {
		b.Run(f.String(), func(b *testing.B) {
			var size int
			for b.Loop() {
				data, _, err := output.Encode(output.FlowsBySector, f, res, nil)
				if err != nil {
					b.Fatal(err)
				}
				size = len(data)
			}
			b.ReportMetric(float64(size), "bytes/file")
		})
	}
}
