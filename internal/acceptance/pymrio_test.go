package acceptance

import (
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// expectedDir is the folder of pymrio's published test answers.
func expectedDir(t testing.TB) string {
	return filepath.Join(dataDir(t), "pymrio-test-mrio", "expected")
}

// TestPymrioMatchesOracle compares every account of both scenarios of the
// pymrio example with pymrio's calc_all, computed here by the explicit
// inverse, the scenario's shocks applied to the saved table.
func TestPymrioMatchesOracle(t *testing.T) {
	dir := pymrioArrow.dir(t)
	spec := readSpec(t, pymrioArrow.exampleFile())
	base, _ := pymrioSystem(t)
	for _, sc := range spec.Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			sys := base.clone()
			sys.apply(t, sc.Shocks)
			accountCheck{
				files: partition(t, dir, "test", sc.Name, ".arrow"), sys: sys, ans: solve(t, sys), rtol: 1e-9,
				// A table's own value added stays at its base level
				// under a scenario.
				valueAdded: true,
			}.run(t)
		})
	}
}

// TestPymrioPublishedAnswers checks the test MRIO's value-added
// multipliers and import account against pymrio's own test answers, at
// their precision (rtol 1e-5).
func TestPymrioPublishedAnswers(t *testing.T) {
	files := partition(t, pymrioArrow.dir(t), "test", "baseline", ".arrow")
	const st = "Value Added"
	t.Run("M", func(t *testing.T) {
		got := readOutput(t, files["multipliers"]).keyed(t, "total", "stressor", "region", "sector")
		want := readCSV(t, filepath.Join(expectedDir(t), "test_mrio_factor_inputs_M.csv"))
		cmp := newComparer(t, "Value Added M", 1e-5)
		for j, c := range want.cols {
			region, sector, _ := strings.Cut(c[0], "_")
			k := key(st, region, sector)
			g, ok := got[k]
			if !ok {
				t.Errorf("multipliers: no row %s", k)
			}
			cmp.check(k, g, want.v.At(0, j), 0)
		}
		cmp.done()
	})
	t.Run("D_imp_reg", func(t *testing.T) {
		got := readOutput(t, files["regions"]).keyed(t, "imports", "stressor", "region")
		want := readCSV(t, filepath.Join(expectedDir(t), "test_mrio_factor_inputs_D_imp_reg.csv"))
		cmp := newComparer(t, "Value Added D_imp_reg", 1e-5)
		for j, c := range want.cols {
			k := key(st, c[0])
			g, ok := got[k]
			if !ok {
				t.Errorf("regions: no row %s", k)
			}
			cmp.check(k, g, want.v.At(0, j), 0)
		}
		cmp.done()
	})
}

// pandas' assert_frame_equal tolerances, which pymrio's tests use.
const (
	pandasRtol = 1e-5
	pandasAtol = 1e-8
)

// splitLabel splits an expected CSV label "region_sector" at its first
// "_".
func splitLabel(t testing.TB, l string) (region, rest string) {
	t.Helper()
	region, rest, ok := strings.Cut(l, "_")
	if !ok {
		t.Fatalf("label %q is not region_name", l)
	}
	return region, rest
}

// unitExtension returns an extension whose stressor j is x_j in sector j
// only: S = I, so its total multipliers are L, row by row, and its
// production in sector j's region is the output x~_j.
func unitExtension(name string, products [][2]string, x []float64) savedExt {
	e := savedExt{name: name}
	for i, p := range products {
		e.stressors = append(e.stressors, "x "+p[0]+" "+p[1])
		row := make([]float64, len(products))
		row[i] = x[i]
		e.F = append(e.F, row)
	}
	return e
}

// runSaved writes tb in pymrio's saved layout, runs a one-year job on it
// with the accounts given, and returns the output files of its baseline.
func runSaved(t *testing.T, tb *savedTable, accounts string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	tb.files().write(t, filepath.Join(dir, "table"))
	out := filepath.Join(dir, "out")
	job := jobYAML(t, dir, "small", out, [][2]string{{"1", filepath.Join(dir, "table")}},
		"accounts: ["+accounts+"]\nscenarios:\n  - name: baseline\n")
	if res := run(t, dir, "run", job, "--workers", "1"); res.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", res.code, res)
	}
	return partition(t, filepath.Join(out, "small"), "1", "baseline", ".arrow")
}

// savedOracle reads back what tb's files say, with this package's reader,
// and solves it.
func savedOracle(t *testing.T, tb *savedTable) (*system, *answer) {
	t.Helper()
	dir := t.TempDir()
	tb.files().write(t, dir)
	var eds []extDir
	for _, e := range tb.exts {
		eds = append(eds, extDir{e.name, 1})
	}
	regions, sectors, Z, Y, exts := savedSystem(t, dir, eds...)
	sys := flowSystem(regions, sectors, Z, Y, nil, exts)
	return sys, solve(t, sys)
}

