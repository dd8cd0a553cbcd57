// Package spec reads the job spec: the YAML file that says which tables to
// read, which accounts to compute, how to group regions and which scenarios
// to run. Its JSON Schema is schemas/job.schema.json.
//
// # A tour
//
// Load (or Parse, for bytes at hand) decodes the YAML, sets the defaults
// and validates the result:
//
//	job, err := spec.Load("examples/ga-2019.yaml")
//	for _, t := range job.Tables {
//		path := job.TablePath(t) // relative paths resolve against the job file's folder
//		...
//	}
//
// The defaults, written in SetDefaults: output_format arrow; accounts
// regions, flows, footprints and multipliers, plus groups when the job has
// groups; one scenario, baseline, without shocks.
//
// Errors point at the line: "spec: ga.yaml line 12: scenarios[1].name:
// scenario name "baseline" is given twice (also scenarios[0].name)". Parse
// reports every problem it finds at once, joined; each is an *Error.
//
// # What is checked here, and what is not
//
// The spec alone: keys (an unknown key is an error, at every level), kinds
// of values, names that become output path segments (job, year, scenario:
// letters, digits, '.', '_', '-'), unique years and scenario names, known
// formats, accounts and shock targets, each region in at most one group,
// the reserved group name "other", finite scales >= 0, well-formed sector
// patterns, and for a Monte Carlo scenario: 1 to MaxDraws draws, a seed
// from 0 to 2^64 - 1, sigma keys S, Y and A only, each a number from 0 to
// MaxSigma or {table: PATH} with a path, and at least one above 0 or a
// table.
//
// A sigma table is a file of one sigma per entry of its target, in
// pymrio's txt layout of that matrix; SigmaPath resolves its path as
// TablePath does a table's:
//
//	sigma: {S: {table: uncertainty/S.txt}, Y: 0.05}
//
// Whether the regions, sector patterns and stressors the spec names exist
// depends on each table, and so does whether a sigma table's labels are
// the table's; package spec imports no table. The caller checks
// them against each table it reads, with table.RegionIndex,
// table.MatchSectors and table.SelectStressors.
//
// # Traps
//
//   - A YAML year such as 2019 is a number; Table.Year holds it as written,
//     "2019". "2019.0" stays "2019.0".
//   - Groups keep the order written; a YAML mapping has no order in most
//     libraries, so do not round-trip Groups through map types.
//   - An empty list (accounts: []) is an error rather than "the default":
//     leave the key out instead.
//   - flows_by_sector (n R' values per stressor) and leontief (the
//     Leontief inverse, n² values: 96 million at n = 9800) are never in
//     the defaults; a job lists them to get them.
//   - Format names are known to this package through a list of its own
//     (Formats, RegisterFormat), since it does not import package formats.
//     A test in package formats keeps the two equal.
//   - Sector patterns follow path.Match: "*" does not cross a "/".
//   - A shock's region is optional: left out, the shock applies to every
//     region. Target Y takes from_region and from_sector, not sector.
//   - A scenario with montecarlo applies its shocks first and draws around
//     the shocked table. Its sector pattern selects producing sectors for
//     every target: S and A vary in their columns, Y in their rows (the
//     demand for their products), unlike a shock's target Y.
//   - A sigma table's contents are not read here: a table of zeros
//     passes the spec and fails when it is read against a year's table.
//     Sigma's JSON form is the YAML's ({"table": PATH} for a table), by
//     its own MarshalJSON, since its Table field has no key of its own.
//   - A seed is a whole number up to 2^64 - 1; JSON readers that hold
//     numbers as float64 (JavaScript, Python's json with floats) round
//     seeds above 2^53. Go's encoding/json keeps them exact.
package spec
