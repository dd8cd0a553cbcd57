package output

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	flatbuffers "github.com/google/flatbuffers/go"
	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/accounts"
)

// tinyResult is enough for the multipliers account.
func tinyResult() *accounts.Result {
	direct := []float64{1, 2}
	total := []float64{3, 4}
	return &accounts.Result{
		Regions: []string{"A"}, Consumers: []string{"A"}, Sectors: []string{"x", "y"},
		Extensions: []*accounts.Extension{{
			Name: "air", Stressors: []string{"CO2"},
			Direct: denseRow(direct), Total: denseRow(total),
		}},
	}
}

// footerSchemaMetadataLength returns where, in an Arrow file, the length of
// the footer schema's custom metadata vector is stored.
func footerSchemaMetadataLength(t *testing.T, data []byte) int {
	t.Helper()
	end := len(data) - len(arrowFileMagic) - 4
	size := int(binary.LittleEndian.Uint32(data[end:]))
	base := end - size
	footer := data[base:end]
	ft := &flatbuffers.Table{Bytes: footer, Pos: flatbuffers.GetUOffsetT(footer)}
	st := &flatbuffers.Table{Bytes: footer, Pos: ft.Indirect(ft.Pos + flatbuffers.UOffsetT(ft.Offset(footerSchema)))}
	o := flatbuffers.UOffsetT(st.Offset(schemaMetadata))
	if o == 0 {
		t.Fatal("schema has no custom metadata")
	}
	vec := st.Vector(o) // first element; the length sits just before it
	return base + int(vec) - 4
}

func TestDamagedFilesFailCleanly(t *testing.T) {
	data, _, err := Encode(Multipliers, Arrow, tinyResult(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTable(data, Arrow); err != nil {
		t.Fatalf("the undamaged file: %v", err)
	}

	// A metadata vector that claims two billion entries.
	hugeMeta := append([]byte(nil), data...)
	binary.LittleEndian.PutUint32(hugeMeta[footerSchemaMetadataLength(t, data):], 1<<31-1)

	// A compressed buffer that claims to hold 64 TiB once decompressed:
	// each buffer of a compressed body is its decompressed size, then a
	// zstd frame.
	bomb := append([]byte(nil), data...)
	found := false
	for i := 8; i+16 < len(bomb); i += 8 {
		// zstd frames start with 28 B5 2F FD, right after the size.
		if binary.LittleEndian.Uint32(bomb[i+8:]) == 0xFD2FB528 {
			binary.LittleEndian.PutUint64(bomb[i:], 1<<46)
			found = true
			break
		}
	}
	if !found {
		t.Fatal("no zstd frame in the file")
	}

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"metadata length", hugeMeta, "damaged"},
		{"decompressed size", bomb, "more memory than its size allows"},
		{"truncated", data[:len(data)/2], "output: read arrow"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			tbl, err := ReadTable(tc.data, Arrow, WithAllocator(mem))
			if err == nil {
				tbl.Release()
				t.Fatal("no error")
			}
			t.Log(err)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want one containing %q", err, tc.want)
			}
		})
	}
}

func denseRow(v []float64) *mat.Dense { return mat.NewDense(1, len(v), v) }
