package acceptance

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/mrioflow/mrioflow/pkg/output"
)

// schemaFile is schemas/<account>.arrow.json.
type schemaFile struct {
	Account  string            `json:"account"`
	Metadata map[string]string `json:"metadata"`
	Fields   []struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		Nullable bool   `json:"nullable"`
	} `json:"fields"`
}

// arrowTypes maps the type names of the schema files to Arrow types.
var arrowTypes = map[string]arrow.DataType{
	"utf8":    arrow.BinaryTypes.String,
	"float64": arrow.PrimitiveTypes.Float64,
}

// checkSchema compares a file's schema with schemas/<account>.arrow.json.
func checkSchema(t *testing.T, f *outFile, account string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "schemas", account+".arrow.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want schemaFile
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("schemas/%s.arrow.json: %v", account, err)
	}
	if f.account != account || want.Account != account {
		t.Errorf("%s: metadata names account %q, file name %q, schema file %q", f.path, f.account, account, want.Account)
	}
	md := f.schema.Metadata()
	for k, v := range want.Metadata {
		if got, ok := md.GetValue(k); !ok || got != v {
			t.Errorf("%s: schema metadata %s = %q, want %q", f.path, k, got, v)
		}
	}
	if f.schema.NumFields() != len(want.Fields) {
		t.Errorf("%s: %d fields, schema file lists %d", f.path, f.schema.NumFields(), len(want.Fields))
		return
	}
	for i, w := range want.Fields {
		g := f.schema.Field(i)
		wt, ok := arrowTypes[w.Type]
		if !ok {
			t.Errorf("schemas/%s.arrow.json: field %s has type %q, unknown here", account, w.Name, w.Type)
			continue
		}
		if g.Name != w.Name || !arrow.TypeEqual(g.Type, wt) || g.Nullable != w.Nullable {
			t.Errorf("%s: field %d is %s %s nullable=%t, schema file says %s %s nullable=%t",
				f.path, i, g.Name, g.Type, g.Nullable, w.Name, w.Type, w.Nullable)
		}
	}
	if f.rows == 0 {
		t.Errorf("%s: no rows", f.path)
	}
	for name, nulls := range f.null {
		if !slices.Contains(nulls, true) {
			continue
		}
		if i := f.schema.FieldIndices(name); len(i) == 0 || !f.schema.Field(i[0]).Nullable {
			t.Errorf("%s: column %s holds nulls but is not nullable", f.path, name)
		}
	}
	for name, vals := range f.num {
		for r, v := range vals {
			if math.IsInf(v, 0) || math.IsNaN(v) && !f.null[name][r] {
				t.Errorf("%s: column %s row %d is %v", f.path, name, r, v)
				break
			}
		}
	}
}

// Codecs of the Arrow format's BodyCompression (Message.fbs).
const (
	codecNone = -1 // no BodyCompression: the body is not compressed
	codecZstd = 1
)

// vtable offsets of the Arrow IPC flatbuffer fields read here (field n is
// at 4 + 2n).
const (
	messageHeaderType  = 6  // Message.header_type
	messageHeader      = 8  // Message.header
	messageBodyLength  = 10 // Message.bodyLength
	batchBuffers       = 8  // RecordBatch.buffers
	batchCompression   = 10 // RecordBatch.compression
	compressionCodec   = 4  // BodyCompression.codec
	headerRecordBatch  = 3  // MessageHeader.RecordBatch
	bufferStructLength = 16 // Buffer { offset: long; length: long }
)

// zstdMagic starts every zstd frame.
var zstdMagic = []byte{0x28, 0xB5, 0x2F, 0xFD}

// bodyStats is what the record batches of an Arrow IPC file say about
// their compression.
type bodyStats struct {
	batches       int
	codecs        []int // per batch
	zstd, raw     int   // buffers that are zstd frames, buffers stored as they are
	notCompressed []string
}

