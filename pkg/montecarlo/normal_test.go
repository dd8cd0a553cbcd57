package montecarlo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestZigguratLayers checks the tables against their definition: every
// layer, the base strip with the tail included, has area V under f.
func TestZigguratLayers(t *testing.T) {
	f := func(x float64) float64 { return math.Exp(-x * x / 2) }
	tail := math.Sqrt(math.Pi/2) * math.Erfc(zigR/math.Sqrt2)
	if base := zigR*f(zigR) + tail; math.Abs(base-zigV)/zigV > 1e-9 {
		t.Errorf("base strip has area %v, want %v", base, zigV)
	}
	if got := zigX[0] * f(zigR); math.Abs(got-zigV)/zigV > 1e-12 {
		t.Errorf("X[0]·f(R) = %v, want V = %v", got, zigV)
	}
	for i := 1; i < zigLayers; i++ {
		area := zigX[i] * (f(zigX[i+1]) - f(zigX[i]))
		if math.Abs(area-zigV)/zigV > 1e-6 {
			t.Errorf("layer %d [%v, %v] has area %v, want %v", i, zigX[i+1], zigX[i], area, zigV)
		}
		if !(zigX[i+1] < zigX[i]) || !(zigRatio[i] < 1) {
			t.Fatalf("layer %d: X not decreasing (%v, %v)", i, zigX[i], zigX[i+1])
		}
	}
	// The top layer reaches f = 1 at x = 0.
	if top := f(zigX[zigLayers-1]) + zigV/zigX[zigLayers-1]; math.Abs(top-1) > 1e-6 {
		t.Errorf("top layer ends at f = %v, want 1", top)
	}
}

// TestNormalDistribution draws two million numbers and compares them with
// the standard normal: counts in 200 bins of equal probability (a
// chi-square test at the 0.1 % level), the four moments, and the share
// beyond R, which only the tail draws reach.
func TestNormalDistribution(t *testing.T) {
	const n, bins = 2_000_000, 200
	src := newXoshiro([4]uint64{7, 11})
	edges := make([]float64, bins-1)
	for k := range edges {
		edges[k] = math.Sqrt2 * math.Erfinv(2*float64(k+1)/bins-1)
	}
	count := make([]float64, bins)
	var m1, m2, m3, m4, beyondR, belowR, beyond4, wedge float64
	for range n {
		z := normal(src)
		lo, hi := 0, len(edges)
		for lo < hi {
			mid := (lo + hi) / 2
			if z < edges[mid] {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		count[lo]++
		m1 += z
		m2 += z * z
		m3 += z * z * z
		m4 += z * z * z * z
		if math.Abs(z) > zigR {
			beyondR++
		}
		if z < -zigR {
			belowR++
		}
		if math.Abs(z) > 4 {
			beyond4++
		}
		if math.Abs(z) > 1 && math.Abs(z) < 1.01 {
			wedge++
		}
	}
	chi := 0.0
	for _, c := range count {
		d := c - n/bins
		chi += d * d / (n / bins)
	}
	// The 0.999 quantile of chi-square with 199 degrees of freedom.
	if chi > 267.8 {
		t.Errorf("chi-square over %d bins = %.1f, limit 267.8", bins, chi)
	}
	m1, m2, m3, m4 = m1/n, m2/n, m3/n, m4/n
	for _, c := range []struct {
		name      string
		got, want float64
		sd        float64 // standard error of the estimate
	}{
		{"mean", m1, 0, 1 / math.Sqrt(n)},
		{"variance", m2, 1, math.Sqrt(2.0 / n)},
		{"third moment", m3, 0, math.Sqrt(15.0 / n)},
		{"fourth moment", m4, 3, math.Sqrt(96.0 / n)},
	} {
		if math.Abs(c.got-c.want) > 5*c.sd {
			t.Errorf("%s %v, want %v ± %v", c.name, c.got, c.want, 5*c.sd)
		}
	}
	pTail := math.Erfc(zigR / math.Sqrt2)
	if want := n * pTail; math.Abs(beyondR-want) > 5*math.Sqrt(want) {
		t.Errorf("%v numbers beyond ±R, want %v", beyondR, want)
	}
	if math.Abs(belowR-beyondR/2) > 5*math.Sqrt(beyondR/4) {
		t.Errorf("%v of the %v numbers beyond ±R are negative", belowR, beyondR)
	}
	if want := n * math.Erfc(4/math.Sqrt2); math.Abs(beyond4-want) > 5*math.Sqrt(want) {
		t.Errorf("%v numbers beyond ±4, want %v", beyond4, want)
	}
	pWedge := (math.Erf(1.01/math.Sqrt2) - math.Erf(1/math.Sqrt2))
	if want := n * pWedge; math.Abs(wedge-want) > 5*math.Sqrt(want) {
		t.Errorf("%v numbers in 1 < |z| < 1.01, want %v", wedge, want)
	}
}

// TestFactorsPinned pins the first factors of one stream to the bit: a
// change of the generator, the normal or the exp changes every draw of
// every sweep, and must come with a new domain string.
func TestFactorsPinned(t *testing.T) {
	f := newFactors(Stream{Seed: 1, Year: "2019", Scenario: "mc", Draw: 3}, "S", 0, 0.2)
	want := []uint64{0x3ff71dd6ce4be73d, 0x3ff01bbadbfabc12, 0x3ff0bff4ecf00912, 0x3ff37081bd03e7be, 0x3fec1aa33209f856, 0x3fea5425fe200350}
	var got []uint64
	for range 6 {
		got = append(got, math.Float64bits(f.next()))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("factor %d = %v (%#x), want %v (%#x)", i, math.Float64frombits(got[i]), got[i], math.Float64frombits(want[i]), want[i])
		}
	}
}

// BenchmarkFactor times one lognormal factor: a PCG number, the
// ziggurat and the exp, against math/rand/v2's NormFloat64 on ChaCha8
// with math.Exp, the way draws were made before.
func BenchmarkFactor(b *testing.B) {
	b.Run("package", func(b *testing.B) {
		f := newFactors(Stream{Seed: 1}, "S", 0, 0.2)
		s := 0.0
		for b.Loop() {
			s += f.next()
		}
		sink = s
	})
	b.Run("reference", func(b *testing.B) {
		r := rand.New(rand.NewChaCha8([32]byte{1}))
		s := 0.0
		for b.Loop() {
			s += math.Exp(0.2*r.NormFloat64() - 0.02)
		}
		sink = s
	})
}

var sink float64
