package output

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/memory"
	flatbuffers "github.com/google/flatbuffers/go"
)

// The Arrow readers size slices by the vector lengths of a schema's
// flatbuffer without checking them against the buffer, so one damaged
// length asks for gigabytes and the runtime aborts: no recover helps. The
// guard below walks the schema first and rejects a vector that cannot fit.
//
// TODO(arrow-go): drop the guard once arrow/ipc bounds CustomMetadataLength,
// FieldsLength and ChildrenLength by the buffer (metadataFromFB,
// schemaFromFB, fieldFromFB in v18.9.0 do not).

// vtable offsets of the fields the guard reads (Schema.fbs, File.fbs,
// Message.fbs): field n of a table is at 4 + 2n.
const (
	footerSchema    = 6  // Footer.schema
	messageHeader   = 8  // Message.header
	schemaFields    = 6  // Schema.fields
	schemaMetadata  = 8  // Schema.custom_metadata
	fieldChildren   = 14 // Field.children
	fieldMetadata   = 16 // Field.custom_metadata
	maxSchemaDepth  = 64
	uoffsetSize     = flatbuffers.SizeUOffsetT
	arrowFileMagic  = "ARROW1"
	arrowSchemaMeta = "ARROW:schema" // Parquet key of the stored Arrow schema
)

var errDamaged = errors.New("damaged schema")

// schemaGuard checks the vectors of one schema flatbuffer.
type schemaGuard struct {
	buf    []byte
	budget int // elements left to visit: a schema has fewer than len(buf)/4
}

// vector returns the start and length of the vector of offsets at slot of
// t, or an error when it does not fit in the buffer or the budget.
func (g *schemaGuard) vector(t *flatbuffers.Table, slot flatbuffers.VOffsetT) (flatbuffers.UOffsetT, int, error) {
	o := flatbuffers.UOffsetT(t.Offset(slot))
	if o == 0 {
		return 0, 0, nil
	}
	start, n := t.Vector(o), t.VectorLen(o)
	if n < 0 || int(start)+n*uoffsetSize > len(g.buf) || n > g.budget {
		return 0, 0, errDamaged
	}
	g.budget -= n
	return start, n, nil
}

func (g *schemaGuard) schema(pos flatbuffers.UOffsetT) error {
	t := &flatbuffers.Table{Bytes: g.buf, Pos: pos}
	if _, _, err := g.vector(t, schemaMetadata); err != nil {
		return err
	}
	start, n, err := g.vector(t, schemaFields)
	if err != nil {
		return err
	}
	return g.fields(start, n, 0)
}

func (g *schemaGuard) fields(start flatbuffers.UOffsetT, n, depth int) error {
	if depth > maxSchemaDepth {
		return errDamaged
	}
	for i := range n {
		at := start + flatbuffers.UOffsetT(i*uoffsetSize)
		f := &flatbuffers.Table{Bytes: g.buf, Pos: at + flatbuffers.GetUOffsetT(g.buf[at:])}
		if _, _, err := g.vector(f, fieldMetadata); err != nil {
			return err
		}
		cs, cn, err := g.vector(f, fieldChildren)
		if err != nil {
			return err
		}
		if err := g.fields(cs, cn, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func checkFlatSchema(buf []byte, pos flatbuffers.UOffsetT) error {
	g := &schemaGuard{buf: buf, budget: len(buf) / uoffsetSize}
	return g.schema(pos)
}

// guardArrowFile checks the schema in the footer of an Arrow IPC file, the
// one the file reader uses. Files too short to hold a footer pass: the
// reader rejects them itself.
func guardArrowFile(data []byte) error {
	n := len(data)
	end := n - len(arrowFileMagic) - 4
	if end < len(arrowFileMagic) {
		return nil
	}
	size := int(binary.LittleEndian.Uint32(data[end:]))
	if size <= 0 || size > end {
		return nil
	}
	footer := data[end-size : end]
	t := &flatbuffers.Table{Bytes: footer, Pos: flatbuffers.GetUOffsetT(footer)}
	o := flatbuffers.UOffsetT(t.Offset(footerSchema))
	if o == 0 {
		return nil
	}
	return checkFlatSchema(footer, t.Indirect(t.Pos+o))
}

// guardStoredSchema checks the Arrow schema a Parquet file stores under
// ARROW:schema: base64 of an IPC message, continuation marker, length,
// flatbuffer.
func guardStoredSchema(value string) error {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(raw) < 8 {
		return nil // the reader reports it
	}
	size := int(binary.LittleEndian.Uint32(raw[4:]))
	if size <= 0 || size > len(raw)-8 {
		return fmt.Errorf("%s: %w", arrowSchemaMeta, errDamaged)
	}
	msg := raw[8 : 8+size]
	t := &flatbuffers.Table{Bytes: msg, Pos: flatbuffers.GetUOffsetT(msg)}
	o := flatbuffers.UOffsetT(t.Offset(messageHeader))
	if o == 0 {
		return nil
	}
	if err := checkFlatSchema(msg, t.Indirect(t.Pos+o)); err != nil {
		return fmt.Errorf("%s: %w", arrowSchemaMeta, err)
	}
	return nil
}

// errTooLarge is the panic of a limitedAllocator past its budget.
var errTooLarge = errors.New("the file asks for more memory than its size allows")

// limitedAllocator fails allocations once their sum passes a budget. A
// damaged compressed buffer can declare any decompressed size, and the
// Arrow reader allocates what it declares; the budget turns that into an
// error (the readers recover the panic) instead of an abort.
type limitedAllocator struct {
	memory.Allocator
	left atomic.Int64
}

// readBudget is what reading a file of n bytes may allocate in all: zstd
// shrinks the repetitive label columns of the accounts by two or three
// orders of magnitude, never by more than this.
func readBudget(n int) int { return max(1<<30, n<<14) }

// newLimitedAllocator returns mem limited to budget bytes in all.
func newLimitedAllocator(mem memory.Allocator, budget int) *limitedAllocator {
	a := &limitedAllocator{Allocator: mem}
	a.left.Store(int64(budget))
	return a
}

func (a *limitedAllocator) take(n int) {
	if a.left.Add(-int64(n)) < 0 {
		panic(errTooLarge)
	}
}

func (a *limitedAllocator) Allocate(size int) []byte {
	a.take(size)
	return a.Allocator.Allocate(size)
}

func (a *limitedAllocator) Reallocate(size int, b []byte) []byte {
	a.take(max(0, size-len(b)))
	return a.Allocator.Reallocate(size, b)
}
