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

// Miller and Blair's economy after sector 2 starts to buy more from sector
// 1: the new output, through the old factors and a rank-one update.
func ExampleLU_UpdateColumns() {
	a := mat.NewDense(2, 2, []float64{
		0.15, 0.25,
		0.20, 0.05,
	})
	lu, err := leontief.Factorize(mat.DenseCopyOf(a))
	if err != nil {
		fmt.Println(err)
		return
	}
	before := mat.NewDense(2, 1, []float64{0.25, 0.05}) // column 1 of A
	after := mat.NewDense(2, 1, []float64{0.30, 0.05})
	up, err := lu.UpdateColumns([]int{1}, before, after)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := mat.NewDense(2, 1, []float64{600, 1500})
	up.Solve(x)
	fmt.Printf("x = %.1f, %.1f\n", x.At(0, 0), x.At(1, 0))

	a.Set(0, 1, 0.30) // the same from a new factorization
	ref, _ := leontief.Factorize(a)
	y := mat.NewDense(2, 1, []float64{600, 1500})
	ref.Solve(y)
	fmt.Printf("x = %.1f, %.1f\n", y.At(0, 0), y.At(1, 0))
	// Output:
	// x = 1364.5, 1866.2
	// x = 1364.5, 1866.2
}
