package montecarlo

import (
	"context"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/leontief"
)

// systemBackend returns the system library's backend, or skips when there
// is none and the environment does not demand it.
func systemBackend(t *testing.T) leontief.Backend {
	t.Helper()
	s, err := leontief.LoadSystem()
	if err != nil {
		if os.Getenv("MRIOFLOW_REQUIRE_OPENBLAS") == "1" {
			t.Fatalf("MRIOFLOW_REQUIRE_OPENBLAS=1: %v", err)
		}
		t.Skip(err)
	}
	return s
}

// bitEqual reports the first value where a and b differ to the bit (NaN
// meets NaN), or -1.
func bitEqual(a, b []float64) int {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return i
		}
	}
	return -1
}

// TestBatchedDraws checks the S-only draws on a system library, computed
// in batches by dgemm: within 1e-10 of the draws one at a time (Native),
// and the same to the bit for any workers, any split into calls, and Draw.
func TestBatchedDraws(t *testing.T) {
	be := systemBackend(t)
	cases := []struct {
		name, region, sector string
		draws                int
	}{
		{"all sectors", "", "", 200},
		{"one region, some sectors", "r1", "s0[13-5]", 130},
		{"fewer draws than a batch", "", "s1?", 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := testTable(8, 3, 12, true)
			mc := mcOf(0.3, 0, 0, tc.region, tc.sector)
			mc.Draws = tc.draws
			engine := func(be leontief.Backend, workers int) *Engine {
				e, err := New(base.Clone(), mc, Options{Year: "2020", Scenario: "mc", Backend: be, Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				return e
			}
			run := func(e *Engine, first, count int) *Samples {
				s, err := e.Run(context.Background(), first, count)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			one := engine(be, 1)
			if one.batched == nil {
				t.Fatal("S-only draws on the system library are not batched")
			}
			want := run(one, 0, tc.draws)
			native := run(engine(leontief.Native{}, 0), 0, tc.draws)
			for d := range tc.draws {
				agree(t, fmt.Sprintf("draw %d against one at a time", d), one.Labels(), want.Draw(d), native.Draw(d))
			}

			three := engine(be, 3)
			split := tc.draws / 3
			parts := []*Samples{run(three, split, tc.draws-split), run(three, 0, split)}
			merged, err := Merge(parts...)
			if err != nil {
				t.Fatal(err)
			}
			eight := engine(be, 8)
			for name, got := range map[string]*Samples{"3 workers": run(three, 0, tc.draws), "3 workers in two calls": merged, "8 workers": run(eight, 0, tc.draws)} {
				if i := bitEqual(got.Values, want.Values); i >= 0 {
					v := len(want.Labels)
					t.Errorf("%s: draw %d %+v = %v, one worker %v", name, i/v, want.Labels[i%v], got.Values[i], want.Values[i])
				}
			}
			for _, d := range []int{0, tc.draws / 2, tc.draws - 1} {
				got, err := three.Draw(d)
				if err != nil {
					t.Fatal(err)
				}
				if i := bitEqual(got, want.Draw(d)); i >= 0 {
					t.Errorf("Draw(%d) %+v = %v, Run %v", d, want.Labels[i], got[i], want.Draw(d)[i])
				}
			}
		})
	}
}

func TestNotBatchedOnNative(t *testing.T) {
	e, err := New(testTable(8, 2, 4, false), mcOf(0.3, 0, 0, "", ""), Options{Backend: leontief.Native{}})
	if err != nil {
		t.Fatal(err)
	}
	if e.batched != nil {
		t.Error("S-only draws on Native are batched")
	}
}
