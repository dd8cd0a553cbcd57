// Package accounts computes the carbon accounts of MATH.md from one MRIO
// table: multipliers, production and consumption, flows between regions,
// footprints, intensities, and flows between groups of regions.
//
// # A tour
//
// Compute does everything for one table. A table in flow form (Z, F) is
// first turned into coefficient form (A, S) by Coefficients, in place. Then
// I - A is factorized once, by package leontief, and solved for all
// consumers and all stressors at once:
//
//	y_r   = sum over r's categories of Y[:, (r, c)]           final demand of r
//	x⁽ʳ⁾  = L y_r          (I - A) x⁽ʳ⁾ = y_r                   output r calls for
//	x~    = sum_r x⁽ʳ⁾                                         output all demand calls for
//	M     = S L            (I - A)ᵀ Mᵀ = Sᵀ                    multipliers
//	E[s; p, r]       = sum over i in p of S[s, i] x⁽ʳ⁾_i          flows
//	D_cba[s; (r, j)] = sum over p of M[s, (p, j)] y_r[(p, j)]    footprints
//
// and the regional totals follow by sums, with F_Y the direct stressors of
// final users:
//
//	production_r  = sum over i in r of S[s, i] x~_i + F_Y part of r
//	consumption_r = sum_p E[s; p, r]                + F_Y part of r
//	imports_r     = sum over p ≠ r of E[s; p, r]
//	exports_r     = sum over q ≠ r of E[s; r, q]
//
// L is never formed whole. The cost is one LU (2/3 n³ flops) and R' + k
// pairs of triangular solves for R' consumers and k stressors in all.
//
// A user who wants L itself (pymrio's calc_all gives it) sets
// Options.Leontief: Result.Inverse then keeps the factors and hands L out
// a chunk of columns at a time, each chunk one solve against columns of
// the identity,
//
//	(I - A) L[:, c0:c1] = I[:, c0:c1]    chunks of 64 columns from column 0
//
// so that a writer holds one n × 64 chunk, never n² numbers. The passes over
// the n×n matrix besides the LU (checks, sums, the division by x) run on
// blocks of rows in parallel; no second n×n matrix is ever allocated, and
// Options.Timings tells how long each step took.
//
// ComputeGroups then sums the regional flows into flows between groups of
// regions, with the share of each group's emissions that each group's
// demand drives.
//
// # Nulls
//
// A null is NaN in a Result, and the output writers turn it into a null:
// value added, production, exports, net exports and both intensities of a
// consumer that does not produce (a final-demand column outside the core),
// and an intensity over a zero denominator.
//
// # Traps
//
//   - SolvePart and Assemble split Compute between machines: each part
//     solves for a block of consumers (and one for the multipliers), and
//     Assemble sums x~ over the parts' columns in consumer order, as
//     Compute does, so the Result is Compute's to the bit. That rests on
//     each consumer's column going through the same operations in both.
//     The native backend treats a column alike whatever columns it is
//     solved with. OpenBLAS does not (dtrsv for one column, and dtrsm
//     kernels whose sums depend on a column's place in the call and in its
//     thread's share), so with a library backend both solve consumers in
//     the same fixed chunks of 16; the bits may then still depend on the
//     library's build and thread count (OPENBLAS_NUM_THREADS), which must
//     be the same on the machines that solve the parts and the unsplit
//     task.
//   - L is large: n² numbers (96 million at n = 9800) and 2 n³ flops,
//     three times the LU, on top of the accounts. It is solved only when
//     asked for, and Inverse.Each solves it again on every call: read it
//     once. An Inverse from Compute holds the n×n factors for as long as
//     the Result lives.
//   - SolvePart with Options.Leontief solves its consumers' columns of L
//     (InverseRange: the sectors of its producing regions) into
//     Part.Inverse, in the same chunks of 64 aligned to column 0 as
//     Compute, a chunk that straddles the block's edge solved whole, so
//     its columns have Compute's bits with either backend. Part's binary
//     form leaves them out: an InverseBlock travels on its own, and
//     Assemble leaves Result.Inverse to its caller (InverseOfBlocks), who
//     can read the blocks one at a time.
//   - Compute and Coefficients change the table: flow form becomes
//     coefficient form in the same storage (t.Z becomes t.A, every F becomes
//     S), and Compute factorizes in A's storage and sets t.A to nil. Set
//     Options.KeepA, or copy the table, to keep A.
//   - Stressors of a sector whose output is zero drop out of every account
//     (MATH.md 2). They are not lost silently: Result.ZeroOutput lists them.
//   - Production is demand-driven, S x~, not the table's F. The two agree
//     when x = L y; Result.Residual says how far the table is from that.
//   - A Result shares the table's S (Extension.Direct) and label slices.
//   - The world total of production equals that of consumption only when
//     consumers that do not produce have no direct emissions of their own:
//     their F_Y counts in their consumption, and they have no production.
//   - Groups come from the regional flows, never from an aggregated table:
//     aggregating before the Leontief step changes the answer.
package accounts
