package accounts

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// TestAssembleBitwise splits the consumers of a table into blocks, solves
// each block on its own and checks that the assembled accounts equal
// Compute's to the bit, with the pure Go backend and with the system
// LAPACK when one is installed (required when MRIOFLOW_REQUIRE_OPENBLAS=1).
// n = 220 is above the order from which the native solves are spread over
// goroutines. One block per consumer makes one-column parts, which OpenBLAS
// would solve with other kernels than Compute's many columns; the 23
// consumers of the second shape span two solve chunks. The columns of L
// (220 of them, in chunks of 64) go the same way, each block's through
// its binary form.
func TestAssembleBitwise(t *testing.T) {
	for _, tc := range []struct {
		name          string
		regions, m, e int
		blocks        []int
	}{
		{"5x44+2", 5, 44, 2, []int{1, 2, 3, 7}},
		{"20x11+3", 20, 11, 3, []int{2, 5, 23}},
	} {
		for _, backend := range testBackends(t) {
			for _, blocks := range tc.blocks {
				t.Run(fmt.Sprintf("%s/%s/%d blocks", tc.name, backend.Name(), blocks), func(t *testing.T) {
					newTable := func() *table.Table {
						return randomTable(rand.New(rand.NewPCG(4, 2)), tc.regions, tc.m, tc.e, 3, []int{2, 3}, true)
					}
					assembleBitwise(t, newTable, backend, blocks)
				})
			}
		}
	}
}

// testBackends returns the native backend and the system LAPACK when it
// loads; without one the test fails if MRIOFLOW_REQUIRE_OPENBLAS=1.
func testBackends(t *testing.T) []leontief.Backend {
	t.Helper()
	backends := []leontief.Backend{leontief.Native{}}
	if sys, err := leontief.LoadSystem(); err == nil {
		backends = append(backends, sys)
	} else if os.Getenv("MRIOFLOW_REQUIRE_OPENBLAS") == "1" {
		t.Fatalf("MRIOFLOW_REQUIRE_OPENBLAS=1: %v", err)
	} else {
		t.Logf("system LAPACK not tested: %v", err)
	}
	return backends
}

