package acceptance

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// system is an MRIO table in coefficient form, with final demand summed
// per consuming region, as the oracle takes it.
type system struct {
	regions, sectors []string
	A                *mat.Dense // n x n
	yr               *mat.Dense // n x R: y_r, final demand of region r
	va               []float64  // value added per sector (n); nil if unknown
	exts             []oracleExt
}

// oracleExt is one extension: S and F_Y summed per region.
type oracleExt struct {
	name      string
	stressors []string
	S         *mat.Dense // k x n
	FY        *mat.Dense // k x R; F_Y summed over each region's categories
}

// answer holds pymrio's calc_all accounts for every extension, by the
// explicit inverse.
type answer struct {
	L    *mat.Dense
	xTot []float64 // L sum_r y_r
	exts []extAnswer
}

// extAnswer holds one extension's accounts; the _reg accounts are k x R.
type extAnswer struct {
	M                *mat.Dense   // k x n
	Dcba             *mat.Dense   // k x R*m, column (r, j)
	Dpba, Dexp       *mat.Dense   // k x n
	DcbaReg, DpbaReg *mat.Dense   // with F_Y
	DimpReg, DexpReg *mat.Dense   // without F_Y
	flows            []*mat.Dense // per stressor, R x R: E[s; p, r]
	flowsBySector    []*mat.Dense // per stressor, n x R
}

// solve computes pymrio's answer for sys: L by gonum's explicit inverse,
// then pymrio's calc_accounts on the block-diagonalized final demand.
func solve(t testing.TB, sys *system) *answer {
	t.Helper()
	R, m := len(sys.regions), len(sys.sectors)
	n := R * m
	var ia mat.Dense
	ia.Sub(eye(n), sys.A)
	ans := &answer{L: mat.NewDense(n, n, nil)}
	if err := ans.L.Inverse(&ia); err != nil {
		t.Fatalf("oracle: inverse of I - A: %v", err)
	}
	// Y_diag: column (r, j) holds y_r's entries for product j of every
	// origin region; X = L Y_diag is the output each column calls for.
	ydiag := mat.NewDense(n, R*m, nil)
	for r := range R {
		for p := range R {
			for j := range m {
				ydiag.Set(p*m+j, r*m+j, sys.yr.At(p*m+j, r))
			}
		}
	}
	var x mat.Dense
	x.Mul(ans.L, ydiag)
	ans.xTot = make([]float64, n)
	xOf := mat.NewDense(n, R, nil) // output for each region's final demand
	xExp := make([]float64, n)     // output for other regions' final demand
	for i := range n {
		for c := range R * m {
			v := x.At(i, c)
			ans.xTot[i] += v
			xOf.Set(i, c/m, xOf.At(i, c/m)+v)
			if c/m != i/m {
				xExp[i] += v
			}
		}
	}
	// x_trade: X with the producing rows of the consuming region zeroed.
	trade := mat.DenseCopyOf(&x)
	for r := range R {
		for i := r * m; i < (r+1)*m; i++ {
			for j := r * m; j < (r+1)*m; j++ {
				trade.Set(i, j, 0)
			}
		}
	}
	for _, e := range sys.exts {
		k := len(e.stressors)
		a := extAnswer{M: mat.NewDense(k, n, nil), Dcba: mat.NewDense(k, R*m, nil),
			Dpba: mat.NewDense(k, n, nil), Dexp: mat.NewDense(k, n, nil),
			DcbaReg: mat.NewDense(k, R, nil), DpbaReg: mat.NewDense(k, R, nil),
			DimpReg: mat.NewDense(k, R, nil), DexpReg: mat.NewDense(k, R, nil)}
		a.M.Mul(e.S, ans.L)
		a.Dcba.Mul(e.S, &x)
		var imp mat.Dense
		imp.Mul(e.S, trade)
		for s := range k {
			fl, fs := mat.NewDense(R, R, nil), mat.NewDense(n, R, nil)
			for i := range n {
				sv := e.S.At(s, i)
				a.Dpba.Set(s, i, sv*ans.xTot[i])
				a.Dexp.Set(s, i, sv*xExp[i])
				a.DpbaReg.Set(s, i/m, a.DpbaReg.At(s, i/m)+sv*ans.xTot[i])
				a.DexpReg.Set(s, i/m, a.DexpReg.At(s, i/m)+sv*xExp[i])
				for r := range R {
					fs.Set(i, r, sv*xOf.At(i, r))
					fl.Set(i/m, r, fl.At(i/m, r)+sv*xOf.At(i, r))
				}
			}
			for c := range R * m {
				a.DcbaReg.Set(s, c/m, a.DcbaReg.At(s, c/m)+a.Dcba.At(s, c))
				a.DimpReg.Set(s, c/m, a.DimpReg.At(s, c/m)+imp.At(s, c))
			}
			for r := range R {
				fy := 0.0
				if e.FY != nil {
					fy = e.FY.At(s, r)
				}
				a.DcbaReg.Set(s, r, a.DcbaReg.At(s, r)+fy)
				a.DpbaReg.Set(s, r, a.DpbaReg.At(s, r)+fy)
			}
			a.flows = append(a.flows, fl)
			a.flowsBySector = append(a.flowsBySector, fs)
		}
		ans.exts = append(ans.exts, a)
	}
	return ans
}

