package accounts

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// inverseChunk is how many columns of L one solve takes; see
// inverseColumns.
const inverseChunk = 64

// Inverse is the Leontief inverse L = (I - A)⁻¹ of one table, handed out
// a block of columns at a time, in column order, so that no n×n L is ever
// held: Compute keeps the factors of I - A and solves L's columns as they
// are asked for; InverseOfBlocks passes on columns solved elsewhere
// (SolvePart).
//
// An Inverse from Compute may be read by one goroutine at a time.
type Inverse struct {
	n      int
	lu     *leontief.LU                                // Compute's factors, or nil
	blocks func(yield func(*InverseBlock) error) error // else the blocks
}

// N returns the order n of L.
func (inv *Inverse) N() int { return inv.n }

// Each calls f for every column of L, in column order, a block of columns
// at a time: cols is n×w and holds columns first, ..., first+w-1. cols is
// only valid during the call; f must neither keep nor change it.
//
// From Compute's factors the columns come in chunks of 64 (the last one
// shorter), each one solve of (I - A) X = E; from InverseOfBlocks, as the
// blocks hold them. Each stops at the first error, of f or of the blocks,
// and returns it. Blocks that do not follow on from each other, do not
// have n rows or do not cover all n columns are an error.
func (inv *Inverse) Each(f func(first int, cols *mat.Dense) error) error {
	if inv.lu != nil {
		return inverseColumns(inv.lu, 0, inv.n, f)
	}
	next := 0
	err := inv.blocks(func(b *InverseBlock) error {
		r, w := dims(b.L)
		if b.First != next || (w > 0 && r != inv.n) || next+w > inv.n {
			return fmt.Errorf("accounts: a block of L's columns starts at column %d with %d×%d numbers; want it to start at %d with %d rows", b.First, r, w, next, inv.n)
		}
		next += w
		if w == 0 {
			return nil
		}
		return f(b.First, b.L)
	})
	if err != nil {
		return err
	}
	if next != inv.n {
		return fmt.Errorf("accounts: the blocks of L's columns cover %d of %d columns", next, inv.n)
	}
	return nil
}

// InverseOfBlocks returns the Inverse of order n whose columns are those
// of the blocks that blocks hands to yield, one after the other, in column
// order. blocks runs again for every call of Inverse.Each, so it may read
// each block when it is needed (from a store, say) and drop it after
// yield returns. It must return yield's error when yield fails, and may
// return an error of its own. InverseOfBlocks panics when n < 0.
func InverseOfBlocks(n int, blocks func(yield func(*InverseBlock) error) error) *Inverse {
	if n < 0 {
		panic(fmt.Sprintf("accounts: inverse of order %d", n))
	}
	return &Inverse{n: n, blocks: blocks}
}

// InverseBlock is a block of consecutive columns of L = (I - A)⁻¹, the
// share of L of one block of consumers (SolvePart).
type InverseBlock struct {
	First int        // the first column of L in the block
	L     *mat.Dense // n × w: column c is column First + c of L; empty when w = 0
}

// inverseColumns calls f for columns lo, ..., hi-1 of L = (I - A)⁻¹, in
// order, in chunks: the chunks of inverseChunk columns aligned to column
// 0, each solved whole, (I - A) X = E[:, c0:c1], even when only part of it
// is asked for, and handed to f clipped to [lo, hi). A column of L thereby
// goes through the very same solve, with the same columns beside it,
// whatever range it is asked for in, and has the same bits in every split
// of the columns, with a library backend too (see consumerOutputs). One
// n × 64 buffer serves every chunk.
func inverseColumns(lu *leontief.LU, lo, hi int, f func(first int, cols *mat.Dense) error) error {
	n := lu.N()
	if lo < 0 || hi < lo || hi > n {
		panic(fmt.Sprintf("accounts: columns [%d, %d) of L of order %d", lo, hi, n))
	}
	if hi == lo {
		return nil
	}
	buf := mat.NewDense(n, min(inverseChunk, n), nil)
	for c0 := lo - lo%inverseChunk; c0 < hi; c0 += inverseChunk {
		c1 := min(c0+inverseChunk, n)
		chunk := buf.Slice(0, n, 0, c1-c0).(*mat.Dense)
		chunk.Zero()
		for j := c0; j < c1; j++ {
			chunk.Set(j, j-c0, 1)
		}
		lu.Solve(chunk)
		a, b := max(c0, lo), min(c1, hi)
		if err := f(a, chunk.Slice(0, n, a-c0, b-c0).(*mat.Dense)); err != nil {
			return err
		}
	}
	return nil
}

// InverseRange returns the columns [lo, hi) of L that belong to consumers
// clo, ..., chi-1 of t: those of the sectors of the producing regions
// among them, sector j of region r being column r m + j. Consumers that
// do not produce have none. Blocks of consumers that cover all of them in
// order thereby cover all n columns of L in order.
func InverseRange(t *table.Table, clo, chi int) (lo, hi int) {
	r, m := len(t.Regions), len(t.Sectors)
	return min(clo, r) * m, min(chi, r) * m
}

// solveInverseBlock returns columns lo, ..., hi-1 of L as one block.
func solveInverseBlock(lu *leontief.LU, lo, hi int) *InverseBlock {
	b := &InverseBlock{First: lo, L: &mat.Dense{}}
	if hi == lo {
		return b
	}
	n := lu.N()
	b.L = mat.NewDense(n, hi-lo, nil)
	_ = inverseColumns(lu, lo, hi, func(first int, cols *mat.Dense) error {
		_, w := cols.Dims()
		b.L.Slice(0, n, first-lo, first-lo+w).(*mat.Dense).Copy(cols)
		return nil
	})
	return b
}

// inverseMagic starts an InverseBlock in binary form.
const inverseMagic = "MRIOINV1"

// MarshalBinary encodes b: a header (magic, first column, rows, columns)
// and the numbers, little-endian, row by row.
func (b *InverseBlock) MarshalBinary() ([]byte, error) {
	r, c := dims(b.L)
	return encodeBinary(inverseMagic, []int{b.First, r, c}, b.L), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote. Data of another kind,
// cut short or with a header that disagrees with its length is an error.
func (b *InverseBlock) UnmarshalBinary(data []byte) error {
	h, data, err := decodeHeader(data, inverseMagic, "block of L", 3)
	if err != nil {
		return err
	}
	if (h[1] == 0) != (h[2] == 0) {
		return fmt.Errorf("accounts: block of L of %d×%d numbers: an empty block is 0×0", h[1], h[2])
	}
	if int64(len(data)) != 8*h[1]*h[2] {
		return fmt.Errorf("accounts: block of L of %d bytes, header says %d×%d numbers", len(data), h[1], h[2])
	}
	b.First = int(h[0])
	b.L, _ = decodeDense(data, h[1], h[2])
	if b.L == nil {
		b.L = &mat.Dense{}
	}
	return nil
}
