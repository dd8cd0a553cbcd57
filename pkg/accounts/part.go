package accounts

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// Part is what one block of consumers contributes to a table's accounts:
// the output x⁽ʳ⁾ = L y_r that each of its consumers triggers, and, for
// one block of the table, the multipliers. Assemble puts parts together
// into the Result that Compute gives, to the bit.
type Part struct {
	First int        // the first consumer of the block
	X     *mat.Dense // n × b: column c is x⁽ʳ⁾ for consumer First + c
	// MT is Mᵀ (n × sum k, extensions side by side), nil unless the part
	// carries the multipliers.
	MT *mat.Dense
	// Inverse holds the columns of L = (I - A)⁻¹ of the block's producing
	// consumers, those of sectors (r, j) for r in the block; nil unless
	// Options.Leontief. MarshalBinary leaves it out: the columns travel
	// on their own (InverseBlock.MarshalBinary), so that a merge can read
	// them one block at a time.
	Inverse *InverseBlock
}

// SolvePart factorizes I - A of t and solves for consumers lo, ..., hi-1
// only, and for the multipliers too when multipliers is set. A table in
// flow form is turned into coefficients first, as Compute does. With
// opts.Leontief it solves the block's columns of L too (Part.Inverse,
// InverseRange), each the same to the bit as in every other split of the
// columns. SolvePart
// consumes t.A unless opts.KeepA, and returns Compute's errors. It panics
// when [lo, hi) is not a range of t's consumers.
//
// Each consumer's column goes through the same operations as in Compute
// (with a library backend, the same library call: see consumerOutputs), so
// the parts are the matching columns of Compute's solves to the bit, as
// long as the library runs with the same number of threads in both.
func SolvePart(t *table.Table, lo, hi int, multipliers bool, opts Options) (*Part, error) {
	if lo < 0 || hi < lo || hi > len(t.Consumers) {
		panic(fmt.Sprintf("accounts: consumers [%d, %d) of %d", lo, hi, len(t.Consumers)))
	}
	if err := coefficientForm(t); err != nil {
		return nil, err
	}
	if hi == lo && !multipliers {
		// More blocks than consumers: this one has nothing to solve, and
		// its columns of L, the sectors of no region, are none.
		p := &Part{First: lo, X: &mat.Dense{}}
		if opts.Leontief {
			c0, _ := InverseRange(t, lo, hi)
			p.Inverse = &InverseBlock{First: c0, L: &mat.Dense{}}
		}
		return p, nil
	}
	lu, err := factorize(t, opts)
	if err != nil {
		return nil, err
	}
	p := &Part{First: lo, X: &mat.Dense{}}
	if hi > lo {
		p.X = consumerOutputs(lu, DemandByConsumer(t), lo, hi, opts.Backend)
	}
	if multipliers {
		p.MT = multipliersT(t, lu)
	}
	if opts.Leontief {
		c0, c1 := InverseRange(t, lo, hi)
		p.Inverse = solveInverseBlock(lu, c0, c1)
	}
	return p, nil
}

// coefficientForm turns a table in flow form into coefficients, or checks
// one in coefficient form.
func coefficientForm(t *table.Table) error {
	if t.Z != nil {
		_, err := Coefficients(t)
		return err
	}
	if err := t.Validate(); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	return nil
}

