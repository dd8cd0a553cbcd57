package accounts

import (
	"fmt"
	"math"

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
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	x := t.X
	if x == nil {
		x = totalOutput(t)
	}
	if t.ValueAdded == nil && t.RegionValueAdded == nil {
		t.ValueAdded = valueAddedFromFlows(t, x)
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

// totalOutput returns x = Z 1 + Y 1.
func totalOutput(t *table.Table) []float64 {
	n := t.N()
	x := make([]float64, n)
	for i := range n {
		var s float64
		for _, v := range t.Z.RawRowView(i) {
			s += v
		}
		for _, v := range t.Y.RawRowView(i) {
			s += v
		}
		x[i] = s
	}
	return x
}

// valueAddedFromFlows returns x_j - sum_i Z_ij for every sector j.
func valueAddedFromFlows(t *table.Table, x []float64) []float64 {
	va := make([]float64, len(x))
	for i := range len(x) {
		for j, v := range t.Z.RawRowView(i) {
			va[j] -= v
		}
	}
	for j := range va {
		va[j] += x[j]
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
// where x_j is zero. rowLabel names a row for the overflow error.
func divideColumns(t *table.Table, what string, m *mat.Dense, x []float64, rowLabel func(int) string) error {
	rows, _ := m.Dims()
	for i := range rows {
		row := m.RawRowView(i)
		for j, v := range row {
			if x[j] == 0 {
				row[j] = 0
				continue
			}
			q := v / x[j]
			if math.IsInf(q, 0) {
				return errorf(t, "%s[%q, %q] = %g / %g overflows",
					what, rowLabel(i), t.SectorLabel(j), v, x[j])
			}
			row[j] = q
		}
	}
	return nil
}

// errorf returns an error prefixed with the package and the table's source.
func errorf(t *table.Table, format string, args ...any) error {
	if t.Source == "" {
		return fmt.Errorf("accounts: "+format, args...)
	}
	return fmt.Errorf("accounts: %s: "+format, append([]any{t.Source}, args...)...)
}
