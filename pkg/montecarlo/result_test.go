package montecarlo

import (
	"fmt"
	"math"
	"testing"
)

func TestResultHoldsTheDraw(t *testing.T) {
	cases := []struct {
		name string
		sigS float64
		sigY float64
		sigA float64
	}{
		{"S-only", 0.3, 0, 0},
		{"Y-resolve", 0.1, 0.1, 0},
		{"A-refactorize", 0, 0, 0.2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := testTable(5, 3, 6, false)
			e, err := New(base.Clone(), mcOf(tc.sigS, tc.sigY, tc.sigA, "", ""), Options{Year: "2020", Scenario: "mc", MaxLowRank: -1})
			if err != nil {
				t.Fatal(err)
			}
			values, err := e.Draw(3)
			if err != nil {
				t.Fatal(err)
			}
			res := e.Result(values)
			if len(res.Consumers) != 4 || len(res.Regions) != 3 || len(res.Extensions) != 2 || res.Extensions[0].Units[0] != "kg" {
				t.Fatalf("labels of the result: regions %v, consumers %v, %d extensions", res.Regions, res.Consumers, len(res.Extensions))
			}
			if res.Output != nil || res.Extensions[0].Total != nil || res.Extensions[0].Footprints != nil {
				t.Error("a draw's result holds accounts the draw does not compute")
			}
			back := valuesOf(res, e.Labels())
			for i, l := range e.Labels() {
				g, w := back[i], values[i]
				if g != w && !(math.IsNaN(g) && math.IsNaN(w)) {
					t.Errorf("%+v: result holds %v, draw %v (difference %g)", l, g, w, g-w)
				}
			}
			values[0] = -1
			if res.ValueAdded[0] == -1 {
				t.Error("the result shares the draw's values")
			}
		})
	}
}

func TestResultPanicsOnWrongLength(t *testing.T) {
	e, err := New(testTable(5, 2, 3, false), mcOf(0.1, 0, 0, "", ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, len(e.Labels()) + 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Result of %d values did not panic", n)
				}
			}()
			e.Result(make([]float64, n))
		})
	}
}
