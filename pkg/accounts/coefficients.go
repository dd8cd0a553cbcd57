package accounts

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// Coefficients turns a table in flow form into coefficient form, in place
// (MATH.md 1 and 2):
//
//   - x = Z 1 + Y 1 when t.X is nil (all of Y, every consumer);
//   - value added per sector, x_j - sum_i Z_ij, when the table carries
//     neither ValueAdded nor RegionValueAdded;
//   - A = Z / x column by column, in Z's storage: t.A takes it, t.Z is nil;
//   - S = F / x likewise for every extension: e.S takes F's storage, e.F is
//     nil.
//
// A column whose x_j is zero (negative zero too) becomes zero in A and S; the
// non-zero stressors it had drop out of every account and come back as the
// ZeroOutput list, in extension, stressor, sector order.
//
// Coefficients returns an error, naming the table, when t is not in flow
// form or fails table.Validate, and when a division overflows (an x_j so
// small that Z_ij / x_j or F_sj / x_j is infinite). t is unchanged after an
// error, except after an overflow, which leaves it half converted.
func Coefficients(t *table.Table) ([]ZeroOutput, error) {
	if t.Z == nil {
		return nil, errorf(t, "Coefficients needs a table in flow form (Z); this one has none")
	}
	// Validation and the sums of Z both only read, so they share the
	// pass's time; sums touches nothing but Z, whatever its shape.
	var invalid error
	var wg sync.WaitGroup
	wg.Go(func() { invalid = t.Validate() })
	rowZ, colZ := sums(t.Z)
	wg.Wait()
	if invalid != nil {
		return nil, fmt.Errorf("accounts: %w", invalid)
	}
	x := t.X
	if x == nil {
		x = totalOutput(t, rowZ)
	}
	if t.ValueAdded == nil && t.RegionValueAdded == nil {
		t.ValueAdded = valueAddedFromFlows(colZ, x)
	}

	if err := divideColumns(t, "A", t.Z, x, t.SectorLabel); err != nil {
		return nil, err
	}
	t.A, t.Z, t.X = t.Z, nil, x

	var zero []ZeroOutput
	for _, e := range t.Extensions {
		zero = append(zero, zeroOutput(t, e, x)...)
		if err := divideColumns(t, e.Name+".S", e.F, x, func(s int) string { return e.Stressors[s] }); err != nil {
			return nil, err
		}
		e.S, e.F = e.F, nil
	}
	return zero, nil
}

// sums returns the row sums and the column sums of z, in one pass over
// blocks of rows (see eachBlock). Each column sum adds the blocks' partial
// sums in block order, so it is the same to the bit on any number of
// goroutines.
func sums(z *mat.Dense) (rows, cols []float64) {
	r, c := z.Dims()
	rows, cols = make([]float64, r), make([]float64, c)
	partial := make([][]float64, blocks(r))
	eachBlock(r, func(b, lo, hi int) {
		part := make([]float64, c)
		for i := lo; i < hi; i++ {
			var s float64
			row := z.RawRowView(i)[:len(part)]
			for j, v := range row {
				s += v
				part[j] += v
			}
			rows[i] = s
		}
		partial[b] = part
	})
	for _, part := range partial {
		for j, v := range part {
			cols[j] += v
		}
	}
	return rows, cols
}

// totalOutput returns x = Z 1 + Y 1, given Z 1.
func totalOutput(t *table.Table, rowZ []float64) []float64 {
	x := make([]float64, len(rowZ))
	for i, s := range rowZ {
		for _, v := range t.Y.RawRowView(i) {
			s += v
		}
		x[i] = s
	}
	return x
}

// valueAddedFromFlows returns x_j - sum_i Z_ij for every sector j, given
// the column sums of Z.
func valueAddedFromFlows(colZ, x []float64) []float64 {
	va := make([]float64, len(x))
	for j, s := range colZ {
		va[j] = x[j] - s
	}
	return va
}

// zeroOutput lists the non-zero stressors of e in sectors with zero output.
func zeroOutput(t *table.Table, e *table.Extension, x []float64) []ZeroOutput {
	var out []ZeroOutput
	m := len(t.Sectors)
	for s, name := range e.Stressors {
		for j, v := range e.F.RawRowView(s) {
			if x[j] == 0 && v != 0 {
				out = append(out, ZeroOutput{
					Extension: e.Name, Stressor: name,
					Region: t.Regions[j/m], Sector: t.Sectors[j%m],
					Amount: v,
				})
			}
		}
	}
	return out
}

// divideColumns divides column j of m by x_j in place, and sets it to zero
// where x_j is zero, on blocks of rows in parallel. rowLabel names a row
// for the overflow error, which is the first overflow in row-major order.
func divideColumns(t *table.Table, what string, m *mat.Dense, x []float64, rowLabel func(int) string) error {
	rows, _ := m.Dims()
	errs := make([]error, blocks(rows))
	eachBlock(rows, func(b, lo, hi int) {
		for i := lo; i < hi; i++ {
			row := m.RawRowView(i)
			x := x[:len(row)]
			for j, v := range row {
				if x[j] == 0 {
					row[j] = 0
					continue
				}
				q := v / x[j]
				if math.IsInf(q, 0) {
					errs[b] = errorf(t, "%s[%q, %q] = %g / %g overflows",
						what, rowLabel(i), t.SectorLabel(j), v, x[j])
					return
				}
				row[j] = q
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// rowBlock is the number of rows one goroutine of eachBlock takes at a
// time. The cut does not depend on the number of goroutines, so neither do
// sums that add up blocks in order.
const rowBlock = 256

// blocks returns the number of blocks of rowBlock rows in n rows.
func blocks(n int) int { return (n + rowBlock - 1) / rowBlock }

// eachBlock calls f(b, lo, hi) for every block b of rows [lo, hi) of n,
// on up to GOMAXPROCS goroutines.
func eachBlock(n int, f func(b, lo, hi int)) {
	nb := blocks(n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(nb, runtime.GOMAXPROCS(0))) {
		wg.Go(func() {
			for b := int(next.Add(1) - 1); b < nb; b = int(next.Add(1) - 1) {
				f(b, b*rowBlock, min(n, (b+1)*rowBlock))
			}
		})
	}
	wg.Wait()
}

// errorf returns an error prefixed with the package and the table's source.
func errorf(t *table.Table, format string, args ...any) error {
	if t.Source == "" {
		return fmt.Errorf("accounts: "+format, args...)
	}
	return fmt.Errorf("accounts: %s: "+format, append([]any{t.Source}, args...)...)
}
