// Package leontief factorizes I - A and solves with the factors, the
// Leontief step of MATH.md 3, without ever forming the inverse.
//
// # A tour
//
// Factorize takes the n×n technical coefficients A and turns their storage,
// in place, into the LU factors of I - A with partial pivoting:
//
//	P (I - A) = L U,   cost 2/3 n³ flops, no second n×n matrix
//
// The returned LU then answers two kinds of question over many right-hand
// sides at once, each a pair of triangular solves (2 n² flops a column):
//
//	Solve:       (I - A)  X = B    output for final demand, x = L y
//	SolveTrans:  (I - A)ᵀ X = B    multipliers, M = S L, from Mᵀ with B = Sᵀ
//
// Before it accepts the factors, Factorize finds the reciprocal condition
// number in the 1-norm,
//
//	rcond = 1 / (‖I - A‖₁ ‖(I - A)⁻¹‖₁)
//
// from the norm of I - A, taken while I - A is formed, and the factors. For
// an input-output system, A nonnegative off its diagonal, one transposed
// solve gives it exactly: v = (I - A)⁻ᵀ 1 with every v_j > 0 proves I - A a
// nonsingular M-matrix, whose inverse is nonnegative, so ‖(I - A)⁻¹‖₁ =
// max_j v_j. Any other A gets the backend's estimate (Gecon), which reads
// the factors about five times as often. A system with rcond below
// MinRCond (1e-12), or with an exactly zero pivot, is refused with a
// *SingularError carrying the value. There is no fallback to a
// pseudo-inverse.
//
// # Changes of a few columns
//
// UpdateColumns answers for I - A', where A' differs from A in p columns J,
// without a second factorization, by the Sherman-Morrison-Woodbury identity:
//
//	U = A'[:, J] - A[:, J],  W = (I - A)⁻¹ U,  C = I_p - W[J, :]
//	(I - A')⁻¹ b = z + W C⁻¹ z[J],   z = (I - A)⁻¹ b
//
// Building it costs p pairs of triangular solves and a p×p LU, against
// 2/3 n³ for a refactorization: for 1 % of the columns, a few percent of
// it. Update.Correct turns solutions already made with the base factors
// into those of A' at O(n p) per right-hand side.
//
// # Layout and backends
//
// Matrices are row-major, as in gonum: element (i, j) of a buffer with
// stride lda is at i*lda + j. A Backend runs the three kernels (Getrf,
// Getrs, Gecon) on such buffers. Native, the default, is pure Go through
// gonum's lapack64. Another backend, such as a system LAPACK loaded at run
// time, plugs in with WithBackend; it may keep the factors in its own
// layout, because only it reads them back.
//
// # Traps
//
//   - Factorize consumes its argument. After it returns, the matrix holds
//     factors, not A, and must be neither read as A nor written while the LU
//     is in use. Copy A first if you still need it.
//   - The column sums of A (needed for value added, MATH.md 12) must be taken
//     before Factorize, for the same reason.
//   - Solve and SolveTrans overwrite their argument.
//   - There is no Inverse. L = (I - A)⁻¹ is dense where A is sparse and costs
//     n² memory and 2 n³ more flops; every account in MATH.md is a solve.
//   - Gecon's estimate is an estimate: usually within a factor of 3 of the
//     true value, rarely worse. An Update's RCond is a bound built from the
//     base's value without further solves: pessimistic, never optimistic.
//   - The passes over the n×n matrix (forming I - A, its column norms) run
//     on blocks of rows in parallel, cut the same way on any number of
//     cores, so the norms, and everything after, are the same to the bit.
package leontief
