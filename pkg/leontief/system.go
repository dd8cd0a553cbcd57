package leontief

import (
	"fmt"

	"github.com/mrioflow/mrioflow/pkg/openblas"
)

// System is a Backend on a LAPACK library loaded at run time (OpenBLAS's
// libopenblas.so.0 where present), reached without cgo. The library is
// column-major: it factorizes the transpose of the row-major matrix it is
// handed, and Getrs answers with the transposed solve, so results agree
// with Native to rounding.
type System struct {
	lib *openblas.Lib
}

// LoadSystem opens the system LAPACK. It returns an error wrapping
// openblas.ErrUnavailable when none is installed.
func LoadSystem() (*System, error) {
	lib, err := openblas.Load()
	if err != nil {
		return nil, err
	}
	return &System{lib: lib}, nil
}

// Auto returns the System backend when a system LAPACK can be loaded and
// Native otherwise, with the reason the system library was not used.
func Auto() (Backend, error) {
	s, err := LoadSystem()
	if err != nil {
		return Native{}, err
	}
	return s, nil
}

// Name returns "lapack:" and the library's name and build.
func (s *System) Name() string { return "lapack:" + s.lib.String() }

// Getrf implements Backend. Pivots are kept in ipiv as the library's
// 1-based row numbers of the transposed matrix.
func (s *System) Getrf(n int, a []float64, lda int, ipiv []int) bool {
	p := make([]int32, n)
	ok := s.lib.Getrf(n, a, lda, p)
	for i, v := range p {
		ipiv[i] = int(v)
	}
	return ok
}

// Getrs implements Backend. The library wants each right-hand side
// contiguous; B (n x nrhs, row-major) is transposed into a scratch buffer
// and back, O(n nrhs) work beside the O(n^2 nrhs) solve.
func (s *System) Getrs(trans bool, n, nrhs int, a []float64, lda int, ipiv []int, b []float64, ldb int) {
	if n == 0 || nrhs == 0 {
		return
	}
	p := make([]int32, n)
	for i, v := range ipiv[:n] {
		p[i] = int32(v)
	}
	bt := make([]float64, nrhs*n)
	for i := 0; i < n; i++ {
		row := b[i*ldb : i*ldb+nrhs]
		for r, v := range row {
			bt[r*n+i] = v
		}
	}
	s.lib.Getrs(trans, n, nrhs, a, lda, p, bt, n)
	for i := 0; i < n; i++ {
		row := b[i*ldb : i*ldb+nrhs]
		for r := range row {
			row[r] = bt[r*n+i]
		}
	}
}

// Gecon implements Backend in the 1-norm.
func (s *System) Gecon(n int, a []float64, lda int, _ []int, anorm float64) float64 {
	return s.lib.RCond1(n, a, lda, anorm)
}

// ByName returns the backend a command line names: "auto" (or "") the
// system LAPACK when one loads and pure Go otherwise, "gonum" pure Go,
// "lapack" the system LAPACK, or an error when it cannot be loaded. Any
// other name is an error listing these.
func ByName(name string) (Backend, error) {
	switch name {
	case "auto", "":
		b, _ := Auto() // falls back to Native, which always works
		return b, nil
	case "gonum":
		return Native{}, nil
	case "lapack":
		b, err := LoadSystem()
		if err != nil {
			return nil, fmt.Errorf("leontief: backend lapack: %w", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("leontief: unknown backend %q (want auto, gonum or lapack)", name)
}
