package leontief

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// Backend runs the three dense kernels a factorization needs. Every matrix
// crosses the interface as a row-major slice with a row stride (leading
// dimension): element (i, j) of a is a[i*lda+j], element (i, j) of b is
// b[i*ldb+j]. That is gonum's layout, so a backend built on gonum needs no
// copies.
//
// The factors a Backend writes into a are private to it: an LU hands them
// back only to the Backend that wrote them. A column-major library may
// therefore factorize the transpose (the same bytes read column-major) and
// answer a plain solve with a transposed one.
//
// A Backend must be safe for concurrent use: an LU may serve several
// solves at once.
type Backend interface {
	// Name identifies the backend in logs and benchmark output.
	Name() string

	// Getrf factorizes the n×n matrix in a (stride lda) in place, with
	// partial pivoting, and records the row interchanges in ipiv (length
	// n). It reports false when it met an exactly zero pivot; the contents
	// of a are then unusable for solving.
	Getrf(n int, a []float64, lda int, ipiv []int) (ok bool)

	// Getrs solves M X = B, or Mᵀ X = B when trans is true, where M is the
	// matrix that Getrf factorized into a and ipiv. B is n×nrhs with stride
	// ldb and is overwritten by X.
	Getrs(trans bool, n, nrhs int, a []float64, lda int, ipiv []int, b []float64, ldb int)

	// Gecon estimates the reciprocal condition number of M in the 1-norm
	// from the factors that Getrf left in a and ipiv; anorm is the 1-norm
	// (largest absolute column sum) of M before it was factorized.
	Gecon(n int, a []float64, lda int, ipiv []int, anorm float64) (rcond float64)
}

// Native is the pure Go backend, the default. It calls gonum's lapack64
// package, which runs gonum's own LAPACK unless a program has swapped the
// implementation with lapack64.Use. It keeps no state.
type Native struct{}

// Name returns "gonum".
func (Native) Name() string { return "gonum" }

// Getrf implements Backend with lapack64.Getrf.
func (Native) Getrf(n int, a []float64, lda int, ipiv []int) bool {
	return lapack64.Getrf(general(n, n, a, lda), ipiv)
}

// Getrs implements Backend with lapack64.Getrs.
func (Native) Getrs(trans bool, n, nrhs int, a []float64, lda int, ipiv []int, b []float64, ldb int) {
	t := blas.NoTrans
	if trans {
		t = blas.Trans
	}
	lapack64.Getrs(t, general(n, n, a, lda), general(n, nrhs, b, ldb), ipiv)
}

// Gecon implements Backend with lapack64.Gecon in the 1-norm.
func (Native) Gecon(n int, a []float64, lda int, _ []int, anorm float64) float64 {
	work := make([]float64, 4*n)
	iwork := make([]int, n)
	return lapack64.Gecon(lapack.MaxColumnSum, general(n, n, a, lda), anorm, work, iwork)
}

func general(rows, cols int, data []float64, stride int) blas64.General {
	return blas64.General{Rows: rows, Cols: cols, Data: data, Stride: stride}
}