// TestSmallMRIO runs pymrio's small 2-region test system (test_math.py's
// td_small_MRIO) through the binary and checks D_cba, D_pba, D_imp, D_exp,
// S, M and L (through a unit extension) against pymrio's expected values,
// and every account against the oracle.
func TestSmallMRIO(t *testing.T) {
	exp := expectedDir(t)
	read := func(name string) *labeled { return readCSV(t, filepath.Join(exp, "small_mrio_"+name+".csv")) }
	Z, Y, F, FY, X := read("Z"), read("Y"), read("F"), read("F_Y"), read("x")
	tb := &savedTable{Z: dense(Z.v), Y: dense(Y.v)}
	for i, l := range Z.rows {
		region, sector := splitLabel(t, l[0])
		if l[0] != Z.cols[i][0] || l[0] != Y.rows[i][0] || l[0] != F.cols[i][0] || l[0] != X.rows[i][0] {
			t.Fatalf("small_mrio files disagree on label %d: %s", i, l[0])
		}
		if len(tb.regions) == 0 || tb.regions[len(tb.regions)-1] != region {
			tb.regions = append(tb.regions, region)
		}
		if len(tb.regions) == 1 {
			tb.sectors = append(tb.sectors, sector)
		}
	}
	for j, c := range Y.cols {
		region, category := splitLabel(t, c[0])
		if region != tb.regions[j] || FY.cols[j][0] != c[0] {
			t.Fatalf("small_mrio_Y column %d is %s, want one per region in order", j, c[0])
		}
		if j == 0 {
			tb.categories = []string{category}
		}
	}
	ext := savedExt{name: "emissions", F: dense(F.v), FY: dense(FY.v)}
	for _, r := range F.rows {
		ext.stressors = append(ext.stressors, r[0])
	}
	tb.exts = []savedExt{ext, unitExtension("output", tb.products(), mat.Col(nil, 0, X.v))}
	files := runSaved(t, tb, "regions, flows, footprints, multipliers, flows_by_sector")

	t.Run("oracle", func(t *testing.T) {
		sys, ans := savedOracle(t, tb)
		accountCheck{files: files, sys: sys, ans: ans, rtol: 1e-9}.run(t)
	})

	products := tb.products()
	m := len(tb.sectors)
	regions := readOutput(t, files["regions"])
	bySector := readOutput(t, files["flows_by_sector"])
	fbs := bySector.keyed(t, "value", "stressor", "from_region", "from_sector", "to_region")
	fyOf := func(s, r int) float64 { return FY.v.At(s, r) }
	for _, tc := range []struct {
		name string
		// got returns the binary's value for stressor st (row s) and
		// the expected file's column label.
		got func(s int, st, label string) float64
		// regional sums the expected sector values per region (and
		// adds F_Y where pymrio's _reg account does) to compare with
		// the regions column instead.
		regional string
	}{
		{name: "D_cba", got: func(_ int, st, l string) float64 {
			r, j := splitLabel(t, l)
			return lookup(t, readOutput(t, files["footprints"]).keyed(t, "value", "stressor", "region", "sector"), key(st, r, j))
		}},
		{name: "D_pba", got: func(_ int, st, l string) float64 {
			p, i := splitLabel(t, l)
			sum := 0.0
			for _, r := range tb.regions {
				sum += lookup(t, fbs, key(st, p, i, r))
			}
			return sum
		}},
		{name: "D_exp", got: func(_ int, st, l string) float64 {
			p, i := splitLabel(t, l)
			sum := 0.0
			for _, r := range tb.regions {
				if r != p {
					sum += lookup(t, fbs, key(st, p, i, r))
				}
			}
			return sum
		}},
		{name: "D_pba", regional: "production"},
		{name: "D_cba", regional: "consumption"},
		{name: "D_imp", regional: "imports"},
		{name: "D_exp", regional: "exports"},
		{name: "S", got: func(_ int, st, l string) float64 {
			r, j := splitLabel(t, l)
			return lookup(t, readOutput(t, files["multipliers"]).keyed(t, "direct", "stressor", "region", "sector"), key(st, r, j))
		}},
		{name: "M", got: func(_ int, st, l string) float64 {
			r, j := splitLabel(t, l)
			return lookup(t, readOutput(t, files["multipliers"]).keyed(t, "total", "stressor", "region", "sector"), key(st, r, j))
		}},
	} {
		name := tc.name
		if tc.regional != "" {
			name += " by region, against " + tc.regional
		}
		t.Run(name, func(t *testing.T) {
			want := read(tc.name)
			cmp := newComparer(t, "small_mrio_"+name, pandasRtol)
			if tc.regional == "" {
				for s, st := range want.rows {
					for j, c := range want.cols {
						cmp.check(st[0]+" "+c[0], tc.got(s, st[0], c[0]), want.v.At(s, j), pandasAtol)
					}
				}
				cmp.done()
				return
			}
			got := regions.keyed(t, tc.regional, "stressor", "region")
			for s, st := range want.rows {
				for r, region := range tb.regions {
					sum := 0.0
					for j := range m {
						sum += want.v.At(s, r*m+j)
					}
					if tc.name == "D_pba" || tc.name == "D_cba" {
						sum += fyOf(s, r)
					}
					cmp.check(st[0]+" "+region, lookup(t, got, key(st[0], region)), sum, pandasAtol)
				}
			}
			cmp.done()
		})
	}
	t.Run("L from the output extension", func(t *testing.T) {
		checkUnitL(t, files, products, read("L"))
	})
}

