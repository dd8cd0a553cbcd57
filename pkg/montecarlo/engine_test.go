package montecarlo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/scenario"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// oracle computes draw d the slow way: Perturb a copy of the table, then
// accounts.Compute, and returns the values in the order of labels.
func oracle(t *testing.T, base *table.Table, mc scenario.MonteCarlo, opts Options, d int, labels []Label) []float64 {
	t.Helper()
	tab := base.Clone()
	if tab.Z != nil {
		if _, err := accounts.Coefficients(tab); err != nil {
			t.Fatal(err)
		}
	}
	if err := Perturb(tab, mc, opts.Year, opts.Scenario, d); err != nil {
		t.Fatal(err)
	}
	res, err := accounts.Compute(tab, accounts.Options{Backend: opts.Backend})
	if err != nil {
		t.Fatal(err)
	}
	return valuesOf(res, labels)
}

// valuesOf reads the values named by labels out of a Result.
func valuesOf(res *accounts.Result, labels []Label) []float64 {
	consumer, region := map[string]int{}, map[string]int{}
	for i, c := range res.Consumers {
		consumer[c] = i
	}
	for i, r := range res.Regions {
		region[r] = i
	}
	out := make([]float64, len(labels))
	for i, l := range labels {
		r := consumer[l.Region]
		switch l.Account {
		case ValueAdded:
			out[i] = res.ValueAdded[r]
			continue
		case FinalDemand:
			out[i] = res.FinalDemand[r]
			continue
		}
		var ext *accounts.Extension
		s := -1
		for _, e := range res.Extensions {
			if e.Name == l.Extension {
				ext = e
				for k, name := range e.Stressors {
					if name == l.Stressor {
						s = k
					}
				}
			}
		}
		m := map[string]interface{ At(i, j int) float64 }{
			Production: ext.Production, Consumption: ext.Consumption, Imports: ext.Imports,
			Exports: ext.Exports, NetExports: ext.NetExports,
			ProductionIntensity: ext.ProductionIntensity, ConsumptionIntensity: ext.ConsumptionIntensity,
		}
		if l.Account == Flows {
			out[i] = ext.Flows[s].At(region[l.Region], consumer[l.ToRegion])
			continue
		}
		out[i] = m[l.Account].At(s, r)
	}
	return out
}

// agree compares draws value by value: |a - b| <= 1e-10 max(|a|, |b|) +
// 1e-12 of the largest value of the same account (MATH.md, Comparing
// numbers). NaN must meet NaN.
func agree(t *testing.T, what string, labels []Label, got, want []float64) {
	t.Helper()
	largest := map[string]float64{}
	for i, l := range labels {
		if !math.IsNaN(want[i]) {
			largest[l.Account] = math.Max(largest[l.Account], math.Abs(want[i]))
		}
	}
	bad := 0
	for i, l := range labels {
		g, w := got[i], want[i]
		if math.IsNaN(g) || math.IsNaN(w) {
			if math.IsNaN(g) != math.IsNaN(w) {
				t.Errorf("%s: %+v = %v, want %v", what, l, g, w)
				bad++
			}
		} else if d := math.Abs(g - w); d > 1e-10*math.Max(math.Abs(g), math.Abs(w))+1e-12*largest[l.Account] {
			t.Errorf("%s: %+v = %v, want %v (difference %g)", what, l, g, w, d)
			bad++
		}
		if bad > 5 {
			t.Fatalf("%s: too many differences", what)
		}
	}
}

func TestDrawsAgreeWithPerturbedAccounts(t *testing.T) {
	backends := []leontief.Backend{leontief.Native{}}
	if s, err := leontief.LoadSystem(); err == nil {
		backends = append(backends, s)
	}
	cases := []struct {
		name  string
		mc    scenario.MonteCarlo
		flow  bool
		va    bool // the table carries value added
		lowRk int
		kind  Kind
	}{
		{name: "S everywhere", mc: mcOf(0.3, 0, 0, "", ""), kind: OnlyS},
		{name: "S in one region, flow form", mc: mcOf(0.3, 0, 0, "r1", ""), flow: true, kind: OnlyS},
		{name: "S with value added", mc: mcOf(0.3, 0, 0, "", "s0*"), va: true, kind: OnlyS},
		{name: "Y everywhere", mc: mcOf(0, 0.1, 0, "", ""), kind: Resolve},
		{name: "Y and S of some sectors", mc: mcOf(0.2, 0.1, 0, "", "s1?"), kind: Resolve},
		{name: "A of a few sectors", mc: mcOf(0, 0, 0.2, "r2", "s0[0-2]"), kind: LowRank},
		{name: "A, Y and S of one region", mc: mcOf(0.2, 0.1, 0.2, "r0", ""), lowRk: 20, kind: LowRank},
		{name: "A with value added", mc: mcOf(0, 0, 0.2, "r1", "s0[0-2]"), va: true, kind: LowRank},
		{name: "A everywhere", mc: mcOf(0, 0, 0.2, "", ""), kind: Refactorize},
		{name: "A of a few sectors refactorized", mc: mcOf(0.1, 0.1, 0.2, "r2", "s0[0-2]"), lowRk: -1, kind: Refactorize},
	}
	for _, be := range backends {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%s", be.Name(), tc.name), func(t *testing.T) {
				base := testTable(3, 3, 12, tc.flow)
				if tc.va {
					base.ValueAdded = make([]float64, base.N())
					for i := range base.ValueAdded {
						base.ValueAdded[i] = float64(100 + i)
					}
				}
				opts := Options{Year: "2020", Scenario: "mc", Backend: be, MaxLowRank: tc.lowRk}
				e, err := New(base.Clone(), tc.mc, opts)
				if err != nil {
					t.Fatal(err)
				}
				if e.Kind() != tc.kind {
					t.Fatalf("kind %v, want %v", e.Kind(), tc.kind)
				}
				for _, d := range []int{0, 1, 7} {
					got, err := e.Draw(d)
					if err != nil {
						t.Fatal(err)
					}
					agree(t, fmt.Sprintf("draw %d", d), e.Labels(), got, oracle(t, base, tc.mc, opts, d, e.Labels()))
				}
			})
		}
	}
}

