package openblas

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Candidates are the library names Load tries, in order, when the caller
// names none.
var Candidates = []string{
	"libopenblas.so.0",
	"libopenblas.so",
	"libopenblasp-r0.so",
	"liblapack.so.3",
	"libopenblas.dylib",
}

// ErrUnavailable is returned by Load when no candidate library could be opened
// or one lacks a routine.
var ErrUnavailable = errors.New("openblas: no system LAPACK library found")

// Lib is an opened LAPACK library. Its methods are safe for concurrent use;
// the library itself parallelises each call over its own threads.
type Lib struct {
	Path string // the name the library was opened by

	dgetrf func(m, n *int32, a *float64, lda *int32, ipiv *int32, info *int32)
	dgetrs func(trans *byte, n, nrhs *int32, a *float64, lda *int32, ipiv *int32, b *float64, ldb *int32, info *int32, transLen uintptr)
	dgecon func(norm *byte, n *int32, a *float64, lda *int32, anorm, rcond *float64, work *float64, iwork *int32, info *int32, normLen uintptr)
	dlange func(norm *byte, m, n *int32, a *float64, lda *int32, work *float64, normLen uintptr) float64
	// dgemm is nil when the library lacks it (see HasGemm).
	dgemm func(transa, transb *byte, m, n, k *int32, alpha, a *float64, lda *int32, b *float64, ldb *int32, beta, c *float64, ldc *int32, transaLen, transbLen uintptr)

	config string
}

var (
	loadOnce sync.Once
	loaded   *Lib
	loadErr  error
)

// Load opens the first library of Candidates that has every routine, once
// per process; later calls return the same result. It returns ErrUnavailable
// (wrapped, with the names tried) when none does.
func Load() (*Lib, error) {
	loadOnce.Do(func() {
		if nolapack {
			loadErr = fmt.Errorf("%w: this build leaves the system LAPACK out (the nolapack tag); use the pure-Go backend", ErrUnavailable)
			return
		}
		var tried []string
		for _, name := range Candidates {
			lib, err := Open(name)
			if err == nil {
				loaded = lib
				return
			}
			tried = append(tried, err.Error())
		}
		loadErr = fmt.Errorf("%w (tried: %v)", ErrUnavailable, tried)
	})
	return loaded, loadErr
}

// String names the library and, for OpenBLAS, its build configuration.
func (l *Lib) String() string {
	if l.config != "" {
		return l.Path + " (" + l.config + ")"
	}
	return l.Path
}

func dim(n int) int32 {
	if n < 0 || n > math.MaxInt32 {
		panic(fmt.Sprintf("openblas: dimension %d out of range", n))
	}
	return int32(n)
}

// Getrf factorizes the row-major n x n matrix a (stride lda) in place.
// Since LAPACK reads the buffer as its transpose, the factors are those of
// a^T = P L U; Getrs and Gecon account for that. ipiv must have length n and
// receives 1-based pivots. It reports false when a pivot is exactly zero.
func (l *Lib) Getrf(n int, a []float64, lda int, ipiv []int32) bool {
	if n == 0 {
		return true
	}
	if len(ipiv) < n || len(a) < (n-1)*lda+n {
		panic("openblas: short buffer")
	}
	m, nn, ld := dim(n), dim(n), dim(lda)
	var info int32
	l.dgetrf(&m, &nn, &a[0], &ld, &ipiv[0], &info)
	runtime.KeepAlive(a)
	runtime.KeepAlive(ipiv)
	if info < 0 {
		panic(fmt.Sprintf("openblas: dgetrf argument %d illegal", -info))
	}
	return info == 0
}

