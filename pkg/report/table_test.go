package report

import (
	"math"
	"strconv"
	"testing"
)

func TestFormatNumber(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{1, "1"},
		{-2.5, "-2.5"},
		{123456.789, "123457"},
		{1234567.891, "1234568"},
		{0.000123456789, "0.000123457"},
		{0.1 + 0.2, "0.3"},
		{99.99994, "99.9999"},
		{99.99996, "100"},
		{1e-5, "1e-05"},
		{2.5e9, "2.5e+09"},
		{-3.25e12, "-3.25e+12"},
		{math.NaN(), nullText},
		{math.Inf(1), "+Inf"},
	}
	for _, c := range cases {
		if got := formatNumber(c.in); got != c.want {
			t.Errorf("formatNumber(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzFormatNumber(f *testing.F) {
	for _, v := range []float64{0, 1, -1, 1e-4, 9.999995e8, 1e9, 123.456789, 5e-324, math.MaxFloat64} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		s := formatNumber(v)
		if math.IsNaN(v) {
			if s != nullText {
				t.Fatalf("NaN written %q", s)
			}
			return
		}
		got, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("formatNumber(%v) = %q does not parse: %v", v, s, err)
		}
		// Six significant digits: half a unit in the sixth place.
		if d := math.Abs(got - v); d > 5e-6*math.Abs(v) && !math.IsInf(v, 0) {
			t.Fatalf("formatNumber(%v) = %q, off by %g", v, s, d)
		}
		c := number(v)
		if back, err := strconv.ParseFloat(c.Exact(), 64); err != nil || back != v {
			t.Fatalf("Exact(%v) = %q reads back as %v", v, c.Exact(), back)
		}
	})
}

func TestLogClasses(t *testing.T) {
	cases := []struct {
		name     string
		vals     []float64
		n        int
		first    string
		classOf  float64
		wantK    float64
		greyVals []float64
	}{
		{"four decades", []float64{1.5, 20, 300, 9000}, 4, "1 – 10", 300, 2, []float64{0, -1, math.NaN(), math.Inf(1)}},
		{"one value", []float64{42}, 3, "10 – 21.5", 42, 1, nil},
		{"two decades in thirds", []float64{15, 400}, 6, "10 – 21.5", 400, 4, nil},
		{"twenty decades merged", []float64{1e-10, 1e10}, 7, "1e-10 – 1e-07", 1e10, 6, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := newLogClasses(c.vals)
			if len(cl.colours) != c.n {
				t.Fatalf("%d classes, want %d", len(cl.colours), c.n)
			}
			if got := cl.label(0); got != c.first {
				t.Errorf("first class %q, want %q", got, c.first)
			}
			if k := cl.class(c.classOf); k != c.wantK {
				t.Errorf("class(%v) = %v, want %v", c.classOf, k, c.wantK)
			}
			for _, v := range c.vals {
				k := cl.class(v)
				lo, hi := math.Pow(10, cl.lo+k*cl.step), math.Pow(10, cl.lo+(k+1)*cl.step)
				if v < lo*(1-1e-12) || v > hi*(1+1e-12) {
					t.Errorf("%v in class %v, which spans %v to %v", v, k, lo, hi)
				}
			}
			for _, v := range c.greyVals {
				if k := cl.class(v); !math.IsNaN(k) {
					t.Errorf("class(%v) = %v, want none", v, k)
				}
			}
		})
	}
}

func TestUniqueID(t *testing.T) {
	seen := map[string]int{}
	for _, c := range []struct{ in, want string }{
		{"scenario-High Tax!", "scenario-high-tax"},
		{"scenario-high tax", "scenario-high-tax-2"},
		{"<>", "figure"},
		{"Über 2030", "ber-2030"},
	} {
		if got := uniqueID(seen, c.in); got != c.want {
			t.Errorf("uniqueID(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestShortNumber(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{21.5443469, "21.5"},
		{4641.5888, "4640"},
		{46415.888, "46.4 thousand"},
		{99999, "100 thousand"},
		{1e5, "100 thousand"},
		{2154434.69, "2.15 million"},
		{1e10, "10 billion"},
		{-3.25e12, "-3.25 trillion"},
		{4.6e15, "4600 trillion"},
		{1e-7, "1e-07"},
	}
	for _, c := range cases {
		if got := shortNumber(c.in); got != c.want {
			t.Errorf("shortNumber(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
