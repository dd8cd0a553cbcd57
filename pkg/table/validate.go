package table

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// Validate checks that t is one consistent table, before any solve:
//
//   - at least one region, sector and final-demand category;
//   - no label twice among the regions, the sectors, the consumers, the
//     categories, the extension names, or the stressors of one extension;
//   - Consumers begin with Regions, in the same order;
//   - exactly one of Z and A, n x n; Y n x len(Consumers)*len(Categories);
//     X, ValueAdded of length n and RegionValueAdded of length R when set;
//   - every extension has one unit per stressor, F (flow form) or S
//     (coefficient form) k x n, and FY, when set, as wide as Y;
//   - every number finite (RegionValueAdded may hold NaN for "unknown");
//   - not both of Z (or A) and Y all zero, and Y not all zero.
//
// The first problem found comes back as an error that names t.Source and
// the matrix, row and column, or the label, at fault.
func (t *Table) Validate() error {
	if err := t.validateLabels(); err != nil {
		return err
	}
	if err := t.validateShapes(); err != nil {
		return err
	}
	if err := t.validateNumbers(); err != nil {
		return err
	}
	coreName, core := t.core()
	if allZero(core) && allZero(t.Y) {
		return t.errorf("%s and Y are all zero", coreName)
	}
	if allZero(t.Y) {
		return t.errorf("final demand Y is all zero: no account can be computed")
	}
	return nil
}

// errorf returns an error prefixed with the package and the table's source.
// It wraps an error argument given with %w.
func (t *Table) errorf(format string, args ...any) error {
	if t.Source == "" {
		return fmt.Errorf("table: "+format, args...)
	}
	return fmt.Errorf("table: %s: "+format, append([]any{t.Source}, args...)...)
}

func (t *Table) validateLabels() error {
	switch {
	case len(t.Regions) == 0:
		return t.errorf("no regions")
	case len(t.Sectors) == 0:
		return t.errorf("no sectors")
	case len(t.Categories) == 0:
		return t.errorf("no final-demand categories")
	case len(t.Consumers) < len(t.Regions):
		return t.errorf("%d consumers for %d regions; every region must also consume",
			len(t.Consumers), len(t.Regions))
	}
	for i, r := range t.Regions {
		if t.Consumers[i] != r {
			return t.errorf("consumer %d is %q, want region %q: consumers begin with the regions, in order",
				i+1, t.Consumers[i], r)
		}
	}
	lists := []struct {
		what   string
		labels []string
	}{
		{"region", t.Regions},
		{"sector", t.Sectors},
		{"consumer", t.Consumers},
		{"category", t.Categories},
	}
	for _, l := range lists {
		if err := t.unique(l.what, l.labels); err != nil {
			return err
		}
	}
	names := make([]string, len(t.Extensions))
	for i, e := range t.Extensions {
		if e == nil {
			return t.errorf("extension %d is nil", i+1)
		}
		if e.Name == "" {
			return t.errorf("extension %d has no name", i+1)
		}
		names[i] = e.Name
		if len(e.Stressors) == 0 {
			return t.errorf("extension %q has no stressors", e.Name)
		}
		if err := t.unique("stressor of extension "+e.Name, e.Stressors); err != nil {
			return err
		}
		if len(e.Units) != len(e.Stressors) {
			return t.errorf("extension %q has %d units for %d stressors",
				e.Name, len(e.Units), len(e.Stressors))
		}
	}
	return t.unique("extension", names)
}

// unique returns an error naming the first label that appears twice, or
// the first empty label.
func (t *Table) unique(what string, labels []string) error {
	seen := make(map[string]int, len(labels))
	for i, l := range labels {
		if l == "" {
			return t.errorf("%s %d has an empty label", what, i+1)
		}
		if j, ok := seen[l]; ok {
			return t.errorf("%s %q appears twice (positions %d and %d)", what, l, j+1, i+1)
		}
		seen[l] = i
	}
	return nil
}

// core returns the name and matrix of the table's inter-industry part.
func (t *Table) core() (string, *mat.Dense) {
	if t.Z != nil {
		return "Z", t.Z
	}
	return "A", t.A
}

