// Package bench measures mrioflow on synthetic tables of growing size: the
// time to read a table, to compute all of its accounts, and the peak
// memory, each against an optimized LU of the same order measured in the
// same process.
//
// # A tour
//
// Run takes a list of orders n (default 2450, 4900 and 9800: 49 regions of
// 50, 100 and 200 sectors). For each it writes a table in pymrio's txt
// layout with package synth, once, into a cache folder, then starts the
// running executable again as a child process that measures that one size
// and prints its Result as a line of JSON:
//
//	warm-up     a small factorization, so the library's first-call costs
//	            (threads, buffers) fall on neither side
//	reference   dgetrf through the system LAPACK directly on an n×n
//	            matrix, before the job and again after it; the mean counts
//	read        formats.Open("pymrio", dir, nil)
//	compute     accounts.Compute, split into coefficients, LU, solves and
//	            the remaining accounts (accounts.Timings)
//	peak        VmHWM of the child during the job (reset at its start
//	            where Linux allows it)
//
// and, when asked, the cost of one Monte Carlo draw of each kind
// (montecarlo.Kind) as a fraction of the job's factorization. The targets
// the project holds itself to, at n = 9800:
//
//	compute / reference <= 1.3     job / reference <= 2     peak <= 1.3 GB
//
// # Traps
//
//   - The child is the same executable: package bench's init sees the
//     environment variable MRIOFLOW_BENCH_CHILD, measures, prints and
//     exits before main runs. Any program that imports bench has this
//     hidden mode; a program that runs Run must not clear its environment
//     between exec and init.
//   - A fresh process per size is what makes the peak memory that size's
//     own; running the sizes in one process would report the largest.
//   - Without a system LAPACK there is no reference: the ratios stay 0
//     and the Result says why. Pure Go at n = 9800 takes many minutes.
//   - The cache holds tables of hundreds of megabytes (9800: about 300 MB).
//     A table counts as written only once its "complete" marker exists.
//   - Times are wall-clock on a machine that may be busy; compare ratios
//     measured in the same run rather than times from different runs.
package bench
