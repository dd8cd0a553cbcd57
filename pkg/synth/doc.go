// Package synth writes synthetic MRIO tables of any size, with a fixed seed,
// in pymrio's saved txt layout, so that mrioflow and pymrio can read the very
// same files.
//
// The structure imitates real tables:
//
//	domestic blocks of A dense, import blocks sparse (Options.ImportDensity)
//	column sums of A in [0.15, 0.55], so the spectral radius of A is below 0.55
//	outputs x lognormal across sectors
//	final demand in several categories per region, most of it domestic,
//	  with signed changes in inventories
//	stressors proportional to output with lognormal intensities, and direct
//	  emissions of households in F_Y
//
// Every entry is a pure function of (seed, row, column), computed by a
// counter-based generator, so the table is written row by row in two passes
// with O(n) memory, whatever its size.
//
// # Traps
//
// pymrio computes x = Z 1 + Y 1 from the files, so the x used to scale Z is
// not the x a reader finds; the column sums of the A a reader derives are
// only bounded above by the targets, which is what keeps I - A regular.
package synth