func (t *Table) validateShapes() error {
	n := t.N()
	cols := len(t.Consumers) * len(t.Categories)
	switch {
	case t.Z != nil && t.A != nil:
		return t.errorf("both Z and A are set; a table is in flow form or in coefficient form")
	case t.Z == nil && t.A == nil:
		return t.errorf("neither Z nor A is set")
	case t.Y == nil:
		return t.errorf("no final demand Y")
	}
	coreName, core := t.core()
	if err := t.shape(coreName, core, n, n); err != nil {
		return err
	}
	if err := t.shape("Y", t.Y, n, cols); err != nil {
		return err
	}
	vectors := []struct {
		what string
		v    []float64
		want int
	}{
		{"X", t.X, n},
		{"ValueAdded", t.ValueAdded, n},
		{"RegionValueAdded", t.RegionValueAdded, len(t.Regions)},
	}
	for _, v := range vectors {
		if v.v != nil && len(v.v) != v.want {
			return t.errorf("%s has length %d, want %d", v.what, len(v.v), v.want)
		}
	}
	for _, e := range t.Extensions {
		k := len(e.Stressors)
		switch {
		case t.Z != nil && e.F == nil:
			return t.errorf("extension %q has no F; a table in flow form needs stressor flows", e.Name)
		case t.A != nil && e.S == nil:
			return t.errorf("extension %q has no S; a table in coefficient form needs stressor coefficients", e.Name)
		}
		for _, m := range []struct {
			what string
			m    *mat.Dense
			c    int
		}{{"F", e.F, n}, {"S", e.S, n}, {"FY", e.FY, cols}} {
			if m.m == nil {
				continue
			}
			if err := t.shape(e.Name+"."+m.what, m.m, k, m.c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *Table) shape(what string, m *mat.Dense, rows, cols int) error {
	r, c := m.Dims()
	if r != rows || c != cols {
		return t.errorf("%s is %d x %d, want %d x %d", what, r, c, rows, cols)
	}
	return nil
}

// SectorLabel returns "region/sector" for row or column i of Z, A, S or F.
// It panics if i is out of range.
func (t *Table) SectorLabel(i int) string {
	m := len(t.Sectors)
	return t.Regions[i/m] + "/" + t.Sectors[i%m]
}

// DemandLabel returns "consumer/category" for column j of Y or FY. It
// panics if j is out of range.
func (t *Table) DemandLabel(j int) string {
	c := len(t.Categories)
	return t.Consumers[j/c] + "/" + t.Categories[j%c]
}

func (t *Table) validateNumbers() error {
	stressor := func(e *Extension) func(int) string {
		return func(i int) string { return e.Stressors[i] }
	}
	coreName, core := t.core()
	if err := t.finite(coreName, core, t.SectorLabel, t.SectorLabel); err != nil {
		return err
	}
	if err := t.finite("Y", t.Y, t.SectorLabel, t.DemandLabel); err != nil {
		return err
	}
	for _, e := range t.Extensions {
		for _, m := range []struct {
			what string
			m    *mat.Dense
			col  func(int) string
		}{{"F", e.F, t.SectorLabel}, {"S", e.S, t.SectorLabel}, {"FY", e.FY, t.DemandLabel}} {
			if m.m == nil {
				continue
			}
			if err := t.finite(e.Name+"."+m.what, m.m, stressor(e), m.col); err != nil {
				return err
			}
		}
	}
	for _, v := range []struct {
		what string
		v    []float64
	}{{"X", t.X}, {"ValueAdded", t.ValueAdded}} {
		for i, x := range v.v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return t.errorf("%s[%q] is %v", v.what, t.SectorLabel(i), x)
			}
		}
	}
	for i, x := range t.RegionValueAdded {
		if math.IsInf(x, 0) {
			return t.errorf("RegionValueAdded[%q] is %v", t.Regions[i], x)
		}
	}
	return nil
}

// finite returns an error naming the first entry of m, in row-major order,
// that is NaN or Inf. Large matrices are checked in blocks of rows on
// several goroutines; the first bad entry of the first bad block wins, so
// the error is the same however the blocks were shared out.
func (t *Table) finite(what string, m *mat.Dense, row, col func(int) string) error {
	raw := m.RawMatrix()
	const block = 256 // rows per piece of work
	blocks := (raw.Rows + block - 1) / block
	bad := make([]int, blocks) // per block, the first bad row*Cols+col, or -1
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(blocks, runtime.GOMAXPROCS(0))) {
		wg.Go(func() {
			for b := int(next.Add(1) - 1); b < blocks; b = int(next.Add(1) - 1) {
				bad[b] = -1
			scan:
				for i := b * block; i < min(raw.Rows, (b+1)*block); i++ {
					for j, x := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
						if x-x != 0 { // NaN and ±Inf give NaN; every finite x gives 0
							bad[b] = i*raw.Cols + j
							break scan
						}
					}
				}
			}
		})
	}
	wg.Wait()
	for _, at := range bad {
		if at >= 0 {
			i, j := at/raw.Cols, at%raw.Cols
			return t.errorf("%s[%q, %q] is %v", what, row(i), col(j), raw.Data[i*raw.Stride+j])
		}
	}
	return nil
}

func allZero(m *mat.Dense) bool {
	raw := m.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		for _, x := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
			if x != 0 {
				return false
			}
		}
	}
	return true
}