// Assemble returns the accounts of t from the parts of its consumers: the
// Result Compute gives, bit for bit, without a factorization. The parts
// must cover the consumers in order, and one of them carry the
// multipliers when t has stressors. t must be the table the parts were
// solved for, in coefficient form (A is read, not consumed); its
// ZeroOutput list is then the caller's. Assemble ignores opts.Leontief and
// the parts' Inverse: the caller sets Result.Inverse, with
// InverseOfBlocks over the parts' columns, and may read those one block
// at a time.
func Assemble(t *table.Table, parts []*Part, opts Options) (*Result, error) {
	if t.Z != nil {
		return nil, errorf(t, "assemble: the table is in flow form")
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	n, rp := t.N(), len(t.Consumers)
	xr := mat.NewDense(n, rp, nil)
	var mt *mat.Dense
	next := 0
	for i, p := range parts {
		r, c := 0, 0
		if !p.X.IsEmpty() {
			r, c = p.X.Dims()
		}
		if p.First != next || (c > 0 && r != n) || next+c > rp {
			return nil, errorf(t, "assemble: part %d covers consumers from %d (%d×%d), want from %d with %d rows", i, p.First, r, c, next, n)
		}
		if c > 0 {
			xr.Slice(0, n, next, next+c).(*mat.Dense).Copy(p.X)
		}
		next += c
		if p.MT != nil {
			mt = p.MT
		}
	}
	if next != rp {
		return nil, errorf(t, "assemble: the parts cover %d of %d consumers", next, rp)
	}
	if mt == nil && stressorCount(t) > 0 {
		return nil, errorf(t, "assemble: no part carries the multipliers")
	}
	if mt != nil {
		if r, c := mt.Dims(); r != n || c != stressorCount(t) {
			return nil, errorf(t, "assemble: multipliers are %d×%d, want %d×%d", r, c, n, stressorCount(t))
		}
	}
	var share []float64
	if t.ValueAdded == nil && t.RegionValueAdded == nil {
		share = ValueAddedShare(t.A)
	}
	return assemble(t, share, DemandByConsumer(t), xr, mt, nil, opts), nil
}

func stressorCount(t *table.Table) int {
	k := 0
	for _, e := range t.Extensions {
		k += len(e.Stressors)
	}
	return k
}

// partMagic starts a Part in binary form.
const partMagic = "MRIOPRT1"

// MarshalBinary encodes p: a header (magic, first consumer, the shapes of
// X and MT) and their numbers, little-endian, row by row.
func (p *Part) MarshalBinary() ([]byte, error) {
	xr, xc := dims(p.X)
	mr, mc := dims(p.MT)
	return encodeBinary(partMagic, []int{p.First, xr, xc, mr, mc}, p.X, p.MT), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (p *Part) UnmarshalBinary(data []byte) error {
	h, data, err := decodeHeader(data, partMagic, "part", 5)
	if err != nil {
		return err
	}
	if int64(len(data)) != 8*(h[1]*h[2]+h[3]*h[4]) {
		return fmt.Errorf("accounts: part of %d bytes, header says %d×%d and %d×%d numbers", len(data), h[1], h[2], h[3], h[4])
	}
	p.First = int(h[0])
	p.X, data = decodeDense(data, h[1], h[2])
	if p.X == nil {
		p.X = &mat.Dense{}
	}
	p.MT, _ = decodeDense(data, h[3], h[4])
	return nil
}

// encodeBinary returns magic, the header fields and the numbers of ms
// (nil or empty ones have none), little-endian, row by row.
func encodeBinary(magic string, header []int, ms ...*mat.Dense) []byte {
	size := len(magic) + 8*len(header)
	for _, m := range ms {
		r, c := dims(m)
		size += 8 * r * c
	}
	buf := make([]byte, 0, size)
	buf = append(buf, magic...)
	for _, v := range header {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
	}
	for _, m := range ms {
		r, _ := dims(m)
		for i := range r {
			for _, v := range m.RawRowView(i) {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
			}
		}
	}
	return buf
}

// decodeHeader checks that data starts with magic and reads the count
// header fields after it, each between 0 and 2^28; it returns them and the
// rest of data. what names the kind of data in errors.
func decodeHeader(data []byte, magic, what string, count int) ([]int64, []byte, error) {
	if !bytes.HasPrefix(data, []byte(magic)) {
		return nil, nil, fmt.Errorf("accounts: not a %s (bad magic)", what)
	}
	data = data[len(magic):]
	if len(data) < count*8 {
		return nil, nil, fmt.Errorf("accounts: %s header cut short", what)
	}
	h := make([]int64, count)
	for i := range h {
		h[i] = int64(binary.LittleEndian.Uint64(data[i*8:]))
		if h[i] < 0 || h[i] > 1<<28 {
			return nil, nil, fmt.Errorf("accounts: %s header field %d is %d", what, i, h[i])
		}
	}
	return h, data[count*8:], nil
}

// decodeDense reads an r×c matrix off the front of data, which must hold
// it, and returns it (nil when r c = 0) and the rest of data.
func decodeDense(data []byte, r, c int64) (*mat.Dense, []byte) {
	if r*c == 0 {
		return nil, data
	}
	v := make([]float64, r*c)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	return mat.NewDense(int(r), int(c), v), data[8*len(v):]
}

// dims returns the shape of m, 0×0 for nil or empty.
func dims(m *mat.Dense) (int, int) {
	if m == nil || m.IsEmpty() {
		return 0, 0
	}
	return m.Dims()
}