// checkUnitL compares the total multipliers of a unitExtension, row j of
// which is row j of L, with the expected L at pandas' tolerance.
func checkUnitL(t *testing.T, files map[string]string, products [][2]string, want *labeled) {
	t.Helper()
	got := readOutput(t, files["multipliers"]).keyed(t, "total", "stressor", "region", "sector")
	cmp := newComparer(t, "L", pandasRtol)
	for i, p := range products {
		for j, q := range products {
			st := "x " + p[0] + " " + p[1]
			cmp.check(want.rows[i][0]+" "+want.cols[j][0], lookup(t, got, key(st, q[0], q[1])), want.v.At(i, j), pandasAtol)
		}
	}
	cmp.done()
}

// lookup returns m[k], failing the test when there is no such row.
func lookup(t testing.TB, m map[string]float64, k string) float64 {
	t.Helper()
	v, ok := m[k]
	if !ok {
		t.Fatalf("no row %s", k)
	}
	return v
}

// TestMillerBlair runs Miller and Blair's two-sector example (chapter 2,
// test_math.py's td_IO_Data_Miller) as a one-region table, with a unit
// extension whose multipliers are L and whose production is x: both are
// compared with pymrio's expected values (8 decimals, rtol 1e-5), with
// MATH.md's worked check (4 decimals), and with the oracle.
func TestMillerBlair(t *testing.T) {
	exp := expectedDir(t)
	read := func(name string) *labeled { return readCSV(t, filepath.Join(exp, "miller_blair_ch2_"+name+".csv")) }
	Z, fd, X := read("Z"), read("fd"), read("x")
	tb := &savedTable{regions: []string{"mb"}, categories: []string{"fd"}, Z: dense(Z.v), Y: dense(fd.v)}
	for i, l := range Z.rows {
		if l[0] != Z.cols[i][0] || l[0] != fd.rows[i][0] || l[0] != X.rows[i][0] {
			t.Fatalf("miller_blair files disagree on label %d: %s", i, l[0])
		}
		tb.sectors = append(tb.sectors, l[0])
	}
	products := tb.products()
	tb.exts = []savedExt{unitExtension("output", products, mat.Col(nil, 0, X.v))}
	files := runSaved(t, tb, "regions, flows, footprints, multipliers")

	t.Run("oracle", func(t *testing.T) {
		sys, ans := savedOracle(t, tb)
		accountCheck{files: files, sys: sys, ans: ans, rtol: 1e-9}.run(t)
	})
	t.Run("L", func(t *testing.T) {
		want := read("L")
		for i := range want.rows {
			want.rows[i][0], want.cols[i][0] = "mb_"+want.rows[i][0], "mb_"+want.cols[i][0]
		}
		checkUnitL(t, files, products, want)
	})
	t.Run("L to 4 decimals (MATH.md)", func(t *testing.T) {
		got := readOutput(t, files["multipliers"]).keyed(t, "total", "stressor", "region", "sector")
		want := [][]float64{{1.2541, 0.3300}, {0.2640, 1.1221}}
		for i, p := range products {
			for j, q := range products {
				g := lookup(t, got, key("x "+p[0]+" "+p[1], q[0], q[1]))
				if !agree(g, want[i][j], 0, 0.5e-4) {
					t.Errorf("L[%d, %d] = %.17g, MATH.md says %.4f", i, j, g, want[i][j])
				}
			}
		}
	})
	t.Run("x", func(t *testing.T) {
		got := readOutput(t, files["regions"]).keyed(t, "production", "stressor", "region")
		cmp := newComparer(t, "x", pandasRtol)
		for i, p := range products {
			cmp.check(p[1], lookup(t, got, key("x "+p[0]+" "+p[1], p[0])), X.v.At(i, 0), pandasAtol)
		}
		cmp.done()
	})
}
