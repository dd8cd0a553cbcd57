package accounts

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// randomTable returns a table with R regions of m sectors, extra consumers
// that do not produce, c categories (the last one, inventory changes, is
// negative) and one extension per entry of ks with that many stressors. In
// flow form x follows from Z and Y; in coefficient form x is not given.
func randomTable(rng *rand.Rand, R, m, extra, c int, ks []int, flow bool) *table.Table {
	n := R * m
	tab := &table.Table{Source: fmt.Sprintf("random-%dx%d", R, m)}
	for r := range R {
		tab.Regions = append(tab.Regions, fmt.Sprintf("r%d", r))
	}
	for j := range m {
		tab.Sectors = append(tab.Sectors, fmt.Sprintf("s%d", j))
	}
	tab.Consumers = append([]string(nil), tab.Regions...)
	for e := range extra {
		tab.Consumers = append(tab.Consumers, fmt.Sprintf("only%d", e))
	}
	for k := range c {
		tab.Categories = append(tab.Categories, fmt.Sprintf("c%d", k))
	}
	cols := len(tab.Consumers) * c
	fill := func(rows, cols int, density, scale float64) *mat.Dense {
		d := mat.NewDense(rows, cols, nil)
		for i := range rows {
			for j := range cols {
				if rng.Float64() < density {
					d.Set(i, j, scale*rng.Float64())
				}
			}
		}
		return d
	}
	tab.Y = fill(n, cols, 0.8, float64(n))
	for j := c - 1; j < cols && c > 1; j += c {
		for i := range n {
			tab.Y.Set(i, j, -0.05*float64(n)*rng.Float64())
		}
	}
	if flow {
		tab.Z = fill(n, n, 0.5, 1)
	} else {
		tab.A = fill(n, n, 0.5, 1)
		for j := range n {
			if s := mat.Sum(tab.A.ColView(j)); s > 0 {
				scale := 0.9 * rng.Float64() / s
				for i := range n {
					tab.A.Set(i, j, tab.A.At(i, j)*scale)
				}
			}
		}
	}
	for x, k := range ks {
		e := &table.Extension{Name: fmt.Sprintf("ext%d", x)}
		for s := range k {
			e.Stressors = append(e.Stressors, fmt.Sprintf("g%d", s))
			e.Units = append(e.Units, "kg")
		}
		if flow {
			e.F = fill(k, n, 0.9, 100)
		} else {
			e.S = fill(k, n, 0.9, 1)
		}
		e.FY = fill(k, cols, 0.3, 10)
		tab.Extensions = append(tab.Extensions, e)
	}
	return tab
}

func TestRandom(t *testing.T) {
	for _, tc := range []struct {
		R, m, extra, c int
		ks             []int
	}{
		{1, 1, 0, 1, []int{1}},
		{1, 5, 0, 2, []int{2}},
		{2, 3, 0, 2, []int{2, 1}},
		{3, 4, 1, 3, []int{3}},
		{5, 7, 2, 2, []int{2, 3}},
		{8, 12, 1, 4, []int{4}},
		{10, 25, 0, 3, []int{5, 1}},
	} {
		for _, flow := range []bool{true, false} {
			name := fmt.Sprintf("R=%d,m=%d,extra=%d,flow=%v", tc.R, tc.m, tc.extra, flow)
			t.Run(name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(tc.R*1000+tc.m), 17))
				tab := randomTable(rng, tc.R, tc.m, tc.extra, tc.c, tc.ks, flow)
				n := float64(tab.N())
				ref := reference(t, tab)
				fy := finalUse(tab)
				res, err := Compute(tab, Options{FlowsBySector: true})
				if err != nil {
					t.Fatal(err)
				}
				checkResult(t, res, ref, 1e-13*n+1e-12)
				checkIdentities(t, res, fy, 1e-14*n+1e-13)
			})
		}
	}
}

