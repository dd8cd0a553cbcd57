package montecarlo

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/scenario"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// perEntry returns sg with each target's number above 0 turned into a
// matrix of the shape of that target of t holding the number everywhere.
func perEntry(t *table.Table, sg scenario.Sigma) scenario.Sigma {
	full := func(r, c int, v float64) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := range r {
			for j := range c {
				m.Set(i, j, v)
			}
		}
		return m
	}
	n := t.N()
	out := scenario.Sigma{}
	if sg.S > 0 {
		for _, e := range t.Extensions {
			out.PerS = append(out.PerS, full(len(e.Stressors), n, sg.S))
		}
	}
	if sg.Y > 0 {
		_, c := t.Y.Dims()
		out.PerY = full(n, c, sg.Y)
	}
	if sg.A > 0 {
		out.PerA = full(n, n, sg.A)
	}
	return out
}

func backends() []leontief.Backend {
	out := []leontief.Backend{leontief.Native{}}
	if s, err := leontief.LoadSystem(); err == nil {
		out = append(out, s)
	}
	return out
}

// TestFillAtIsFill checks the factors with a σ per entry against those
// with one σ for all, to the bit, for both the one-at-a-time and the
// block form.
func TestFillAtIsFill(t *testing.T) {
	st := Stream{Seed: 1, Year: "2019", Scenario: "mc", Draw: 3}
	for _, sigma := range []float64{0.2, 1e-9, 1.7} {
		one, per := newFactors(st, "S", 0, sigma), newFactors(st, "S", 0, 0)
		a, b := make([]float64, 300), make([]float64, 300)
		sig := make([]float64, 300)
		for i := range sig {
			sig[i] = sigma
		}
		one.fill(a[:100])
		per.fillAt(b[:100], sig)
		for i := 100; i < 300; i++ {
			a[i], b[i] = one.next(), per.nextAt(sigma)
		}
		if i := bitEqual(a, b); i >= 0 {
			t.Errorf("σ %g: factor %d is %v with one σ, %v with a σ per entry", sigma, i, a[i], b[i])
		}
	}
}

// TestSigmaTableIsScalar checks that a matrix holding one σ everywhere
// draws what that σ as a number draws, to the bit: the tables Perturb
// leaves, and the values of every kind of Engine on every backend.
func TestSigmaTableIsScalar(t *testing.T) {
	cases := []struct {
		name  string
		mc    scenario.MonteCarlo
		lowRk int
		kind  Kind
	}{
		{"S everywhere", mcOf(0.3, 0, 0, "", ""), 0, OnlyS},
		{"S in one region", mcOf(0.3, 0, 0, "r1", "s0?"), 0, OnlyS},
		{"Y and S of some sectors", mcOf(0.2, 0.1, 0, "", "s1?"), 0, Resolve},
		{"A, Y and S of one region", mcOf(0.2, 0.1, 0.2, "r0", ""), 20, LowRank},
		{"A everywhere", mcOf(0, 0, 0.2, "", ""), 0, Refactorize},
	}
	for _, be := range backends() {
		for _, tc := range cases {
			t.Run(be.Name()+"/"+tc.name, func(t *testing.T) {
				base := testTable(3, 3, 12, false)
				table := tc.mc
				table.Sigma = perEntry(base, tc.mc.Sigma)
				for d := range 3 {
					a, b := base.Clone(), base.Clone()
					if err := Perturb(a, tc.mc, "2020", "mc", d); err != nil {
						t.Fatal(err)
					}
					if err := Perturb(b, table, "2020", "mc", d); err != nil {
						t.Fatal(err)
					}
					if !mat.Equal(a.A, b.A) || !mat.Equal(a.Y, b.Y) || !mat.Equal(a.Extensions[0].S, b.Extensions[0].S) || !mat.Equal(a.Extensions[1].S, b.Extensions[1].S) {
						t.Fatalf("draw %d: Perturb with a table of σ differs from one σ", d)
					}
				}
				opts := Options{Year: "2020", Scenario: "mc", Backend: be, MaxLowRank: tc.lowRk}
				one, err := New(base.Clone(), tc.mc, opts)
				if err != nil {
					t.Fatal(err)
				}
				per, err := New(base.Clone(), table, opts)
				if err != nil {
					t.Fatal(err)
				}
				if one.Kind() != tc.kind || per.Kind() != tc.kind {
					t.Fatalf("kinds %v and %v, want %v", one.Kind(), per.Kind(), tc.kind)
				}
				for _, d := range []int{0, 1, 7} {
					a, err := one.Draw(d)
					if err != nil {
						t.Fatal(err)
					}
					b, err := per.Draw(d)
					if err != nil {
						t.Fatal(err)
					}
					if i := bitEqual(a, b); i >= 0 {
						t.Fatalf("draw %d: %+v is %v with one σ, %v with a table of it", d, one.Labels()[i], a[i], b[i])
					}
				}
			})
		}
	}
}

