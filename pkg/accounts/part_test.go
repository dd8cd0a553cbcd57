package accounts

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestAssembleBitwise splits the consumers of a table into blocks, solves
// each block on its own and checks that the assembled accounts equal
// Compute's to the bit. n = 220 is above the order from which the native
// solves are spread over goroutines.
func TestAssembleBitwise(t *testing.T) {
	for _, blocks := range []int{1, 2, 3, 7} {
		t.Run(fmt.Sprintf("%d blocks", blocks), func(t *testing.T) {
			whole := randomTable(rand.New(rand.NewPCG(4, 2)), 5, 44, 2, 3, []int{2, 3}, true)
			opts := Options{FlowsBySector: true}
			want, err := Compute(whole, opts)
			if err != nil {
				t.Fatal(err)
			}
			tab := randomTable(rand.New(rand.NewPCG(4, 2)), 5, 44, 2, 3, []int{2, 3}, true)
			if _, err := Coefficients(tab); err != nil {
				t.Fatal(err)
			}
			rp := len(tab.Consumers)
			var parts []*Part
			for b := range blocks {
				p, err := SolvePart(tab, b*rp/blocks, (b+1)*rp/blocks, b == blocks-1, Options{KeepA: true})
				if err != nil {
					t.Fatal(err)
				}
				data, err := p.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				var back Part
				if err := back.UnmarshalBinary(data); err != nil {
					t.Fatal(err)
				}
				parts = append(parts, &back)
			}
			got, err := Assemble(tab, parts, opts)
			if err != nil {
				t.Fatal(err)
			}
			sameBits(t, "output", got.Output, want.Output)
			sameBits(t, "value added", got.ValueAdded, want.ValueAdded)
			sameBits(t, "final demand", got.FinalDemand, want.FinalDemand)
			sameBits(t, "residual", []float64{got.Residual}, []float64{want.Residual})
			for x, e := range want.Extensions {
				g := got.Extensions[x]
				dense := map[string][2]*mat.Dense{
					"total": {g.Total, e.Total}, "production": {g.Production, e.Production},
					"consumption": {g.Consumption, e.Consumption}, "imports": {g.Imports, e.Imports},
					"exports": {g.Exports, e.Exports}, "net exports": {g.NetExports, e.NetExports},
					"production intensity":  {g.ProductionIntensity, e.ProductionIntensity},
					"consumption intensity": {g.ConsumptionIntensity, e.ConsumptionIntensity},
					"footprints":            {g.Footprints, e.Footprints},
				}
				for s := range e.Flows {
					dense[fmt.Sprintf("flows %d", s)] = [2]*mat.Dense{g.Flows[s], e.Flows[s]}
					dense[fmt.Sprintf("flows by sector %d", s)] = [2]*mat.Dense{g.FlowsBySector[s], e.FlowsBySector[s]}
				}
				for name, d := range dense {
					sameBits(t, e.Name+" "+name, d[0].RawMatrix().Data, d[1].RawMatrix().Data)
				}
			}
		})
	}
}

// sameBits fails when got and want differ in any bit.
func sameBits(t *testing.T, name string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Errorf("%s[%d] = %v, want %v (difference %.3g)", name, i, got[i], want[i], got[i]-want[i])
			return
		}
	}
}

func TestAssembleRejects(t *testing.T) {
	tab := randomTable(rand.New(rand.NewPCG(1, 1)), 2, 3, 0, 2, []int{1}, false)
	p, err := SolvePart(tab, 0, 1, true, Options{KeepA: true})
	if err != nil {
		t.Fatal(err)
	}
	q, err := SolvePart(tab, 1, 2, false, Options{KeepA: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		parts []*Part
	}{
		{"missing block", []*Part{p}},
		{"out of order", []*Part{q, p}},
		{"no multipliers", []*Part{{First: 0, X: p.X}, q}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Assemble(tab, tc.parts, Options{}); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestPartUnmarshalRejects(t *testing.T) {
	good, _ := (&Part{First: 1, X: mat.NewDense(2, 1, []float64{1, 2})}).MarshalBinary()
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"bad magic", append([]byte("XXXXXXXX"), good[8:]...)},
		{"cut short", good[:len(good)-3]},
		{"header only", good[:20]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p Part
			if err := p.UnmarshalBinary(tc.data); err == nil {
				t.Error("no error")
			}
		})
	}
}

func FuzzPartUnmarshal(f *testing.F) {
	good, _ := (&Part{First: 1, X: mat.NewDense(2, 1, []float64{1, 2})}).MarshalBinary()
	f.Add(good)
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Part
		_ = p.UnmarshalBinary(data)
	})
}