// Getrs solves with the factors of Getrf. With trans false it solves
// a X = B for the row-major a given to Getrf; with trans true a^T X = B.
// b holds nrhs right-hand sides as the ROWS of a row-major nrhs x n buffer
// (stride ldb), so each right-hand side is contiguous; X overwrites b.
func (l *Lib) Getrs(trans bool, n, nrhs int, a []float64, lda int, ipiv []int32, b []float64, ldb int) {
	if n == 0 || nrhs == 0 {
		return
	}
	if len(b) < (nrhs-1)*ldb+n {
		panic("openblas: short right-hand side")
	}
	// LAPACK holds a^T. Solving a X = B is a^T's transposed system.
	t := byte('T')
	if trans {
		t = 'N'
	}
	nn, nr, ld, ldB := dim(n), dim(nrhs), dim(lda), dim(ldb)
	var info int32
	l.dgetrs(&t, &nn, &nr, &a[0], &ld, &ipiv[0], &b[0], &ldB, &info, 1)
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	runtime.KeepAlive(ipiv)
	if info < 0 {
		panic(fmt.Sprintf("openblas: dgetrs argument %d illegal", -info))
	}
}

// Norm1 returns the 1-norm (largest column sum of absolute values) of the
// row-major n x n matrix a.
func (l *Lib) Norm1(n int, a []float64, lda int) float64 {
	if n == 0 {
		return 0
	}
	// The 1-norm of a is the infinity norm of the transpose LAPACK sees.
	norm := byte('I')
	nn, ld := dim(n), dim(lda)
	work := make([]float64, n)
	v := l.dlange(&norm, &nn, &nn, &a[0], &ld, &work[0], 1)
	runtime.KeepAlive(a)
	return v
}

// RCond1 estimates the reciprocal condition number in the 1-norm of the
// row-major matrix whose Getrf factors are in a, given its 1-norm anorm.
func (l *Lib) RCond1(n int, a []float64, lda int, anorm float64) float64 {
	if n == 0 {
		return 1
	}
	// 1-norm of a = infinity norm of the transpose held by LAPACK.
	norm := byte('I')
	nn, ld := dim(n), dim(lda)
	var rcond float64
	var info int32
	work := make([]float64, 4*n)
	iwork := make([]int32, n)
	l.dgecon(&norm, &nn, &a[0], &ld, &anorm, &rcond, &work[0], &iwork[0], &info, 1)
	runtime.KeepAlive(a)
	if info < 0 {
		panic(fmt.Sprintf("openblas: dgecon argument %d illegal", -info))
	}
	return rcond
}

// HasGemm reports whether the library has dgemm, which Gemm calls. A
// LAPACK library that does not bring its BLAS along may lack it; Open
// does not require it.
func (l *Lib) HasGemm() bool { return l.dgemm != nil }

// Gemm sets the row-major m x n matrix c (stride ldc) to the product of
// the row-major m x k matrix a (stride lda) and k x n matrix b (stride
// ldb). Since the library reads row-major buffers as their transposes, it
// computes c^T = b^T a^T: the operands are handed over swapped.
//
// Each entry of c is a sum over k in an order that depends on the shape
// (m, n, k) and the library's kernels, never on the other entries' values.
// Gemm panics when the library lacks dgemm (HasGemm) or a buffer is short.
func (l *Lib) Gemm(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if l.dgemm == nil {
		panic("openblas: " + l.Path + " has no dgemm")
	}
	if m == 0 || n == 0 {
		return
	}
	if len(c) < (m-1)*ldc+n || ldc < n {
		panic("openblas: short product buffer")
	}
	if k == 0 {
		for i := range m {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	if len(a) < (m-1)*lda+k || lda < k || len(b) < (k-1)*ldb+n || ldb < n {
		panic("openblas: short factor buffer")
	}
	tr := byte('N')
	mm, nn, kk := dim(m), dim(n), dim(k)
	ldA, ldB, ldC := dim(lda), dim(ldb), dim(ldc)
	alpha, beta := 1.0, 0.0
	l.dgemm(&tr, &tr, &nn, &mm, &kk, &alpha, &b[0], &ldB, &a[0], &ldA, &beta, &c[0], &ldC, 1, 1)
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	runtime.KeepAlive(c)
}