// mixed returns per-entry sigmas for t: σ 0 on about a third of the
// entries, the rest between 0.05 and 0.45, for the targets named.
func mixed(t *table.Table, s, y, a bool) scenario.Sigma {
	k := 0
	fill := func(r, c int) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := range r {
			for j := range c {
				k++
				if k%3 != 0 {
					m.Set(i, j, 0.05+0.4*float64(k%7)/6)
				}
			}
		}
		return m
	}
	var out scenario.Sigma
	n := t.N()
	if s {
		for _, e := range t.Extensions {
			out.PerS = append(out.PerS, fill(len(e.Stressors), n))
		}
	}
	if y {
		_, c := t.Y.Dims()
		out.PerY = fill(n, c)
	}
	if a {
		out.PerA = fill(n, n)
	}
	return out
}

// TestSigmaTableDraws checks the draws of every kind with a σ per entry,
// some of them 0, against the accounts of the tables Perturb leaves.
func TestSigmaTableDraws(t *testing.T) {
	cases := []struct {
		name           string
		s, y, a        bool
		region, sector string
		lowRk          int
		kind           Kind
	}{
		{"S", true, false, false, "", "", 0, OnlyS},
		{"S in one region", true, false, false, "r2", "s0*", 0, OnlyS},
		{"Y and S", true, true, false, "", "s1?", 0, Resolve},
		{"A of a few sectors", false, false, true, "r2", "s0[0-2]", 0, LowRank},
		{"A, Y and S of one region", true, true, true, "r0", "", 20, LowRank},
		{"A everywhere", false, false, true, "", "", 0, Refactorize},
	}
	for _, be := range backends() {
		for _, tc := range cases {
			t.Run(be.Name()+"/"+tc.name, func(t *testing.T) {
				base := testTable(3, 3, 12, false)
				mc := scenario.MonteCarlo{Draws: 10, Seed: 9, Sigma: mixed(base, tc.s, tc.y, tc.a), Region: tc.region, Sector: tc.sector}
				opts := Options{Year: "2021", Scenario: "table", Backend: be, MaxLowRank: tc.lowRk}
				e, err := New(base.Clone(), mc, opts)
				if err != nil {
					t.Fatal(err)
				}
				if e.Kind() != tc.kind {
					t.Fatalf("kind %v, want %v", e.Kind(), tc.kind)
				}
				for _, d := range []int{0, 3} {
					got, err := e.Draw(d)
					if err != nil {
						t.Fatal(err)
					}
					agree(t, fmt.Sprintf("draw %d", d), e.Labels(), got, oracle(t, base, mc, opts, d, e.Labels()))
				}
			})
		}
	}
}

// TestSigmaOneEntry gives every entry σ 0 but one, of S, Y or A in turn:
// across draws every other entry stays the base's to the bit, and that
// one moves. An Engine's draws agree with the accounts of those tables,
// and an A that varies in one column updates that column alone.
func TestSigmaOneEntry(t *testing.T) {
	base := testTable(4, 2, 5, false)
	n := base.N()
	for _, target := range []string{"S", "Y", "A"} {
		t.Run(target, func(t *testing.T) {
			var sg scenario.Sigma
			var matrix func(*table.Table) *mat.Dense
			var ei, ej int
			switch target {
			case "S":
				sg.PerS = []*mat.Dense{mat.NewDense(2, n, nil), mat.NewDense(1, n, nil)}
				ei, ej = 1, 7
				sg.PerS[0].Set(ei, ej, 0.3)
				matrix = func(t *table.Table) *mat.Dense { return t.Extensions[0].S }
			case "Y":
				_, c := base.Y.Dims()
				sg.PerY = mat.NewDense(n, c, nil)
				ei, ej = 6, 2
				sg.PerY.Set(ei, ej, 0.3)
				matrix = func(t *table.Table) *mat.Dense { return t.Y }
			case "A":
				sg.PerA = mat.NewDense(n, n, nil)
				ei, ej = 3, 8
				sg.PerA.Set(ei, ej, 0.3)
				matrix = func(t *table.Table) *mat.Dense { return t.A }
			}
			if matrix(base).At(ei, ej) == 0 {
				t.Fatalf("entry (%d, %d) of the base is 0: pick another", ei, ej)
			}
			mc := scenario.MonteCarlo{Draws: 20, Seed: 3, Sigma: sg}
			for d := range mc.Draws {
				tab := base.Clone()
				if err := Perturb(tab, mc, "2020", "one", d); err != nil {
					t.Fatal(err)
				}
				for _, pair := range []struct {
					name      string
					got, want *mat.Dense
				}{{"A", tab.A, base.A}, {"Y", tab.Y, base.Y}, {"S of ext0", tab.Extensions[0].S, base.Extensions[0].S}, {"S of ext1", tab.Extensions[1].S, base.Extensions[1].S}} {
					r, c := pair.want.Dims()
					for i := range r {
						for j := range c {
							g, w := pair.got.At(i, j), pair.want.At(i, j)
							moved := math.Float64bits(g) != math.Float64bits(w)
							if one := pair.got == matrix(tab) && i == ei && j == ej; moved != one {
								t.Fatalf("draw %d: %s (%d, %d) = %v, base %v (moved %v)", d, pair.name, i, j, g, w, moved)
							}
						}
					}
				}
			}
			e, err := New(base.Clone(), mc, Options{Year: "2020", Scenario: "one"})
			if err != nil {
				t.Fatal(err)
			}
			if target == "A" && (e.Kind() != LowRank || len(e.acols) != 1 || e.acols[0] != ej) {
				t.Errorf("kind %v varying columns %v of A, want low rank in column %d alone", e.Kind(), e.acols, ej)
			}
			for _, d := range []int{0, 5} {
				got, err := e.Draw(d)
				if err != nil {
					t.Fatal(err)
				}
				agree(t, fmt.Sprintf("draw %d", d), e.Labels(), got, oracle(t, base, mc, Options{Year: "2020", Scenario: "one"}, d, e.Labels()))
			}
		})
	}
}