// ipcBodies walks the message stream of an Arrow IPC file, as
// Message.fbs lays it out, and reads the codec of each record batch and
// the first bytes of each of its buffers: a compressed buffer is its
// uncompressed length (int64), then the compressed bytes; -1 marks one
// left as it is.
//
//	file:    "ARROW1" 00 00, messages, 0xFFFFFFFF 00000000, footer ...
//	message: 0xFFFFFFFF int32(len(metadata)) metadata body
func ipcBodies(t *testing.T, data []byte) bodyStats {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("ARROW1\x00\x00")) {
		t.Fatal("not an Arrow IPC file")
	}
	var st bodyStats
	pos := 8
	for {
		if pos+8 > len(data) || binary.LittleEndian.Uint32(data[pos:]) != 0xFFFFFFFF {
			t.Fatalf("no message at %d", pos)
		}
		size := int(binary.LittleEndian.Uint32(data[pos+4:]))
		pos += 8
		if size == 0 {
			return st // end of the stream
		}
		meta := data[pos : pos+size]
		pos += size
		msg := flatbuffers.Table{Bytes: meta, Pos: flatbuffers.GetUOffsetT(meta)}
		bodyLen := 0
		if o := flatbuffers.UOffsetT(msg.Offset(messageBodyLength)); o != 0 {
			bodyLen = int(msg.GetInt64(msg.Pos + o))
		}
		body := data[pos : pos+bodyLen]
		pos += bodyLen
		if msg.GetUint8Slot(messageHeaderType, 0) != headerRecordBatch {
			continue
		}
		st.batches++
		ho := flatbuffers.UOffsetT(msg.Offset(messageHeader))
		if ho == 0 {
			t.Fatalf("record batch %d has no header", st.batches)
		}
		var batch flatbuffers.Table
		msg.Union(&batch, ho)
		codec := codecNone
		if o := flatbuffers.UOffsetT(batch.Offset(batchCompression)); o != 0 {
			comp := flatbuffers.Table{Bytes: meta, Pos: batch.Indirect(batch.Pos + o)}
			codec = int(comp.GetInt8Slot(compressionCodec, 0))
		}
		st.codecs = append(st.codecs, codec)
		o := flatbuffers.UOffsetT(batch.Offset(batchBuffers))
		if o == 0 {
			continue
		}
		vec, n := batch.Vector(o), batch.VectorLen(o)
		for i := range n {
			at := vec + flatbuffers.UOffsetT(i*bufferStructLength)
			off, length := int(batch.GetInt64(at)), int(batch.GetInt64(at+8))
			switch {
			case length == 0:
			case length >= 12 && int64(binary.LittleEndian.Uint64(body[off:])) == -1:
				st.raw++
			case length >= 12 && bytes.Equal(body[off+8:off+12], zstdMagic):
				st.zstd++
			default:
				st.notCompressed = append(st.notCompressed, fmt.Sprintf("batch %d buffer %d", st.batches, i))
			}
		}
	}
}

// TestOutputFiles reads every Arrow file of both example jobs with
// arrow-go's IPC file reader under a checked allocator (no byte may stay
// allocated), checks its schema against schemas/*.arrow.json and that its
// record batch bodies are zstd frames, that output.ReadTable reads the
// same values, and that the manifest lists exactly these files with their
// sizes, checksums and rows.
func TestOutputFiles(t *testing.T) {
	for _, sr := range []*sharedRun{gaArrow, pymrioArrow} {
		t.Run(sr.job, func(t *testing.T) {
			dir := sr.dir(t)
			manifest := readManifest(t, dir)
			listed := map[string]manifestOutput{}
			for _, o := range manifest.Outputs {
				listed[o.Key] = o
			}
			seen := 0
			for part, files := range scenarioFiles(t, dir, ".arrow") {
				for account, path := range files {
					t.Run(part+"/"+account, func(t *testing.T) {
						f := readArrowFile(t, path)
						checkSchema(t, f, account)
						data := readBytes(t, path)
						st := ipcBodies(t, data)
						if st.batches != f.batches || st.batches == 0 {
							t.Errorf("%d record batches in the stream, the reader read %d", st.batches, f.batches)
						}
						for i, c := range st.codecs {
							if c != codecZstd {
								t.Errorf("record batch %d: codec %d, want zstd (%d)", i, c, codecZstd)
							}
						}
						if len(st.notCompressed) > 0 || st.zstd == 0 {
							t.Errorf("buffers not zstd frames: %v (%d zstd, %d stored raw)", st.notCompressed, st.zstd, st.raw)
						}
						t.Logf("%d rows in %d batches; %d buffers zstd, %d stored raw", f.rows, st.batches, st.zstd, st.raw)
						sameAsReadTable(t, f, data, output.Arrow)

						keyName := sr.job + "/" + part + "/" + account + ".arrow"
						o, ok := listed[keyName]
						sum := sha256.Sum256(data)
						switch {
						case !ok:
							t.Errorf("the manifest does not list %s", keyName)
						case o.SHA256 != hex.EncodeToString(sum[:]) || o.Bytes != int64(len(data)) || o.Rows != int64(f.rows):
							t.Errorf("manifest: %s has %d bytes, sha256 %s, %d rows; the file has %d, %x, %d",
								keyName, o.Bytes, o.SHA256, o.Rows, len(data), sum, f.rows)
						}
					})
					seen++
				}
			}
			if seen != len(manifest.Outputs) {
				t.Errorf("%d files written, the manifest lists %d", seen, len(manifest.Outputs))
			}
		})
	}
}