// TestVariants runs pymrio's small system through the special cases of
// MATH.md, each against the explicit-inverse reference and the identities.
func TestVariants(t *testing.T) {
	negZero := math.Copysign(0, -1)
	// dropSector empties sector i of region-major index: no inputs, no
	// sales, no final demand, so x_i = 0 while F keeps its stressors.
	dropSector := func(tab *table.Table, i int) {
		n := tab.N()
		for j := range n {
			tab.Z.Set(i, j, 0)
			tab.Z.Set(j, i, 0)
		}
		_, cols := tab.Y.Dims()
		for j := range cols {
			tab.Y.Set(i, j, 0)
		}
	}
	for _, tc := range []struct {
		name   string
		modify func(*table.Table)
		check  func(*testing.T, *table.Table, *Result)
	}{
		{name: "as is"},
		{
			name:   "negative final demand",
			modify: func(tab *table.Table) { tab.Y.Set(1, 0, -2) },
			check: func(t *testing.T, _ *table.Table, res *Result) {
				if want := 47.5 - 4.5; res.FinalDemand[0] != want {
					t.Errorf("FinalDemand[reg1] = %v, want %v with the negative entry kept", res.FinalDemand[0], want)
				}
			},
		},
		{
			name:   "zero output",
			modify: func(tab *table.Table) { dropSector(tab, 4) },
			check: func(t *testing.T, tab *table.Table, res *Result) {
				want := []ZeroOutput{
					{Extension: "ext", Stressor: "ext_type_1", Region: "reg2", Sector: "sector2", Amount: 20},
					{Extension: "ext", Stressor: "ext_type_2", Region: "reg2", Sector: "sector2", Amount: 2},
				}
				if fmt.Sprint(res.ZeroOutput) != fmt.Sprint(want) {
					t.Errorf("ZeroOutput = %v, want %v", res.ZeroOutput, want)
				}
				if tab.X[4] != 0 {
					t.Errorf("x of the dropped sector = %v", tab.X[4])
				}
			},
		},
		{
			name: "negative zero output given",
			modify: func(tab *table.Table) {
				dropSector(tab, 1)
				tab.X = []float64{51, negZero, 58, 50, 52 - 10, 39}
				tab.X[4] = mat.Sum(tab.Z.RowView(4)) + mat.Sum(tab.Y.RowView(4))
			},
			check: func(t *testing.T, _ *table.Table, res *Result) {
				if len(res.ZeroOutput) != 2 || res.ZeroOutput[0].Sector != "sector2" || res.ZeroOutput[0].Region != "reg1" {
					t.Errorf("ZeroOutput = %v, want reg1/sector2 twice", res.ZeroOutput)
				}
			},
		},
		{
			name: "consumer only",
			modify: func(tab *table.Table) {
				tab.Consumers = append(tab.Consumers, "DISC")
				y := mat.NewDense(6, 3, nil)
				y.Slice(0, 6, 0, 2).(*mat.Dense).Copy(tab.Y)
				for i := range 6 {
					y.Set(i, 2, float64(i)-1.5)
				}
				tab.Y = y
				fy := mat.NewDense(2, 3, nil)
				fy.Slice(0, 2, 0, 2).(*mat.Dense).Copy(tab.Extensions[0].FY)
				fy.Set(0, 2, 3)
				tab.Extensions[0].FY = fy
			},
			check: func(t *testing.T, _ *table.Table, res *Result) {
				e := res.Extensions[0]
				if !math.IsNaN(res.ValueAdded[2]) || res.FinalDemand[2] != 6*2.5-9 {
					t.Errorf("DISC: value added %v (want null), final demand %v (want 6)", res.ValueAdded[2], res.FinalDemand[2])
				}
				for s := range 2 {
					if c := e.Consumption.At(s, 2); math.IsNaN(c) || c == 0 {
						t.Errorf("DISC consumption of stressor %d = %v", s, c)
					}
				}
				if r, c := e.Flows[0].Dims(); r != 2 || c != 3 {
					t.Errorf("flows are %d×%d, want 2×3", r, c)
				}
			},
		},
		{
			name: "value added given",
			modify: func(tab *table.Table) {
				tab.ValueAdded = []float64{1, 2, 3, 4, 5, 6}
			},
			check: func(t *testing.T, _ *table.Table, res *Result) {
				if res.ValueAdded[0] != 6 || res.ValueAdded[1] != 15 {
					t.Errorf("ValueAdded = %v, want the table's sums 6 and 15", res.ValueAdded)
				}
			},
		},
		{
			name:   "region value added given",
			modify: func(tab *table.Table) { tab.RegionValueAdded = []float64{7, math.NaN()} },
			check: func(t *testing.T, _ *table.Table, res *Result) {
				e := res.Extensions[0]
				if res.ValueAdded[0] != 7 || !math.IsNaN(e.ProductionIntensity.At(0, 1)) {
					t.Errorf("ValueAdded = %v, intensity of reg2 %v; want 7 and null", res.ValueAdded, e.ProductionIntensity.At(0, 1))
				}
			},
		},
		{
			name: "x given, off balance",
			modify: func(tab *table.Table) {
				tab.X = []float64{52, 15, 58, 50, 52, 39}
			},
			check: func(t *testing.T, _ *table.Table, res *Result) {
				if res.Residual < 1e-3 {
					t.Errorf("Residual = %g, want the imbalance reported", res.Residual)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := smallMRIO(t)
			if tc.modify != nil {
				tc.modify(tab)
			}
			ref := reference(t, tab)
			fy := finalUse(tab)
			res, err := Compute(tab, Options{FlowsBySector: true})
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res, ref, 1e-12)
			checkIdentities(t, res, fy, 1e-13)
			checkFinite(t, res)
			if tc.check != nil {
				tc.check(t, tab, res)
			}
		})
	}
}