func eye(n int) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	for i := range n {
		d.Set(i, i, 1)
	}
	return d
}

// flowSystem turns a table in flow form into a system the way pymrio does:
// x = Z 1 + Y 1, A = Z / x, S = F / x (zero where x is zero), F_Y and Y
// summed per region. Y's and F_Y's columns are (region, category),
// grouped by region in the order of regions.
func flowSystem(regions, sectors []string, Z, Y *mat.Dense, va []float64, exts []flowExt) *system {
	n, _ := Z.Dims()
	R := len(regions)
	_, yc := Y.Dims()
	per := yc / R
	x := make([]float64, n)
	for i := range n {
		x[i] = mat.Sum(Z.RowView(i)) + mat.Sum(Y.RowView(i))
	}
	div := func(F *mat.Dense) *mat.Dense {
		r, c := F.Dims()
		out := mat.NewDense(r, c, nil)
		for i := range r {
			for j := range c {
				if x[j] != 0 {
					out.Set(i, j, F.At(i, j)/x[j])
				}
			}
		}
		return out
	}
	byRegion := func(m *mat.Dense) *mat.Dense {
		r, _ := m.Dims()
		out := mat.NewDense(r, R, nil)
		for i := range r {
			for j := range yc {
				out.Set(i, j/per, out.At(i, j/per)+m.At(i, j))
			}
		}
		return out
	}
	sys := &system{regions: regions, sectors: sectors, A: div(Z), yr: byRegion(Y), va: va}
	for _, e := range exts {
		oe := oracleExt{name: e.name, stressors: e.stressors, S: div(e.F)}
		if e.FY != nil {
			oe.FY = byRegion(e.FY)
		}
		sys.exts = append(sys.exts, oe)
	}
	return sys
}

// flowExt is an extension in flow form.
type flowExt struct {
	name      string
	stressors []string
	F, FY     *mat.Dense
}

// extDir names an extension folder of a saved table and the index
// columns of its files.
type extDir struct {
	name      string
	indexCols int
}

