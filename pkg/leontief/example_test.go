package leontief_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/leontief"
)

// Miller and Blair's two-sector economy (chapter 2): the output that a
// final demand of 600 and 1500 calls for, and the multipliers of a labour
// coefficient, without forming L.
func ExampleFactorize() {
	a := mat.NewDense(2, 2, []float64{
		0.15, 0.25,
		0.20, 0.05,
	})
	lu, err := leontief.Factorize(a) // a now holds the factors of I - A
	if err != nil {
		fmt.Println(err)
		return
	}
	x := mat.NewDense(2, 1, []float64{600, 1500})
	lu.Solve(x) // (I - A) x = y
	fmt.Printf("x = %.1f, %.1f\n", x.At(0, 0), x.At(1, 0))

	m := mat.NewDense(2, 1, []float64{0.3, 0.25})
	lu.SolveTrans(m) // (I - A)ᵀ mᵀ = sᵀ, so m = s L
	fmt.Printf("labour multipliers = %.4f, %.4f\n", m.At(0, 0), m.At(1, 0))
	fmt.Printf("rcond = %.2f\n", lu.RCond())
	// Output:
	// x = 1247.5, 1841.6
	// labour multipliers = 0.4422, 0.3795
	// rcond = 0.55
}

func ExampleSingularError() {
	// Every column sums to one: a closed economy, I - A is singular.
	a := mat.NewDense(2, 2, []float64{0.5, 0.5, 0.5, 0.5})
	_, err := leontief.Factorize(a)
	fmt.Println(err)
	// Output:
	// leontief: I - A (order 2) is exactly singular: zero pivot in column 1, reciprocal condition estimate 0
}
