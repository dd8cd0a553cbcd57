package montecarlo

import (
	"crypto/sha256"
	"encoding/binary"

	"gonum.org/v1/gonum/mat"
)

// Stream names the random numbers of one draw. Two draws share no numbers
// unless all four fields are equal: the generator's seed is a SHA-256 hash
// of them (with each string's length, so fields cannot run into each
// other), not a sum, so seed 2 draw k-1 is as unrelated to seed 1 draw k
// as any other pair.
type Stream struct {
	Seed     uint64 // the scenario's seed
	Year     string // the table's year
	Scenario string // the scenario's name
	Draw     int    // 0-based draw number
}

// domain keeps these hashes apart from any other use of SHA-256 seeds.
// v2: xoshiro256++ and the package's own normal and exp (v1 drew with
// ChaCha8, NormFloat64 and math.Exp).
const domain = "mrioflow/montecarlo/v2"

// source returns the generator of the draw's numbers for one target (S, Y
// or A) and one part of it (a column of A; 0 for S and Y): xoshiro256++
// with the hash of the stream, the target and the part as its state. Each target has numbers of its own, so a draw gets the
// same numbers for S whether or not it also varies A; each column of A
// has its own, so A can be visited row by row, in the order of its
// storage.
//
// Streams are kept apart by the hash, not by position in one sequence:
// two streams start at unrelated points of the generator's 2^256-long
// cycle, so the chance that the numbers of any two draws of a sweep
// overlap is of the order of (numbers per draw) · (draws)² / 2^256.
func (s Stream) source(target string, part int) *xoshiro {
	h := sha256.New()
	var buf [8]byte
	word := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	text := func(v string) {
		word(uint64(len(v)))
		h.Write([]byte(v))
	}
	text(domain)
	word(s.Seed)
	text(s.Year)
	text(s.Scenario)
	word(uint64(s.Draw))
	text(target)
	word(uint64(part))
	sum := h.Sum(nil)
	var seed [4]uint64
	for i := range seed {
		seed[i] = binary.LittleEndian.Uint64(sum[8*i:])
	}
	return newXoshiro(seed)
}

// factors yields the lognormal factors of one target of one draw,
// exp(σ z - σ²/2), in the order the entries are visited: z from the
// package's ziggurat, the exp its own, so a draw's numbers are the same
// on every machine and Go release. With per-entry sigmas (nextAt,
// fillAt) each entry brings its own σ; the same σ gives the same factor
// to the bit as next and fill, so a scalar sigma and a matrix holding it
// everywhere draw alike.
type factors struct {
	src          *xoshiro
	sigma, shift float64
}

func newFactors(s Stream, target string, part int, sigma float64) *factors {
	return &factors{src: s.source(target, part), sigma: sigma, shift: sigma * sigma / 2}
}

// columnFactors returns the factors of A for each column of cols.
func columnFactors(s Stream, cols []int, sigma float64) []*factors {
	out := make([]*factors, len(cols))
	for k, j := range cols {
		out[k] = newFactors(s, "A", j, sigma)
	}
	return out
}

func (f *factors) next() float64 {
	return expo(float64(f.sigma*normal(f.src)) - f.shift)
}

// nextAt is next for an entry whose own σ is sigma.
func (f *factors) nextAt(sigma float64) float64 {
	return expo(float64(sigma*normal(f.src)) - float64(sigma*sigma/2))
}

// scale returns v times the next factor, or v itself, drawing nothing,
// when v is 0 or the entry's σ is 0. sigma is the row of per-entry sigmas
// the entry lies in, the entry at sigma[j]; nil takes f's own σ.
func (f *factors) scale(v float64, sigma []float64, j int) float64 {
	switch {
	case v == 0:
		return v
	case sigma == nil:
		return v * f.next()
	case sigma[j] > 0:
		return v * f.nextAt(sigma[j])
	}
	return v
}

// rowOf returns row i of m, or nil when m is nil (a σ for all entries).
func rowOf(m *mat.Dense, i int) []float64 {
	if m == nil {
		return nil
	}
	return m.RawRowView(i)
}

// fill sets dst to the next len(dst) factors, the numbers next would
// give: the normals first, then the exps, a loop whose steps do not
// wait on each other.
func (f *factors) fill(dst []float64) {
	for i := range dst {
		dst[i] = float64(f.sigma*normal(f.src)) - f.shift
	}
	for i, a := range dst {
		dst[i] = expo(a)
	}
}

// fillAt is fill with a σ per factor: dst[i] takes sigma[i].
func (f *factors) fillAt(dst, sigma []float64) {
	sigma = sigma[:len(dst)]
	for i, s := range sigma {
		dst[i] = float64(s*normal(f.src)) - float64(s*s/2)
	}
	for i, a := range dst {
		dst[i] = expo(a)
	}
}
