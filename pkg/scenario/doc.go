// Package scenario changes a table before its accounts are computed: the
// shocks of a job's scenario, applied in order to a copy of the table.
//
// # A tour
//
// A Shock multiplies one block of a table in coefficient form by a factor:
//
//	S   S[:, j] *= scale   for the producing sectors j selected, every extension
//	A   A[:, j] *= scale   the inputs per unit of output of those sectors
//	Y   Y[i, c] *= scale   the final-demand columns c of the consumer selected,
//	                       rows i limited to products from from_region/from_sector
//
// A region left empty selects every region; a sector is a shell pattern
// (path.Match) on the sector code, and left empty selects every sector.
// Shocks compound: two shocks of 0.9 on one cell leave 0.81 of it.
//
// Apply checks every shock before it changes anything, so a bad scenario
// leaves the table as it was.
//
// A MonteCarlo scenario is the random counterpart: every draw multiplies
// each selected non-zero entry of S, Y and A by its own lognormal factor of
// mean one, exp(σ z - σ²/2) with z standard normal and σ per target, or
// per entry (Sigma's PerS, PerY, PerA; an entry whose σ is 0 stays). Its
// Sectors method checks it against a table and returns the producing
// sectors that vary; package montecarlo computes the draws.
//
// # Traps
//
//   - Apply changes the table it is given. Apply it to a copy when the
//     table serves several scenarios.
//   - A shock on A or Y unbalances the table's output x, so Apply drops
//     t.X; the accounts then use x~ = L y, and their residual is 0. Value
//     added stays the table's own account when it carries one, so the
//     production intensity of such a scenario divides by base-year value
//     added.
//   - A Y shock leaves F_Y, the direct emissions of final users, alone.
//   - A shock on A can push a column sum of A to 1 or beyond; the
//     factorization then refuses I - A as singular.
//   - Shocks work on coefficients. A table in flow form must go through
//     accounts.Coefficients first.
//   - A MonteCarlo's region and sector select producing sectors for all
//     three targets: columns of S and A, rows of Y (every consumer's demand
//     for those products). A Shock's region on Y, by contrast, names the
//     consumer.
package scenario
