package leontief

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// exactRCond returns 1 / (‖M‖₁ ‖M⁻¹‖₁) for M = I - a from an explicit
// inverse.
func exactRCond(t *testing.T, a *mat.Dense) float64 {
	t.Helper()
	m := identityMinusCopy(a)
	var mi mat.Dense
	if err := mi.Inverse(m); err != nil {
		t.Fatalf("mat.Inverse: %v", err)
	}
	return 1 / (mat.Norm(m, 1) * mat.Norm(&mi, 1))
}

// TestRCondMMatrix checks the condition number of input-output systems
// (A nonnegative off the diagonal): exact, from one transposed solve and
// no estimator, and the estimator's bound for any other A.
func TestRCondMMatrix(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	io := randomIO(rng, 60)
	negDiag := mat.DenseCopyOf(io)
	negDiag.Set(3, 3, -0.2)
	negOff := mat.DenseCopyOf(io)
	negOff.Set(3, 4, -0.01)
	for _, tc := range []struct {
		name   string
		a      *mat.Dense
		exact  bool // the exact path, with no call to Gecon
		getrs  int
		geconN int
	}{
		{"input-output", io, true, 1, 0},
		{"negative diagonal entry", negDiag, true, 1, 0},
		{"negative off-diagonal entry", negOff, false, 0, 1},
		{"general", randomGeneral(rng, 40), false, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exact := exactRCond(t, tc.a)
			be := &colMajor{calls: map[string]int{}}
			for _, opt := range []Option{WithBackend(be), WithBackend(Native{})} {
				lu, err := Factorize(mat.DenseCopyOf(tc.a), opt)
				if err != nil {
					t.Fatal(err)
				}
				got := lu.RCond()
				if tc.exact && math.Abs(got-exact) > 1e-10*exact {
					t.Errorf("%s: RCond = %.17g, exact %.17g", lu.Backend(), got, exact)
				}
				if !tc.exact && (got < exact*(1-1e-9) || got > 10*exact) {
					t.Errorf("%s: RCond = %.4g, exact %.4g", lu.Backend(), got, exact)
				}
			}
			if be.calls["getrs"] != tc.getrs || be.calls["gecon"] != tc.geconN {
				t.Errorf("backend calls %v, want getrs %d, gecon %d", be.calls, tc.getrs, tc.geconN)
			}
		})
	}
}

// TestSingularMMatrix refuses input-output systems whose column sums
// approach one: the exact condition number falls below MinRCond. With
// A = c J / n (J all ones, c = 1 - gap), M⁻¹ = I + c / (n gap) J, so
// ‖M⁻¹‖₁ = 1 + c / gap and ‖M‖₁ = 1 + (n - 2) c / n.
func TestSingularMMatrix(t *testing.T) {
	for _, gap := range []float64{1e-10, 1e-15} {
		t.Run(fmt.Sprintf("gap=%g", gap), func(t *testing.T) {
			n := 4
			a := mat.NewDense(n, n, nil)
			for i := range n {
				for j := range n {
					a.Set(i, j, (1-gap)/float64(n))
				}
			}
			lu, err := Factorize(a)
			c := 1 - gap
			want := 1 / ((1 + float64(n-2)*c/float64(n)) * (1 + c/gap))
			var se *SingularError
			switch {
			case gap == 1e-10 && err != nil:
				t.Fatalf("rcond about 1e-10 refused: %v", err)
			case gap == 1e-10 && math.Abs(lu.RCond()/want-1) > 1e-5:
				t.Errorf("RCond = %g, want %g", lu.RCond(), want)
			case gap == 1e-15 && !errors.As(err, &se):
				t.Errorf("err = %v, want *SingularError", err)
			}
		})
	}
}
