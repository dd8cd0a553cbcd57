package leontief

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// changeColumns returns the columns cols of a, and those columns scaled
// entry by entry by lognormal factors (sigma 0.3), as a Monte Carlo draw
// would change them.
func changeColumns(rng *rand.Rand, a *mat.Dense, cols []int) (before, after *mat.Dense) {
	n, _ := a.Dims()
	before = mat.NewDense(n, len(cols), nil)
	after = mat.NewDense(n, len(cols), nil)
	for k, j := range cols {
		for i := range n {
			v := a.At(i, j)
			before.Set(i, k, v)
			after.Set(i, k, v*math.Exp(0.3*rng.NormFloat64()-0.045))
		}
	}
	return before, after
}

// withColumns returns a copy of a whose columns cols are those of c.
func withColumns(a *mat.Dense, cols []int, c *mat.Dense) *mat.Dense {
	out := mat.DenseCopyOf(a)
	for k, j := range cols {
		out.SetCol(j, mat.Col(nil, k, c))
	}
	return out
}

func maxRelDiff(got, want *mat.Dense) float64 {
	var worst float64
	r, c := want.Dims()
	scale := mat.Norm(want, math.Inf(1)) // largest row sum bounds every entry
	for i := range r {
		for j := range c {
			worst = math.Max(worst, math.Abs(got.At(i, j)-want.At(i, j))/scale)
		}
	}
	return worst
}

// TestUpdateColumns checks the low-rank update against a refactorization of
// the changed matrix, for plain, transposed and corrected solves.
func TestUpdateColumns(t *testing.T) {
	backends := []Backend{Native{}}
	if s, err := LoadSystem(); err == nil {
		backends = append(backends, s)
	}
	cases := []struct {
		name string
		n    int
		cols []int
	}{
		{"none", 30, nil},
		{"one", 30, []int{7}},
		{"first and last", 40, []int{0, 39}},
		{"unsorted block", 60, []int{31, 12, 13, 14, 50, 2}},
		{"every column", 25, upTo(25)},
	}
	for _, be := range backends {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%s", be.Name(), tc.name), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(tc.n), uint64(len(tc.cols))))
				a := randomIO(rng, tc.n)
				before, after := mat.NewDense(tc.n, 1, nil), mat.NewDense(tc.n, 1, nil)
				if len(tc.cols) > 0 {
					before, after = changeColumns(rng, a, tc.cols)
				}
				changed := a
				if len(tc.cols) > 0 {
					changed = withColumns(a, tc.cols, after)
				}
				lu, err := Factorize(mat.DenseCopyOf(a), WithBackend(be))
				if err != nil {
					t.Fatal(err)
				}
				var up *Update
				if len(tc.cols) > 0 {
					up, err = lu.UpdateColumns(tc.cols, before, after)
				} else {
					up, err = lu.UpdateColumns(nil, before.Slice(0, tc.n, 0, 0).(*mat.Dense), after.Slice(0, tc.n, 0, 0).(*mat.Dense))
				}
				if err != nil {
					t.Fatal(err)
				}
				ref, err := Factorize(mat.DenseCopyOf(changed), WithBackend(be))
				if err != nil {
					t.Fatal(err)
				}
				b := randomRHS(rng, tc.n, 3)
				for _, op := range []string{"Solve", "SolveTrans", "Correct"} {
					got, want := mat.DenseCopyOf(b), mat.DenseCopyOf(b)
					switch op {
					case "Solve":
						up.Solve(got)
						ref.Solve(want)
					case "SolveTrans":
						up.SolveTrans(got)
						ref.SolveTrans(want)
					case "Correct":
						lu.Solve(got)
						up.Correct(got)
						ref.Solve(want)
					}
					if d := maxRelDiff(got, want); d > 1e-12 {
						t.Errorf("%s: differs from a refactorization by %g (relative to the largest entry)", op, d)
					}
				}
				if r := up.RCond(); r > 1.5*ref.RCond() || r < ref.RCond()/1000 {
					t.Errorf("RCond %g, a refactorization estimates %g", r, ref.RCond())
				}
			})
		}
	}
}

func upTo(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestUpdateColumnsErrors(t *testing.T) {
	// Base: A = 0.5 * ones(2, 2) / 2, regular. Column 1 of A' = (0.5, 0.75)
	// with column 0 = (0.25, 0.25) makes I - A' = [[0.75, -0.5], [-0.25, 0.25]],
	// regular; column 1 = (0.75, 0.75) with a column 0 of sum 1 is singular.
	a := mat.NewDense(2, 2, []float64{0.25, 0.25, 0.25, 0.25})
	lu, err := Factorize(mat.DenseCopyOf(a))
	if err != nil {
		t.Fatal(err)
	}
	before := mat.NewDense(2, 2, []float64{0.25, 0.25, 0.25, 0.25})
	singular := mat.NewDense(2, 2, []float64{0.5, 0.5, 0.5, 0.5})
	_, err = lu.UpdateColumns([]int{0, 1}, before, singular)
	var se *SingularError
	if !errors.As(err, &se) {
		t.Errorf("singular A': err = %v, want *SingularError", err)
	}
	nan := mat.NewDense(2, 1, []float64{0.1, math.NaN()})
	_, err = lu.UpdateColumns([]int{1}, mat.NewDense(2, 1, []float64{0.25, 0.25}), nan)
	var ne *NonFiniteError
	if !errors.As(err, &ne) || ne.Row != 1 || ne.Col != 1 {
		t.Errorf("NaN in A': err = %v, want *NonFiniteError at (1, 1)", err)
	}

	panics := []struct {
		name string
		cols []int
		rows int
	}{
		{"repeated column", []int{1, 1}, 2},
		{"column out of range", []int{2}, 2},
		{"wrong rows", []int{0}, 3},
	}
	for _, tc := range panics {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			m := mat.NewDense(tc.rows, len(tc.cols), nil)
			lu.UpdateColumns(tc.cols, m, m)
		})
	}
}
