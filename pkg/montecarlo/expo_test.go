package montecarlo

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// ulps returns how many units in the last place of want got is off.
func ulps(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / (math.Nextafter(math.Abs(want), math.Inf(1)) - math.Abs(want))
}

// TestLn2Split checks the constants of expo against ln 2 computed here in
// 256-bit arithmetic as 2·atanh(1/3): ln2hi must leave room for exact
// multiples and ln2hi + ln2lo must be ln 2 to well beyond float64.
func TestLn2Split(t *testing.T) {
	const prec = 256
	third := new(big.Float).SetPrec(prec).Quo(big.NewFloat(1), big.NewFloat(3))
	ninth := new(big.Float).SetPrec(prec).Mul(third, third)
	term := new(big.Float).SetPrec(prec).Set(third)
	sum := new(big.Float).SetPrec(prec)
	for k := 1; k < 400; k += 2 {
		q := new(big.Float).SetPrec(prec).Quo(term, big.NewFloat(float64(k)))
		sum.Add(sum, q)
		term.Mul(term, ninth)
	}
	ln2 := sum.Mul(sum, big.NewFloat(2))
	if bits := math.Float64bits(ln2hi); bits&(1<<20-1) != 0 {
		t.Errorf("ln2hi %x has nonzero low bits", bits)
	}
	split := new(big.Float).SetPrec(prec).Add(big.NewFloat(ln2hi), big.NewFloat(ln2lo))
	diff, _ := split.Sub(split, ln2).Float64()
	if math.Abs(diff) > 0x1p-85 { // the last bit of ln2lo
		t.Errorf("ln2hi + ln2lo - ln 2 = %g", diff)
	}
}

func TestPow2Table(t *testing.T) {
	for j, v := range pow2j {
		if u := ulps(v, math.Pow(2, float64(j)/64)); u > 1 {
			t.Errorf("2^(%d/64) = %v, %v ulp from math.Pow", j, v, u)
		}
	}
	// 2^(32/64) is √2, correctly rounded by IEEE square root.
	if pow2j[32] != math.Sqrt2 {
		t.Errorf("2^(1/2) = %v, want %v", pow2j[32], math.Sqrt2)
	}
}

// TestExpo compares expo with math.Exp over the whole range, on random
// arguments, and with values computed elsewhere (CPython's libm) on the
// edges, where math.Exp's assembly versions are not to be trusted.
func TestExpo(t *testing.T) {
	for _, tc := range []struct {
		name   string
		a      float64
		want   float64
		maxULP float64
	}{
		{"zero", 0, 1, 0},
		{"one", 1, math.E, 1},
		{"minus one", -1, 1 / math.E, 1},
		{"ln 2", math.Ln2, 2, 1},
		{"largest", 709.78, 1.7928227943945155e+308, 1}, // math.Exp overflows early on some machines
		{"overflow", 710, math.Inf(1), 0},
		{"plus infinity", math.Inf(1), math.Inf(1), 0},
		{"minus infinity", math.Inf(-1), 0, 0},
		{"smallest normal result", -708.3, 2.450295530965988e-308, 1},
		{"subnormal result", -740, 4.2e-322, 1},
		{"underflow", -800, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := expo(tc.a)
			if u := ulps(got, tc.want); !(u <= tc.maxULP) {
				t.Errorf("expo(%v) = %v, want %v (%v ulp, limit %v)", tc.a, got, tc.want, u, tc.maxULP)
			}
		})
	}
	if v := expo(math.NaN()); !math.IsNaN(v) {
		t.Errorf("expo(NaN) = %v", v)
	}
	r := rand.New(rand.NewPCG(1, 2))
	worst, at := 0.0, 0.0
	for range 200000 {
		a := (r.Float64()*2 - 1) * 700
		if r.IntN(2) == 0 {
			a /= 100 // the factors' own range
		}
		if u := ulps(expo(a), math.Exp(a)); u > worst {
			worst, at = u, a
		}
	}
	if worst > 2 {
		t.Errorf("expo is %v ulp from math.Exp at %v (limit 2)", worst, at)
	}
}

func TestLoge(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    float64
		want float64
	}{
		{"one", 1, 0},
		{"two", 2, math.Ln2},
		{"e", math.E, 1},
		{"zero", 0, math.Inf(-1)},
		{"infinity", math.Inf(1), math.Inf(1)},
		{"smallest subnormal", 5e-324, -744.4400719213812}, // math.Log is wrong here on some machines
		{"largest", math.MaxFloat64, 709.782712893384},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := loge(tc.a); ulps(got, tc.want) > 1 {
				t.Errorf("loge(%v) = %v, want %v", tc.a, got, tc.want)
			}
		})
	}
	for _, a := range []float64{-1, math.NaN()} {
		if v := loge(a); !math.IsNaN(v) {
			t.Errorf("loge(%v) = %v, want NaN", a, v)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	worst, at := 0.0, 0.0
	for range 200000 {
		a := math.Ldexp(r.Float64()+0.5, r.IntN(200)-100)
		if r.IntN(2) == 0 {
			a = open01(r.Uint64()) // the tail's own range
		}
		if u := ulps(loge(a), math.Log(a)); u > worst {
			worst, at = u, a
		}
	}
	if worst > 2 {
		t.Errorf("loge is %v ulp from math.Log at %v (limit 2)", worst, at)
	}
}