// checkFinite asserts that no Inf reaches a result, and NaN only where a
// null is due: for consumers that do not produce. Value added may be
// unknown (NaN) where the table says so; the comparison with the reference
// covers where.
func checkFinite(t *testing.T, res *Result) {
	t.Helper()
	R := len(res.Regions)
	for r, v := range res.ValueAdded {
		if math.IsInf(v, 0) {
			t.Errorf("ValueAdded[%d] = %v", r, v)
		}
	}
	for _, e := range res.Extensions {
		for name, d := range map[string]*mat.Dense{
			"Total": e.Total, "Consumption": e.Consumption, "Imports": e.Imports, "Footprints": e.Footprints,
		} {
			for i, v := range denseData(d) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%s.%s[%d] = %v", e.Name, name, i, v)
				}
			}
		}
		for name, d := range map[string]*mat.Dense{"Production": e.Production, "Exports": e.Exports} {
			_, c := d.Dims()
			for i, v := range denseData(d) {
				if math.IsInf(v, 0) || (math.IsNaN(v) && i%c < R) {
					t.Errorf("%s.%s[%d] = %v", e.Name, name, i, v)
				}
			}
		}
	}
}

func TestSingular(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    []float64
	}{
		{"closed economy", []float64{0.5, 0.5, 0.5, 0.5}},
		{"near", []float64{0, -1, -1, -1e-14}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := &table.Table{
				Source: "closed.txt", Regions: []string{"r"}, Sectors: []string{"a", "b"},
				Consumers: []string{"r"}, Categories: []string{"hh"},
				A: mat.NewDense(2, 2, tc.a), Y: mat.NewDense(2, 1, []float64{1, 1}),
			}
			_, err := Compute(tab, Options{})
			var se *leontief.SingularError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *leontief.SingularError", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "accounts: closed.txt: ") || !strings.Contains(msg, fmt.Sprintf("estimate %.3g", se.RCond)) {
				t.Errorf("message %q lacks the table or the estimate", msg)
			}
		})
	}
}

func TestKeepA(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, keep := range []bool{false, true} {
		tab := randomTable(rng, 2, 3, 0, 1, []int{1}, false)
		a := mat.DenseCopyOf(tab.A)
		if _, err := Compute(tab, Options{KeepA: keep}); err != nil {
			t.Fatal(err)
		}
		switch {
		case keep && !mat.Equal(tab.A, a):
			t.Error("KeepA: t.A changed")
		case !keep && tab.A != nil:
			t.Error("t.A not released after it was factorized in place")
		}
	}
}

// countingBackend records that the accounts ran on the backend given.
type countingBackend struct {
	leontief.Native
	solves int
}

func (c *countingBackend) Name() string { return "counting" }

func (c *countingBackend) Getrs(trans bool, n, nrhs int, a []float64, lda int, ipiv []int, b []float64, ldb int) {
	c.solves++
	c.Native.Getrs(trans, n, nrhs, a, lda, ipiv, b, ldb)
}

func TestBackendOption(t *testing.T) {
	be := &countingBackend{}
	if _, err := Compute(smallMRIO(t), Options{Backend: be}); err != nil {
		t.Fatal(err)
	}
	// One solve for all consumers, one transposed solve for all stressors,
	// and the factorization's one for the condition number of an
	// input-output system.
	if be.solves != 3 {
		t.Errorf("%d solves, want 3", be.solves)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(*table.Table)
		run    func(*table.Table) error
		want   string
	}{
		{
			name:   "invalid table",
			modify: func(tab *table.Table) { tab.Y = mat.NewDense(5, 2, nil) },
			want:   "accounts: table: small_mrio: Y is 5 x 2, want 6 x 2",
		},
		{
			name:   "NaN in Y",
			modify: func(tab *table.Table) { tab.Y.Set(2, 1, math.NaN()) },
			want:   `Y["reg1/sector3", "reg2/final demand"] is NaN`,
		},
		{
			name: "coefficients of a coefficient-form table",
			run: func(tab *table.Table) error {
				tab.A, tab.Z = tab.Z, nil
				_, err := Coefficients(tab)
				return err
			},
			want: "accounts: small_mrio: Coefficients needs a table in flow form",
		},
		{
			name: "overflow",
			modify: func(tab *table.Table) {
				tab.X = []float64{51, 15, 58, 50, 52, 5e-324}
			},
			want: `A["reg1/sector1", "reg2/sector3"] = 7 / 5e-324 overflows`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := smallMRIO(t)
			if tc.modify != nil {
				tc.modify(tab)
			}
			run := tc.run
			if run == nil {
				run = func(tab *table.Table) error {
					_, err := Compute(tab, Options{})
					return err
				}
			}
			err := run(tab)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
