package montecarlo

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"
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
const domain = "mrioflow/montecarlo/v1"

// source returns the generator of the draw's numbers for one target (S, Y
// or A) and one part of it (a column of A; 0 for S and Y): ChaCha8, seeded
// from the hash of the stream, the target and the part. Each target has
// numbers of its own, so a draw gets the same numbers for S whether or not
// it also varies A; each column of A has its own, so A can be visited row
// by row, in the order of its storage.
func (s Stream) source(target string, part int) *rand.Rand {
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
	var seed [32]byte
	copy(seed[:], h.Sum(nil))
	return rand.New(rand.NewChaCha8(seed))
}

// factors yields the lognormal factors of one target of one draw,
// exp(σ z - σ²/2), in the order the entries are visited.
type factors struct {
	r            *rand.Rand
	sigma, shift float64
}

func newFactors(s Stream, target string, part int, sigma float64) *factors {
	return &factors{r: s.source(target, part), sigma: sigma, shift: sigma * sigma / 2}
}

// columnFactors returns the factors of A for each column of cols.
func columnFactors(s Stream, cols []int, sigma float64) []*factors {
	out := make([]*factors, len(cols))
	for k, j := range cols {
		out[k] = newFactors(s, "A", j, sigma)
	}
	return out
}

// TODO(mc-portable): math.Exp has assembly versions on some architectures
// and NormFloat64's algorithm is not promised to stay; an exp and a normal
// transform of this package's own would make draws the same on every
// machine and Go release, not only within one build.
func (f *factors) next() float64 {
	return math.Exp(f.sigma*f.r.NormFloat64() - f.shift)
}
