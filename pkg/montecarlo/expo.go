package montecarlo

import (
	"math"
	"math/big"
)

// This file holds the package's own exp and log. The draws need an exp
// per varied entry, and math.Exp is both slower than the lognormal draws
// can afford and, having assembly versions on some architectures, not
// promised to give the same last bit everywhere. These use nothing but
// IEEE addition, multiplication, division and bit operations, each
// product rounded on its own (an explicit float64 conversion stops the
// compiler from fusing a multiply and an add), so they give the same bits
// on every machine and Go release.
//
//	exp(a) = 2^m · 2^(j/64) · exp(r),  a = (64m + j)·ln2/64 + r,  |r| ≤ ln2/128
//
// with 2^(j/64) from a table and exp(r) from its Taylor polynomial of
// degree 5, whose remainder r⁶/720 is below 3.5e-17 (a third of the last
// place) at |r| = ln2/128. Both agree
// with math.Exp and math.Log to a few units in the last place (tests).

const (
	// ln2 in two parts: ln2hi keeps 33 significant bits, so k·ln2hi is
	// exact for |k| < 2^20, and ln2lo is the rest (an exact constant
	// expression, rounded once).
	ln2hi   = 0x1.62e42feep-1
	ln2lo   = math.Ln2 - ln2hi
	ln2hi64 = ln2hi / 64
	ln2lo64 = ln2lo / 64
	inv64   = 64 / math.Ln2
	// shifter is 1.5·2^52: adding it to a number below 2^51 in magnitude
	// rounds that number to an integer.
	shifter = 0x1.8p52
	// Between expMin and expMax the result is a normal number.
	expMax = 709.782712893384
	expMin = -708.3964185322641
)

// pow2j holds 2^(j/64), j = 0..63, each rounded to nearest.
var pow2j = twoToSixtyFourths()

// twoToSixtyFourths computes 2^(j/64) as six square roots of 2^j in
// 200-bit arithmetic, rounded once to float64: exact to the last bit and
// the same on every machine.
func twoToSixtyFourths() [64]float64 {
	var t [64]float64
	for j := range t {
		v := new(big.Float).SetPrec(200).SetMantExp(big.NewFloat(1), j)
		for range 6 {
			v.Sqrt(v)
		}
		t[j], _ = v.Float64()
	}
	return t
}

// expo returns e^a, within a few units in the last place of math.Exp.
func expo(a float64) float64 {
	if !(a >= expMin && a <= expMax) {
		return expoEdge(a)
	}
	kf := (float64(a*inv64) + shifter) - shifter // round(a·64/ln2)
	k := int64(kf)
	r := float64(a-float64(kf*ln2hi64)) - float64(kf*ln2lo64)
	// e^r - 1 by its Taylor polynomial in Estrin's form, which shortens
	// the chain of dependent operations; every product rounded.
	r2 := float64(r * r)
	lo := r + float64(r2*(0.5+float64(r*(1.0/6))))
	hi := float64(float64(r2*r2) * ((1.0 / 24) + float64(r*(1.0/120))))
	p := lo + hi
	s := pow2j[k&63]
	v := s + float64(s*p)
	// 2^m, m = floor(k/64), as a float64 built from its bits; between
	// expMin and expMax, m is a normal exponent but at the very ends.
	m := k >> 6
	if m < -1022 || m > 1023 {
		return math.Ldexp(v, int(m))
	}
	return v * math.Float64frombits(uint64(1023+m)<<52)
}

// expoEdge is expo outside [expMin, expMax] and for NaN.
func expoEdge(a float64) float64 {
	switch {
	case a != a:
		return a
	case a > expMax:
		return math.Inf(1)
	case a < -746:
		return 0
	}
	// A subnormal result: scale into the normal range and back.
	return math.Ldexp(expo(a+256*math.Ln2), -256)
}

// loge returns the natural logarithm of a, within a few units in the
// last place of math.Log.
//
//	log a = e·ln2 + 2 atanh(s),  a = 2^e·f,  f in [√½, √2),  s = (f-1)/(f+1)
//
// with atanh's odd series to s^23, |s| ≤ 0.1716.
func loge(a float64) float64 {
	switch {
	case a != a || a < 0:
		return math.NaN()
	case a == 0:
		return math.Inf(-1)
	case math.IsInf(a, 1):
		return a
	}
	f, e := math.Frexp(a) // f in [½, 1)
	if f < math.Sqrt2/2 {
		f *= 2
		e--
	}
	s := (f - 1) / (f + 1)
	s2 := float64(s * s)
	p := 1.0 / 23
	for k := 21; k >= 3; k -= 2 {
		p = 1/float64(k) + float64(s2*p)
	}
	// 2s(1 + s²·p), p the rest of the series.
	tail := float64(float64(s*s2) * p)
	ef := float64(e)
	return float64(ef*ln2hi) + (2*s + (2*tail + float64(ef*ln2lo)))
}
