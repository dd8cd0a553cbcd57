// Package acceptance holds the end-to-end tests of mrioflow: they build the
// coordinator binary once, run it on job files as a user would, and check
// its exit status, its messages and every file it writes. The package has
// no code of its own besides this documentation; everything is in its
// tests.
//
// # A guided tour
//
//   - main_test.go builds ./coordinator into a temporary folder, once, and
//     runs the two example jobs (GA 2019 and pymrio's test MRIO) once each,
//     in Arrow and in Parquet, for the tests that only read their outputs.
//   - ga_test.go checks the GA 2019 multipliers against the model's own M
//     and B, and the cleaner-power scenario against the baseline.
//   - pymrio_test.go checks the pymrio test MRIO against an oracle computed
//     here from the saved files by a different method (an explicit inverse),
//     and small tables against pymrio's published answers.
//   - identities_test.go asserts the identities of MATH.md 11 on every
//     output file of both example jobs.
//   - badinput_test.go runs the binary on broken inputs and specs: each must
//     fail with a message that names the fault, and write nothing.
//   - files_test.go reads every output file with arrow-go under a checked
//     allocator, checks schemas and zstd compression, and compares the
//     Parquet output with the Arrow one.
//   - duckdb_test.go opens the Parquet outputs with DuckDB (through Node)
//     as a user would.
//
// # The oracle
//
// The oracle follows pymrio's calc_all with an explicit Leontief inverse
// (gonum's mat.Inverse), where the program factorizes I - A and solves. A
// table in flow form becomes coefficients as pymrio does it; the GA model
// is in coefficient form already.
//
//	x       = Z 1 + Y 1,  A = Z diag(x)^-1,  S = F diag(x)^-1
//	L       = (I - A)^-1,  M = S L
//	X       = L Ydiag       column (r, j) of Ydiag holds y_r's entries for
//	                        product j of every origin region
//	D_cba   = S X           footprint of r's demand for product j
//	D_imp   = S X'          X' is X with region r's own rows zeroed in r's columns
//	D_pba   = S diag(X 1)   X 1 = L sum_r y_r
//	D_exp   = S diag(X'' 1) X'' keeps of each row only other regions' columns
//	E[p, r] = sum over i in p of S_i (X's columns of r) 1
//
// The _reg accounts sum over a region's sectors; D_cba_reg and D_pba_reg
// add F_Y summed over the region's categories, D_imp_reg and D_exp_reg do
// not. Scenarios' shocks are applied to S, A and the y_r before solving.
//
// Two values agree when |a - b| <= rtol max(|a|, |b|) + atol, with atol
// 1e-12 of the largest value of that account and stressor (MATH.md).
//
// # Traps
//
//   - The tests read ../shared/data beside the repository; without it they
//     are skipped.
//   - The binary is built from the working tree by the first test that runs
//     it; a tree that does not build fails every test.
//     MRIOFLOW_COORDINATOR=PATH tests a binary built elsewhere instead.
//   - go test caches results by the files a test opens or stats. The binary
//     is built in another process, so the tests stat every Go source of the
//     module: a change anywhere runs them again.
//   - A bad input must leave nothing behind: no output folder (or an empty
//     one) and no manifest, whatever stage finds the fault.
//   - The DuckDB test installs @duckdb/node-api with npm into a temporary
//     folder; without npm or a network it is skipped, unless
//     MRIOFLOW_REQUIRE_DUCKDB=1. DuckDB reads Arrow IPC files only through
//     its "arrow" community extension, which the test does not install.
//   - Comparisons with the oracle and with published answers are by label,
//     never by row position, so a change in row order neither hides nor
//     fakes a difference. The Parquet and Arrow files of one account are
//     compared row by row: they must hold the same rows in the same order.
package acceptance
