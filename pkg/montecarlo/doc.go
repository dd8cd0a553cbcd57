// Package montecarlo computes the draws of a Monte Carlo scenario
// (scenario.MonteCarlo) on one table and summarizes them per account.
//
// # A tour
//
// A draw multiplies each selected non-zero entry of S, Y and A by its own
// lognormal factor of mean one,
//
//	f = exp(σ z - σ²/2),   z standard normal, σ per target or per entry,
//
// (scenario.Sigma: a number per target, or a matrix of σ the shape of
// the target's; an entry whose own σ is 0 stays fixed),
// and Perturb is the definition of it: the accounts of a draw are those of
// accounts.Compute on the table that Perturb leaves. An Engine computes the
// same numbers (to 1e-10 relative) while reusing what the draws share,
// which makes a draw's cost depend on what it varies (Kind):
//
//	OnlyS        x⁽ʳ⁾ = L y_r stay the base's; flows are sums over them:
//	             E'[s; p, r] = E[s; p, r] + sum over j in J ∩ p of ΔS[s, j] x⁽ʳ⁾_j
//	Resolve      Y varies: x⁽ʳ⁾ = L y_r' from the base factors, R' solves
//	LowRank      A varies in p columns: Sherman-Morrison-Woodbury on the
//	             base factors (leontief.Update), p solves
//	Refactorize  A varies in many columns: an LU per draw
//
// Every draw yields value added and final demand per consumer and, per
// stressor, the regional accounts (production, consumption, imports,
// exports, net exports, both intensities) and the region-to-region flows;
// Labels names them. Engine.Run computes a block of draws; Merge joins the
// blocks of a scenario; Summarize gives each value's mean, standard
// deviation, 5th, 50th and 95th percentiles and number of draws.
// Engine.Result turns one draw's values back into an accounts.Result,
// from which the regions and flows accounts of that draw are written.
//
// # Random numbers
//
// A draw's numbers depend only on (seed, year, scenario, draw): an
// xoshiro256++ generator per target (and per column of A) is seeded with a
// SHA-256 hash of them. Different seeds give unrelated streams (seed 2 draw k-1 is not
// seed 1 draw k), and a draw is the same to the bit whichever worker,
// block or run computes it. The normal numbers come from the package's own
// ziggurat and the factors exp(σz - σ²/2) from its own exp (expo.go,
// normal.go), built from IEEE arithmetic alone: the factors are the same
// on every machine and Go release, and cost 7 to 8 ns each where
// NormFloat64 and math.Exp cost 13 (BenchmarkFactor).
//
// # Traps
//
//   - New consumes its table, as accounts.Compute does: the base LU lives
//     in A's storage. A Refactorize Engine keeps A and adds an n×n matrix
//     per worker.
//   - A draw that varies A or Y drops the table's x, as a shock does: value
//     added then follows x~ of the draw, and its residual is 0.
//   - Zero entries never vary and draw no number, so the numbers a draw
//     uses depend on the table's pattern of zeros; so do entries whose
//     own σ is 0. Otherwise a σ per entry takes the numbers in the same
//     order as one σ for all, so a matrix holding one σ everywhere draws
//     what that σ draws, to the bit (TestSigmaTableIsScalar).
//   - With a σ per entry of A, the columns whose σ are all 0 do not
//     count towards MaxLowRank: one varied entry is a rank-one update.
//   - "The same to the bit" holds for the factors everywhere, for the
//     draws on one architecture and one backend: the solves and products
//     after the factors round differently by backend, and a system LAPACK
//     picks kernels by CPU. Workers of one job should share both. A change
//     of the generator, the ziggurat or the exp changes every draw and
//     must come with a new domain string (stream.go; TestFactorsPinned).
//   - OnlyS draws on a system library with dgemm are computed in fixed
//     batches of draw numbers (one product per region for the whole
//     batch); on Native one at a time. The two agree to rounding, not to
//     the bit: a job's workers should share the backend.
//   - OnlyS draws do not compute multipliers or footprints (those need a
//     solve per draw); they are not among a draw's values.
//   - Summaries need every draw: percentiles do not merge. A scenario
//     split into blocks must Merge all blocks before Summarize; Merge
//     refuses gaps and overlaps.
package montecarlo
