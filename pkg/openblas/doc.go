// Package openblas reaches a system LAPACK (OpenBLAS's libopenblas.so.0, or
// another library with the Fortran entry points) at run time, without cgo.
//
// The build stays pure Go: the library is opened with dlopen when Load is
// called, and a machine without it simply reports that it is absent, so the
// caller can fall back to gonum's pure-Go LAPACK.
//
// Only the routines the Leontief step and Monte Carlo draws need are bound:
//
//	dgetrf  LU factorization with partial pivoting, in place
//	dgetrs  solves with those factors, A X = B or A^T X = B
//	dgecon  reciprocal condition estimate from the factors
//	dlange  matrix norms
//	dgemm   matrix products (Gemm), where the library has it (HasGemm)
//
// # Traps
//
// LAPACK is column-major. A row-major n x n buffer handed to it is read as
// the transpose; the wrappers here take that into account by swapping the
// transpose flag of dgetrs and the norm of dgecon, and by handing Gemm's
// operands to dgemm swapped (c^T = b^T a^T), so callers think in row-major
// terms throughout.
//
// The library uses 32-bit Fortran integers (the LP64 interface of Debian's
// builds); sizes above 2^31-1 elements per dimension are rejected.
//
// Go memory handed to the library is only used for the length of the call,
// as purego requires.
//
// purego makes even a CGO_ENABLED=0 binary ask for the dynamic loader. A
// build with the nolapack tag leaves Open's dlopen (and purego) out: Open
// then always fails, callers run in pure Go, and the binary is static.
package openblas
