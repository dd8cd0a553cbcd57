// Package table holds one MRIO table in memory: its labels (regions,
// sectors, consumers, final-demand categories, stressors) and its matrices.
//
// # A tour
//
// A Table comes from a reader in package formats, in flow form (Z, F) or in
// coefficient form (A, S). Rows and columns of the n x n core are ordered
// region-major; final demand has one column per (consumer, category):
//
//	row or column of Z, A, S, F:   r*m + i   = sector Sectors[i] of region Regions[r]
//	column of Y, FY:               c*k + j   = category Categories[j] of Consumers[c]
//
// with m = len(Sectors), k = len(Categories) and n = R*m. SectorLabel and
// DemandLabel turn an index back into "region/sector" and
// "consumer/category".
//
// Validate checks a table before any solve: the labels (none empty, none
// twice), the shapes, that every number is finite, and that the table is
// not all zero. Its errors name the table's Source and the matrix, row and
// column at fault:
//
//	table: data/2019: Z["reg1/food", "reg2/mining"] is NaN
//
// A job names regions, sector patterns and stressors; RegionIndex,
// ConsumerIndex and MatchSectors look them up, and SelectStressors keeps
// only the stressors a job asks for. Each reports a name the table lacks.
//
// # Traps
//
//   - Consumers begin with Regions, in the same order; consumers after them
//     consume but do not produce (MATH.md 14). Look a consuming region up
//     with ConsumerIndex, a producing one with RegionIndex.
//   - Sector patterns follow path.Match: "*" does not cross a "/", and a
//     pattern must match at least one sector.
//   - SelectStressors changes the table in place and drops extensions left
//     without stressors; ValueAdded is a field of its own and stays.
//   - RegionValueAdded may hold NaN, meaning "not known"; everywhere else a
//     NaN or Inf is an error.
//   - Validate does not check signs: negative final demand (inventory
//     changes) is legitimate.
package table