// manifestOutput is one output as the manifest lists it.
type manifestOutput struct {
	Key    string `json:"key"`
	Bytes  int64  `json:"bytes"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

// manifest is the part of a manifest.json the tests read.
type manifest struct {
	Outputs []manifestOutput `json:"outputs"`
}

// readManifest reads <jobDir>/manifest.json.
func readManifest(t *testing.T, jobDir string) manifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(jobDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	return m
}

// sameAsReadTable asserts that output.ReadTable reads data as f holds it.
func sameAsReadTable(t *testing.T, f *outFile, data []byte, format output.Format) {
	t.Helper()
	sameColumns(t, readTable(t, f.path, data, format), f)
}

// sameColumns asserts that two reads of an account hold the same rows, in
// the same order, bit for bit.
func sameColumns(t *testing.T, got, want *outFile) {
	t.Helper()
	if got.rows != want.rows {
		t.Errorf("%s: %d rows, want %d", got.path, got.rows, want.rows)
		return
	}
	for name, w := range want.text {
		if g := got.text[name]; !slices.Equal(g, w) {
			t.Errorf("%s: column %s differs", got.path, name)
		}
	}
	for name, w := range want.num {
		g := got.num[name]
		for r := range w {
			if r >= len(g) || math.Float64bits(g[r]) != math.Float64bits(w[r]) && !(math.IsNaN(g[r]) && math.IsNaN(w[r])) {
				t.Errorf("%s: column %s row %d: %v, want %v", got.path, name, r, g[r], w[r])
				break
			}
		}
		if !slices.Equal(got.null[name], want.null[name]) {
			t.Errorf("%s: column %s: nulls differ", got.path, name)
		}
	}
}

// TestParquetSameAsArrow runs both example jobs with --output-format
// parquet and checks that every Parquet file holds the same rows and
// numbers as the Arrow file of the same account, that its column chunks
// are zstd-compressed, and that reading it leaks nothing.
func TestParquetSameAsArrow(t *testing.T) {
	for _, runs := range [][2]*sharedRun{{gaParquet, gaArrow}, {pymrioParquet, pymrioArrow}} {
		pq, ar := runs[0], runs[1]
		t.Run(pq.job, func(t *testing.T) {
			pqFiles, arFiles := scenarioFiles(t, pq.dir(t), ".parquet"), scenarioFiles(t, ar.dir(t), ".arrow")
			if len(pqFiles) != len(arFiles) {
				t.Errorf("%d Parquet partitions, %d Arrow ones", len(pqFiles), len(arFiles))
			}
			for part, files := range arFiles {
				for account, path := range files {
					t.Run(part+"/"+account, func(t *testing.T) {
						pqPath := pqFiles[part][account]
						if pqPath == "" {
							t.Fatalf("no Parquet file for %s/%s", part, account)
						}
						got := readParquetFile(t, pqPath)
						checkSchema(t, got, account)
						sameColumns(t, got, readArrowFile(t, path))
						checkParquetZstd(t, pqPath)
					})
				}
			}
		})
	}
}

// checkParquetZstd asserts that every column chunk of a Parquet file is
// compressed with zstd.
func checkParquetZstd(t *testing.T, path string) {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	md := pf.MetaData()
	for g := range md.NumRowGroups() {
		rg := md.RowGroup(g)
		for c := range rg.NumColumns() {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			if cc.Compression() != compress.Codecs.Zstd {
				t.Errorf("%s: row group %d column %s is compressed with %v, want zstd",
					path, g, cc.PathInSchema().String(), cc.Compression())
			}
		}
	}
}