func assembleBitwise(t *testing.T, newTable func() *table.Table, backend leontief.Backend, blocks int) {
	whole := newTable()
	opts := Options{FlowsBySector: true, Backend: backend, Leontief: true}
	want, err := Compute(whole, opts)
	if err != nil {
		t.Fatal(err)
	}
	tab := newTable()
	if _, err := Coefficients(tab); err != nil {
		t.Fatal(err)
	}
	rp := len(tab.Consumers)
	var parts []*Part
	var inverse [][]byte
	for b := range blocks {
		lo, hi := b*rp/blocks, (b+1)*rp/blocks
		p, err := SolvePart(tab, lo, hi, b == blocks-1, Options{KeepA: true, Backend: backend, Leontief: true})
		if err != nil {
			t.Fatal(err)
		}
		if c0, c1 := InverseRange(tab, lo, hi); p.Inverse.First != c0 || p.Inverse.First+cols(p.Inverse.L) != c1 {
			t.Fatalf("block %d holds columns of L from %d, %d of them; want [%d, %d)", b, p.Inverse.First, cols(p.Inverse.L), c0, c1)
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
		if data, err = p.Inverse.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
		inverse = append(inverse, data)
	}
	got, err := Assemble(tab, parts, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got.Inverse != nil {
		t.Error("Assemble set Result.Inverse; that is its caller's")
	}
	got.Inverse = InverseOfBlocks(tab.N(), func(yield func(*InverseBlock) error) error {
		for _, data := range inverse {
			var b InverseBlock
			if err := b.UnmarshalBinary(data); err != nil {
				return err
			}
			if err := yield(&b); err != nil {
				return err
			}
		}
		return nil
	})
	sameBits(t, "L", wholeInverse(t, got.Inverse).RawMatrix().Data, wholeInverse(t, want.Inverse).RawMatrix().Data)
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
}

// TestConsumerOutputsRanges solves ranges of consumers on their own and
// compares them with the solve of all consumers, at an order (2500) where
// OpenBLAS's dtrsm gives a column other bits when it sits elsewhere in the
// call: the fixed chunks of consumerOutputs must hide that. Likewise for
// ranges of L's columns (chunks of 64) against the first 200 of them.
func TestConsumerOutputsRanges(t *testing.T) {
	if testing.Short() {
		t.Skip("order 2500")
	}
	const n, rp = 2500, 49
	rng := rand.New(rand.NewPCG(1, 2))
	a := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			a.Set(i, j, rng.Float64()/n)
		}
	}
	yr := mat.NewDense(n, rp, nil)
	for i := range n {
		for j := range rp {
			yr.Set(i, j, rng.Float64())
		}
	}
	for _, backend := range testBackends(t) {
		t.Run(backend.Name(), func(t *testing.T) {
			lu, err := leontief.Factorize(mat.DenseCopyOf(a), leontief.WithBackend(backend))
			if err != nil {
				t.Fatal(err)
			}
			whole := consumerOutputs(lu, yr, 0, rp, backend)
			for _, r := range [][2]int{{0, 1}, {5, 6}, {48, 49}, {3, 20}, {15, 17}, {16, 32}, {30, 49}, {7, 12}} {
				got := consumerOutputs(lu, yr, r[0], r[1], backend)
				want := mat.DenseCopyOf(whole.Slice(0, n, r[0], r[1]))
				sameBits(t, fmt.Sprintf("consumers [%d, %d)", r[0], r[1]), got.RawMatrix().Data, want.RawMatrix().Data)
			}
			const span = 200
			wholeL := solveInverseBlock(lu, 0, span).L
			for _, r := range [][2]int{{0, 1}, {63, 64}, {64, 65}, {3, 20}, {60, 70}, {64, 128}, {100, 200}, {199, 200}} {
				got := solveInverseBlock(lu, r[0], r[1]).L
				want := mat.DenseCopyOf(wholeL.Slice(0, n, r[0], r[1]))
				sameBits(t, fmt.Sprintf("columns [%d, %d) of L", r[0], r[1]), got.RawMatrix().Data, want.RawMatrix().Data)
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

// TestSolvePartEmpty: a block without consumers (more blocks than
// consumers) and without the multipliers solves nothing, so it does not
// factorize: on a singular table only the blocks with work fail.
func TestSolvePartEmpty(t *testing.T) {
	tab := func() *table.Table {
		return &table.Table{
			Source: "closed.txt", Regions: []string{"r"}, Sectors: []string{"a", "b"},
			Consumers: []string{"r"}, Categories: []string{"hh"},
			A: mat.NewDense(2, 2, []float64{0.5, 0.5, 0.5, 0.5}), Y: mat.NewDense(2, 1, []float64{1, 1}),
		}
	}
	for _, leontief := range []bool{false, true} {
		p, err := SolvePart(tab(), 1, 1, false, Options{Leontief: leontief})
		if err != nil {
			t.Fatalf("leontief %v: empty block: %v", leontief, err)
		}
		if r, _ := p.X.Dims(); r != 0 || p.MT != nil || p.First != 1 {
			t.Errorf("leontief %v: empty block holds %+v", leontief, p)
		}
		if leontief && (p.Inverse == nil || !p.Inverse.L.IsEmpty()) {
			t.Errorf("empty block's columns of L: %+v", p.Inverse)
		}
		if _, err := SolvePart(tab(), 1, 1, true, Options{Leontief: leontief}); err == nil {
			t.Errorf("leontief %v: the block with the multipliers did not factorize the singular table", leontief)
		}
		if _, err := SolvePart(tab(), 0, 1, false, Options{Leontief: leontief}); err == nil {
			t.Errorf("leontief %v: a block with a consumer did not factorize the singular table", leontief)
		}
	}
}
