// Package output turns the accounts of one table into files: one file per
// account, as Arrow IPC files (the default) or Parquet, both compressed with
// zstd. It also reads those files back, for tests and reports.
//
// # The accounts
//
// Accounts lists seven tables; Schema gives each one's columns and
// schemas/<account>.arrow.json describes them for people and other tools.
// Every table but leontief starts with extension, stressor and unit, then
// the labels of one row, then the numbers:
//
//	regions          region                              production ... consumption_intensity
//	flows            from_region, to_region              value   E[s; p, r]
//	footprints       region, sector                      value   D_cba[s; (r, j)]
//	multipliers      region, sector                      direct  S, total  M = S L
//	flows_by_sector  from_region, from_sector, to_region value   E[s; (p, i), r]
//	groups           from_group, to_group                value, share
//
// The Leontief inverse itself belongs to no stressor; its rows are the
// entries of L, column by column:
//
//	leontief  from_region, from_sector, to_region, to_sector  value  L[(p, i), (q, j)]
//
// the output of sector i of region p that one unit of final demand for
// product j of region q calls for (pymrio's L, read as L.loc[(p, i), (q, j)]).
//
// A seventh account, Summary, holds a Monte Carlo scenario's statistics
// over its draws, one row per value a draw yields (montecarlo.Label):
//
//	summary  account, extension, stressor, unit, region, to_region,
//	         draws, mean, sd, p05, p50, p95
//
// account names a column of regions (production, ..., value_added) or
// flows; value_added and final_demand rows have no extension, stressor or
// unit, and only flows rows have a to_region (region is then the producing
// one). It is not among Accounts: it comes from []montecarlo.Row through
// EncodeSummary or Writer.WriteSummary, not from a Result, and a job spec
// does not list it.
//
// Rows come in the order of the labels in the accounts.Result: extension,
// stressor, then region-major; leontief's column by column of L (to_region,
// to_sector), then region-major down the column. Strings are plain utf8 and numbers float64,
// nothing dictionary-encoded, so any Arrow or Parquet reader takes them as
// they are.
//
// # Writing
//
// Encode returns one account of a Result as the bytes of a whole file, ready
// for a store; EncodeTo writes the same bytes to an io.Writer, such as a
// store's streamed put, without holding the file. A Writer does the same
// and can append the rows of several Results to one file. Key names the file within an output
// location, Hive-style (year=2019/scenario=base/regions.arrow), so the files
// of a job read as one partitioned dataset. DrawKey adds a draw partition
// for the files of one Monte Carlo draw
// (year=2019/scenario=mc/draw=7/regions.arrow); ParseDrawKey reads both.
//
// Every file carries schema metadata: MetaAccount names its account and
// MetaSchemaVersion the SchemaVersion; WithMetadata adds more, such as the
// job or the year. Each field's metadata holds its description.
//
// # Reading
//
// ReadTable reads a whole file and checks with CheckSchema that it is an
// output account of this SchemaVersion.
//
// # Traps
//
//   - A null is the Result's NaN (MATH.md 12, 14): the production of a
//     region that only consumes, an intensity over a zero denominator. An
//     infinite value is a bug upstream, never a null: writing one fails and
//     names its row and column.
//   - The regions account has one row per consuming region (R' rows per
//     stressor), flows has R x R': producing regions only on the from side.
//   - flows_by_sector needs Result sector flows, which the accounts compute
//     only on request; groups needs the Groups of every extension. Without
//     them Encode fails rather than write an empty file.
//   - A Writer that has failed keeps its first error; the bytes it wrote
//     are not a file. Encode returns no data on error.
//   - leontief has n² rows: 96 million at n = 9800, about 2.3 GB as
//     Arrow and 0.8 GB as Parquet (24 and 8 bytes a row on synthetic
//     tables). Its rows come from Result.Inverse one chunk of L's columns
//     at a time and leave in record batches, so a Writer holds one chunk
//     and one batch, never all of L or its labels, and so does EncodeTo;
//     but Encode returns the whole file in memory, gathered in pieces of
//     1 MB and joined once, so it peaks near twice the file. Without
//     Result.Inverse
//     (accounts.Options.Leontief) writing it fails.
//   - Parquet buffers a whole row group (up to a million rows) in memory
//     before writing it; the Arrow format writes each batch as it fills.
//   - Files hold float64 exactly: a value read back is bit-for-bit the value
//     written.
//   - In the summary an empty string becomes null in the nullable text
//     columns; draws is int64, the only column that is neither text nor
//     float64. Its unit comes from the map given, keyed by extension and
//     stressor, since a montecarlo.Row carries none.
package output
