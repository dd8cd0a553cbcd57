package leontief

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/openblas"
	"gonum.org/v1/gonum/mat"
)

// systemBackend returns the run-time loaded LAPACK, or skips the test when
// the machine has none and MRIOFLOW_REQUIRE_OPENBLAS is not 1.
func systemBackend(t testing.TB) *System {
	t.Helper()
	s, err := LoadSystem()
	if err != nil {
		if !errors.Is(err, openblas.ErrUnavailable) || os.Getenv("MRIOFLOW_REQUIRE_OPENBLAS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return s
}

// randomA is a coefficient matrix with column sums below 0.6.
func randomA(rng *rand.Rand, n int) *mat.Dense {
	a := mat.NewDense(n, n, nil)
	for j := 0; j < n; j++ {
		var sum float64
		col := make([]float64, n)
		for i := range col {
			col[i] = rng.Float64()
			sum += col[i]
		}
		target := 0.6 * rng.Float64()
		for i, v := range col {
			a.Set(i, j, v/sum*target)
		}
	}
	return a
}

// TestSystemAgreesWithNative checks that both backends give the same
// solutions, plain and transposed, to 1e-10 relative.
func TestSystemAgreesWithNative(t *testing.T) {
	sys := systemBackend(t)
	for _, n := range []int{1, 5, 60, 250} {
		rng := rand.New(rand.NewPCG(uint64(n), 11))
		a := randomA(rng, n)
		b := mat.NewDense(n, 4, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < 4; j++ {
				b.Set(i, j, rng.NormFloat64())
			}
		}
		for _, trans := range []bool{false, true} {
			var x [2]*mat.Dense
			var rc [2]float64
			for k, be := range []Backend{Native{}, sys} {
				lu, err := Factorize(mat.DenseCopyOf(a), WithBackend(be))
				if err != nil {
					t.Fatalf("n=%d %s: %v", n, be.Name(), err)
				}
				x[k] = mat.DenseCopyOf(b)
				if trans {
					lu.SolveTrans(x[k])
				} else {
					lu.Solve(x[k])
				}
				rc[k] = lu.RCond()
			}
			for i := 0; i < n; i++ {
				for j := 0; j < 4; j++ {
					g, w := x[1].At(i, j), x[0].At(i, j)
					if d := math.Abs(g - w); d > 1e-10*math.Max(1, math.Abs(w)) {
						t.Fatalf("n=%d trans=%v (%d,%d): system %v, gonum %v, diff %g", n, trans, i, j, g, w, d)
					}
				}
			}
			if rc[1] <= 0 || rc[0] <= 0 || math.Abs(math.Log(rc[1]/rc[0])) > math.Log(10) {
				t.Errorf("n=%d: rcond estimates %g (system) and %g (gonum) differ by more than 10x", n, rc[1], rc[0])
			}
		}
	}
}

func TestSystemSingular(t *testing.T) {
	sys := systemBackend(t)
	// I - A is singular when A has a column summing to one with equal rows.
	a := mat.NewDense(2, 2, []float64{0.5, 0.5, 0.5, 0.5})
	_, err := Factorize(a, WithBackend(sys))
	var se *SingularError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *SingularError", err)
	}
}

func TestByName(t *testing.T) {
	for _, tc := range []struct {
		name, want string // want: a prefix of the backend's name, or of the error
		fails      bool
	}{
		{"", "", false},
		{"auto", "", false},
		{"gonum", "gonum", false},
		{"cuda", `leontief: unknown backend "cuda" (want auto, gonum or lapack)`, true},
	} {
		b, err := ByName(tc.name)
		if tc.fails {
			if err == nil || err.Error() != tc.want {
				t.Errorf("ByName(%q) error %v, want %q", tc.name, err, tc.want)
			}
			continue
		}
		if err != nil || !strings.HasPrefix(b.Name(), tc.want) {
			t.Errorf("ByName(%q) = %v, %v", tc.name, b, err)
		}
	}
	if _, err := LoadSystem(); err == nil {
		if b, err := ByName("lapack"); err != nil || !strings.HasPrefix(b.Name(), "lapack:") {
			t.Errorf(`ByName("lapack") = %v, %v`, b, err)
		}
	}
}