// savedSystem reads the pymrio saved folder dir (Z, Y and the extensions
// named, each F with its index columns, F_Y when present) with this
// package's own reader, and returns it in flow form: regions, sectors, Z,
// Y and the extensions.
func savedSystem(t testing.TB, dir string, exts ...extDir) (regions, sectors []string, Z, Y *mat.Dense, fe []flowExt) {
	t.Helper()
	z := readSavedTxt(t, filepath.Join(dir, "Z.txt"), 2, 2)
	y := readSavedTxt(t, filepath.Join(dir, "Y.txt"), 2, 2)
	for i, l := range z.rows {
		if strings.Join(l, "/") != strings.Join(z.cols[i], "/") || strings.Join(l, "/") != strings.Join(y.rows[i], "/") {
			t.Fatalf("%s: row %d is %v, column %d is %v, Y's row is %v", dir, i, l, i, z.cols[i], y.rows[i])
		}
		if len(regions) == 0 || regions[len(regions)-1] != l[0] {
			regions = append(regions, l[0])
		}
		if len(regions) == 1 {
			sectors = append(sectors, l[1])
		}
	}
	for j, c := range y.cols {
		if c[0] != regions[j/(len(y.cols)/len(regions))] {
			t.Fatalf("%s: Y column %d is %v, not grouped by region", dir, j, c)
		}
	}
	for _, ed := range exts {
		name, ic := ed.name, ed.indexCols
		f := readSavedTxt(t, filepath.Join(dir, name, "F.txt"), ic, 2)
		e := flowExt{name: name, F: f.v}
		for j, c := range f.cols {
			if strings.Join(c, "/") != strings.Join(z.cols[j], "/") {
				t.Fatalf("%s/F.txt: column %d is %v, Z's is %v", name, j, c, z.cols[j])
			}
		}
		for _, r := range f.rows {
			e.stressors = append(e.stressors, strings.Join(r, "/"))
		}
		if _, err := os.Stat(filepath.Join(dir, name, "F_Y.txt")); err == nil {
			fy := readSavedTxt(t, filepath.Join(dir, name, "F_Y.txt"), ic, 2)
			e.FY = fy.v
		}
		fe = append(fe, e)
	}
	return regions, sectors, z.v, y.v, fe
}

// shock is one shock of a job spec's scenario.
type shock struct {
	Target     string  `yaml:"target"`
	Region     string  `yaml:"region"`
	Sector     string  `yaml:"sector"`
	FromRegion string  `yaml:"from_region"`
	FromSector string  `yaml:"from_sector"`
	Scale      float64 `yaml:"scale"`
}

// apply scales the part of sys that the shocks select, as the job spec
// describes them: S and A by producing region and sector pattern, Y by
// consuming region and product (from_region, from_sector). It fails the
// test for a shock that selects nothing.
func (sys *system) apply(t testing.TB, shocks []shock) {
	t.Helper()
	m := len(sys.sectors)
	pick := func(region, pattern string) []int {
		var out []int
		for p, r := range sys.regions {
			for j, s := range sys.sectors {
				ok, err := path.Match(pattern, s)
				if err != nil {
					t.Fatal(err)
				}
				if (region == "" || region == r) && (pattern == "" || ok) {
					out = append(out, p*m+j)
				}
			}
		}
		if len(out) == 0 {
			t.Fatalf("shock on region %q, sectors %q selects nothing", region, pattern)
		}
		return out
	}
	for _, sh := range shocks {
		switch sh.Target {
		case "S":
			for _, e := range sys.exts {
				for _, j := range pick(sh.Region, sh.Sector) {
					for s := range e.stressors {
						e.S.Set(s, j, e.S.At(s, j)*sh.Scale)
					}
				}
			}
		case "A":
			n, _ := sys.A.Dims()
			for _, j := range pick(sh.Region, sh.Sector) {
				for i := range n {
					sys.A.Set(i, j, sys.A.At(i, j)*sh.Scale)
				}
			}
		case "Y":
			for r, name := range sys.regions {
				if sh.Region != "" && sh.Region != name {
					continue
				}
				for _, i := range pick(sh.FromRegion, sh.FromSector) {
					sys.yr.Set(i, r, sys.yr.At(i, r)*sh.Scale)
				}
			}
		default:
			t.Fatalf("shock target %q", sh.Target)
		}
	}
}

// clone returns a deep copy of sys.
func (sys *system) clone() *system {
	c := *sys
	c.A, c.yr = mat.DenseCopyOf(sys.A), mat.DenseCopyOf(sys.yr)
	c.exts = nil
	for _, e := range sys.exts {
		ce := e
		ce.S = mat.DenseCopyOf(e.S)
		if e.FY != nil {
			ce.FY = mat.DenseCopyOf(e.FY)
		}
		c.exts = append(c.exts, ce)
	}
	return &c
}