func mcOf(s, y, a float64, region, sector string) scenario.MonteCarlo {
	return scenario.MonteCarlo{Draws: 10, Seed: 42, Sigma: scenario.Sigma{S: s, Y: y, A: a}, Region: region, Sector: sector}
}

// TestDrawsVary guards the oracle comparison against a draw that changes
// nothing: every kind of draw must move the accounts it touches.
func TestDrawsVary(t *testing.T) {
	for _, mc := range []scenario.MonteCarlo{mcOf(0.3, 0, 0, "", ""), mcOf(0, 0.1, 0, "", ""), mcOf(0, 0, 0.2, "r0", "s00")} {
		e, err := New(testTable(3, 3, 12, false), mc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := e.Draw(0)
		b, _ := e.Draw(1)
		same := 0
		for i, l := range e.Labels() {
			if l.Account == Consumption && a[i] == b[i] {
				same++
			}
		}
		if same > 0 {
			t.Errorf("%v: %d consumption values equal in draws 0 and 1", e.Kind(), same)
		}
	}
}

// TestRunIsBitIdentical checks that the values do not depend on the
// number of workers or on how the draws are split between runs.
func TestRunIsBitIdentical(t *testing.T) {
	for _, mc := range []scenario.MonteCarlo{mcOf(0.3, 0, 0, "", ""), mcOf(0.1, 0.1, 0, "", "s0?"), mcOf(0, 0, 0.2, "r1", "s0[0-3]"), mcOf(0, 0, 0.2, "", "")} {
		mc.Draws = 12
		run := func(workers int, blocks ...int) *Samples {
			e, err := New(testTable(5, 3, 10, false), mc, Options{Year: "2019", Scenario: "x", Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			var parts []*Samples
			first := 0
			for _, count := range blocks {
				s, err := e.Run(context.Background(), first, count)
				if err != nil {
					t.Fatal(err)
				}
				parts = append([]*Samples{s}, parts...) // merged out of order
				first += count
			}
			s, err := Merge(parts...)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		want := run(1, 12)
		for _, tc := range []struct {
			workers int
			blocks  []int
		}{{4, []int{12}}, {3, []int{5, 7}}, {2, []int{1, 1, 10}}, {8, []int{12}}, {8, []int{3, 9}}} {
			got := run(tc.workers, tc.blocks...)
			for i := range want.Values {
				if math.Float64bits(got.Values[i]) != math.Float64bits(want.Values[i]) {
					t.Fatalf("kind of %v, %d workers, blocks %v: value %d (%+v of draw %d) is %v, one worker gives %v",
						mc, tc.workers, tc.blocks, i, want.Labels[i%len(want.Labels)], i/len(want.Labels), got.Values[i], want.Values[i])
				}
			}
		}
	}
}

func TestRunStops(t *testing.T) {
	e, err := New(testTable(1, 2, 5, false), mcOf(0.3, 0, 0, "", ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Run(ctx, 0, 5); err != context.Canceled {
		t.Errorf("Run with a cancelled context: err = %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Run past the last draw did not panic")
		}
	}()
	e.Run(context.Background(), 5, 6)
}

// TestSingular makes I - A singular where column s01 of A holds a 1 on
// the diagonal. Only column s00 varies, so every draw is singular too: the
// low-rank Engine fails at its base factorization, the refactorizing one
// at the first draw.
func TestSingular(t *testing.T) {
	for _, lowRank := range []int{1, -1} {
		tab := testTable(1, 1, 4, false)
		tab.A.Zero()
		tab.A.Set(0, 0, 0.3)
		tab.A.Set(1, 1, 1)
		mc := mcOf(0, 0, 0.5, "", "s00")
		e, err := New(tab, mc, Options{MaxLowRank: lowRank})
		if lowRank > 0 {
			if err == nil || !strings.Contains(err.Error(), "test-1x4: base table") {
				t.Errorf("low rank: err = %v, want a singular base table", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Run(context.Background(), 0, 3)
		var se *leontief.SingularError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "draw 0") {
			t.Errorf("refactorize: err = %v, want a *leontief.SingularError for draw 0", err)
		}
	}
}
