package acceptance

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// accountCheck compares the output files of one year and scenario with the
// oracle's answer for the same system.
type accountCheck struct {
	files map[string]string // account -> path
	sys   *system
	ans   *answer
	rtol  float64
	// valueAdded compares the regions' value_added with the sum of sys.va.
	valueAdded bool
}

// run compares every account that has a file, by label.
func (c accountCheck) run(t *testing.T) {
	R, m := len(c.sys.regions), len(c.sys.sectors)
	for name, path := range c.files {
		f := readOutput(t, path)
		switch name {
		case "multipliers":
			direct := f.keyed(t, "direct", "stressor", "region", "sector")
			total := f.keyed(t, "total", "stressor", "region", "sector")
			c.rows(t, f, len(direct), m*R)
			cd, ct := newComparer(t, "multipliers direct", c.rtol), newComparer(t, "multipliers total", c.rtol)
			for x, e := range c.sys.exts {
				c.matrix(t, cd, direct, e.stressors, e.S, c.product)
				c.matrix(t, ct, total, e.stressors, c.ans.exts[x].M, c.product)
			}
			cd.done()
			ct.done()
		case "footprints":
			got := f.keyed(t, "value", "stressor", "region", "sector")
			c.rows(t, f, len(got), m*R)
			cmp := newComparer(t, "footprints", c.rtol)
			for x, e := range c.sys.exts {
				c.matrix(t, cmp, got, e.stressors, c.ans.exts[x].Dcba, c.product)
			}
			cmp.done()
		case "regions":
			c.rows(t, f, f.rows, R)
			for _, col := range []string{"production", "consumption", "imports", "exports", "net_exports"} {
				got := f.keyed(t, col, "stressor", "region")
				cmp := newComparer(t, "regions "+col, c.rtol)
				for x, e := range c.sys.exts {
					a := c.ans.exts[x]
					var net mat.Dense
					net.Sub(a.DexpReg, a.DimpReg)
					want := map[string]*mat.Dense{"production": a.DpbaReg, "consumption": a.DcbaReg,
						"imports": a.DimpReg, "exports": a.DexpReg, "net_exports": &net}[col]
					c.matrix(t, cmp, got, e.stressors, want, func(r int) string { return c.sys.regions[r] })
				}
				cmp.done()
			}
			c.perRegion(t, f, "final_demand", func(r int) float64 { return mat.Sum(c.sys.yr.ColView(r)) })
			if c.valueAdded {
				c.perRegion(t, f, "value_added", func(r int) float64 {
					sum := 0.0
					for _, v := range c.sys.va[r*m : (r+1)*m] {
						sum += v
					}
					return sum
				})
			}
		case "flows":
			got := f.keyed(t, "value", "stressor", "from_region", "to_region")
			c.rows(t, f, len(got), R*R)
			cmp := newComparer(t, "flows", c.rtol)
			for x, e := range c.sys.exts {
				for s, st := range e.stressors {
					want := c.ans.exts[x].flows[s]
					atol := scale(want.RawMatrix().Data...)
					for p, from := range c.sys.regions {
						for r, to := range c.sys.regions {
							c.one(t, cmp, got, key(st, from, to), want.At(p, r), atol)
						}
					}
				}
			}
			cmp.done()
		case "flows_by_sector":
			got := f.keyed(t, "value", "stressor", "from_region", "from_sector", "to_region")
			c.rows(t, f, len(got), m*R*R)
			cmp := newComparer(t, "flows_by_sector", c.rtol)
			for x, e := range c.sys.exts {
				for s, st := range e.stressors {
					want := c.ans.exts[x].flowsBySector[s]
					atol := scale(want.RawMatrix().Data...)
					for i := range m * R {
						for r, to := range c.sys.regions {
							c.one(t, cmp, got, key(st, c.product(i), to), want.At(i, r), atol)
						}
					}
				}
			}
			cmp.done()
		}
	}
}

// rows checks that a file holds as many rows as the system's stressors
// times per, and no row twice.
func (c accountCheck) rows(t *testing.T, f *outFile, got, per int) {
	t.Helper()
	k := 0
	for _, e := range c.sys.exts {
		k += len(e.stressors)
	}
	if f.rows != k*per || got != f.rows {
		t.Errorf("%s: %d rows (%d distinct), want %d stressors x %d = %d", f.path, f.rows, got, k, per, k*per)
	}
}

// product is the label of sector i, region|sector.
func (c accountCheck) product(i int) string {
	m := len(c.sys.sectors)
	return key(c.sys.regions[i/m], c.sys.sectors[i%m])
}

// matrix compares got[stressor|label(j)] with want[s, j] for every
// stressor s and column j; atol is 1e-12 of the stressor's largest value.
func (c accountCheck) matrix(t *testing.T, cmp *comparer, got map[string]float64, stressors []string,
	want *mat.Dense, label func(int) string) {
	t.Helper()
	_, cols := want.Dims()
	for s, st := range stressors {
		row := mat.Row(nil, s, want)
		atol := scale(row...)
		for j := range cols {
			c.one(t, cmp, got, key(st, label(j)), row[j], atol)
		}
	}
}

// one compares got[k] with want, failing the test when the file has no
// row k.
func (c accountCheck) one(t *testing.T, cmp *comparer, got map[string]float64, k string, want, atol float64) {
	t.Helper()
	g, ok := got[k]
	if !ok {
		t.Errorf("no row %s", k)
		g = math.NaN()
	}
	cmp.check(k, g, want, atol)
}

// perRegion compares a regions column that does not depend on the
// stressor with want(r) on every row.
func (c accountCheck) perRegion(t *testing.T, f *outFile, col string, want func(r int) float64) {
	t.Helper()
	regions, got := f.labels(t, "region"), f.col(t, col)
	idx := map[string]int{}
	for r, name := range c.sys.regions {
		idx[name] = r
	}
	cmp := newComparer(t, "regions "+col, c.rtol)
	for i, name := range regions {
		r, ok := idx[name]
		if !ok {
			t.Errorf("%s: region %q is not in the table", f.path, name)
			continue
		}
		cmp.check(name, got[i], want(r), 0)
	}
	cmp.done()
}
