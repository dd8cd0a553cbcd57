package montecarlo

import (
	"math"
	"testing"
)

func firstNumbers(s Stream, target string) [4]uint64 {
	return numbersOf(s, target, 0)
}

func numbersOf(s Stream, target string, part int) [4]uint64 {
	r := s.source(target, part)
	var out [4]uint64
	for i := range out {
		out[i] = r.Uint64()
	}
	return out
}

// TestStreamsDiffer checks that streams which a naive seed + draw would
// share, or which only concatenate to the same text, differ.
func TestStreamsDiffer(t *testing.T) {
	base := Stream{Seed: 1, Year: "2020", Scenario: "mc", Draw: 5}
	if firstNumbers(base, "S") != firstNumbers(base, "S") {
		t.Fatal("the same stream gave different numbers")
	}
	for _, tc := range []struct {
		name   string
		other  Stream
		target string
	}{
		{"seed 2, draw k-1", Stream{Seed: 2, Year: "2020", Scenario: "mc", Draw: 4}, "S"},
		{"seed 0, draw k+1", Stream{Seed: 0, Year: "2020", Scenario: "mc", Draw: 6}, "S"},
		{"next draw", Stream{Seed: 1, Year: "2020", Scenario: "mc", Draw: 6}, "S"},
		{"other year", Stream{Seed: 1, Year: "2021", Scenario: "mc", Draw: 5}, "S"},
		{"year and scenario run together", Stream{Seed: 1, Year: "2020m", Scenario: "c", Draw: 5}, "S"},
		{"other target", base, "Y"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if a, b := firstNumbers(base, "S"), firstNumbers(tc.other, tc.target); a == b {
				t.Errorf("%+v/S and %+v/%s give the same numbers %v", base, tc.other, tc.target, a)
			}
		})
	}
}

func TestColumnStreamsDiffer(t *testing.T) {
	s := Stream{Seed: 1, Draw: 2}
	if numbersOf(s, "A", 3) == numbersOf(s, "A", 4) {
		t.Error("columns 3 and 4 of A share their numbers")
	}
	if numbersOf(s, "A", 0) == numbersOf(s, "S", 0) {
		t.Error("column 0 of A and S share their numbers")
	}
}

// TestFactorsHaveMeanOne checks the lognormal factors over many draws of
// one stream: mean 1, and log f with mean -σ²/2 and deviation σ, within
// four standard errors.
func TestFactorsHaveMeanOne(t *testing.T) {
	const n, sigma = 20000, 0.4
	f := newFactors(Stream{Seed: 9}, "A", 3, sigma)
	var sum, sumLog, sumLog2 float64
	for range n {
		v := f.next()
		sum += v
		sumLog += math.Log(v)
		sumLog2 += math.Log(v) * math.Log(v)
	}
	mean := sum / n
	meanLog := sumLog / n
	sdLog := math.Sqrt(sumLog2/n - meanLog*meanLog)
	sdMean := math.Sqrt(math.Exp(sigma*sigma)-1) / math.Sqrt(n)
	if math.Abs(mean-1) > 4*sdMean {
		t.Errorf("mean factor %v, want 1 ± %v", mean, 4*sdMean)
	}
	if want := -sigma * sigma / 2; math.Abs(meanLog-want) > 4*sigma/math.Sqrt(n) {
		t.Errorf("mean log factor %v, want %v", meanLog, want)
	}
	if math.Abs(sdLog-sigma) > 4*sigma/math.Sqrt(2*n) {
		t.Errorf("deviation of log factor %v, want %v", sdLog, sigma)
	}
}