// TestSigmaTableMoments draws one table whose S has two entries that
// vary, with σ 0.1 and 0.5, many times: the sample mean of log(f), f an
// entry's factor, must be -σ²/2 within four standard errors (σ/√N), and
// its sample deviation σ within four of its own (about σ/√(2N)).
func TestSigmaTableMoments(t *testing.T) {
	const draws = 4000
	base := testTable(6, 1, 4, false)
	n := base.N()
	sg := scenario.Sigma{PerS: []*mat.Dense{mat.NewDense(2, n, nil), mat.NewDense(1, n, nil)}}
	entries := []struct {
		x, i, j int
		sigma   float64
	}{{0, 0, 1, 0.1}, {1, 0, 2, 0.5}}
	for _, en := range entries {
		sg.PerS[en.x].Set(en.i, en.j, en.sigma)
	}
	mc := scenario.MonteCarlo{Draws: draws, Seed: 17, Sigma: sg}
	sum, sum2 := make([]float64, len(entries)), make([]float64, len(entries))
	for d := range draws {
		tab := base.Clone()
		if err := Perturb(tab, mc, "2020", "moments", d); err != nil {
			t.Fatal(err)
		}
		for k, en := range entries {
			l := math.Log(tab.Extensions[en.x].S.At(en.i, en.j) / base.Extensions[en.x].S.At(en.i, en.j))
			sum[k] += l
			sum2[k] += l * l
		}
	}
	for k, en := range entries {
		mean := sum[k] / draws
		sd := math.Sqrt((sum2[k] - draws*mean*mean) / (draws - 1))
		seMean, seSD := en.sigma/math.Sqrt(draws), en.sigma/math.Sqrt(2*draws)
		if want := -en.sigma * en.sigma / 2; math.Abs(mean-want) > 4*seMean {
			t.Errorf("σ %g: mean log factor %.5f, want %.5f ± %.5f (4 standard errors); off by %.5f", en.sigma, mean, want, 4*seMean, mean-want)
		}
		if math.Abs(sd-en.sigma) > 4*seSD {
			t.Errorf("σ %g: deviation of log factor %.5f, want %.5f ± %.5f (4 standard errors); off by %.5f", en.sigma, sd, en.sigma, 4*seSD, sd-en.sigma)
		}
	}
}

func TestSigmaTableChecks(t *testing.T) {
	base := testTable(1, 2, 3, false)
	n := base.N()
	good := func() scenario.Sigma { return perEntry(base, scenario.Sigma{S: 0.1, Y: 0.1, A: 0.1}) }
	cases := []struct {
		name string
		edit func(*scenario.Sigma)
		want string
	}{
		{"negative entry", func(s *scenario.Sigma) { s.PerA.Set(1, 2, -0.1) }, "sigma of A: entry (1, 2) is -0.1"},
		{"NaN entry", func(s *scenario.Sigma) { s.PerY.Set(0, 0, math.NaN()) }, "sigma of Y: entry (0, 0) is NaN"},
		{"number and table", func(s *scenario.Sigma) { s.S = 0.2 }, "sigma of S is both a number and a matrix"},
		{"all zero", func(s *scenario.Sigma) {
			s.PerS = []*mat.Dense{mat.NewDense(2, n, nil), mat.NewDense(1, n, nil)}
			s.PerY, s.PerA = nil, nil
		}, "no sigma above 0"},
		{"too few extensions", func(s *scenario.Sigma) { s.PerS = s.PerS[:1] }, "sigmas of S for 1 extensions, but the table has 2"},
		{"wrong shape", func(s *scenario.Sigma) { s.PerY = mat.NewDense(n, 1, []float64{1, 1, 1, 1, 1, 1}) }, "sigma of Y: 6×1, want 6×6"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sg := good()
			tc.edit(&sg)
			_, err := New(base.Clone(), scenario.MonteCarlo{Draws: 1, Sigma: sg}, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one with %q", err, tc.want)
			}
		})
	}
}
