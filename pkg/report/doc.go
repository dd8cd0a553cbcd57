// Package report turns the outputs of one job into a single HTML page
// of charts and tables, and each chart into a PNG image if asked.
//
// # A short tour
//
// Build reads a job's output tree through a Source, anything that can
// list keys and get whole objects (a local folder, an S3 bucket):
//
//	<job>/manifest.json
//	<job>/year=<Y>/scenario=<S>/regions.arrow      regional totals
//	<job>/year=<Y>/scenario=<S>/flows.arrow        region-to-region flows
//	<job>/year=<Y>/scenario=<S>/groups.arrow       group-to-group flows
//	<job>/year=<Y>/scenario=<S>/summary.arrow      Monte Carlo summaries
//	(footprints.arrow and multipliers.arrow are listed, not drawn)
//
// Files are Arrow IPC files, compressed or not; a .parquet file stands in
// for an .arrow one. Build picks one stressor (Options), reads its rows,
// and lays out the figures: production against consumption per region
// for each year; net embodied exports; the flow matrix as a heat map on a
// log colour scale; with groups, the largest flows between them as
// ribbons; the share of each region's emissions that each group's (or
// region's) final demand causes; production against consumption
// intensity; with several years, lines over time; with several
// scenarios, the change against the baseline; with Monte Carlo
// summaries, p05-p95 ranges. A figure that cannot be made for the job as
// a whole (no groups, no baseline) is left out, and Header.LeftOut says
// why in one line. Report.WriteHTML writes the page, Report.WritePNGs
// the images.
//
// # Monte Carlo scenarios
//
// A Monte Carlo scenario (the spec gives it a montecarlo field; without
// a spec, its partitions hold summary.arrow alone) writes no regions or
// flows file. Where a figure needs one, the summary's means stand in,
// and the caption says "the mean over N draws":
//
//	a_r(s) = mean over draws k of a_r(s, k)        regional accounts
//	E[q, r](s) = mean over draws k of E[q, r](s, k) flows
//
// Sums of means are means of sums, so a group flow is the mean of each
// draw's, and a change is the difference of the means. Ratios are not:
// a share is the share of the mean flows, an intensity's mean the mean
// of each draw's ratio. The baseline is never a Monte Carlo scenario unless
// Options.Baseline names one; a job whose scenarios are all Monte Carlo
// ones has no change figures, and its single-year figures show the
// first scenario's means.
//
// Every figure carries the numbers it draws in a table beneath it. The
// numbers are the files' own, except these, which follow MATH.md:
//
//	group flow   G[p, g]  = sum over q in p, r in g of E[s; q, r]
//	group share  share    = G[p, g] / sum over g' of G[p, g']
//	driven share S[q, g]  = 100 * sum over r in g of E[s; q, r] / sum over r of E[s; q, r]
//	change       D[r, a]  = a_r(scenario) - a_r(baseline)   (means for Monte Carlo scenarios)
//	series sum   X[g, t]  = sum over r in g of a_r(t), nulls left out
//
// Each table cell shows six significant digits and keeps the exact value
// in its data-value attribute, so the page can be checked against the
// files. Chart axes show large numbers in thousands, millions, billions
// or trillions of the unit, named in the axis label.
//
// In the page a chart is inline SVG without its title, which the
// section's heading gives; a PNG carries the title, wrapped to its width.
//
// # Missing outputs and bad files
//
// A failed task, an account the job did not ask for, a file lost since
// the job wrote it or an empty job folder never makes Build fail: the
// figure that needed the data gives way to a note that says what is
// missing and why, and the header lists the files the manifest lists but
// that are not there. Report.Empty tells a folder with no manifest and no
// account file, which is likely no job's output at all.
//
// A file that is there but cannot be trusted is bad input, and Build
// fails with an error naming it: manifest.json that is not JSON; an
// account file whose sha256 differs from the one manifest.json lists;
// one that does not decode, lacks a column, repeats a region or a flow,
// or names no stressor. Build also fails when the Source fails, or when
// Options name a stressor, year or baseline the outputs lack.
//
// # Writing files
//
// Report.WriteHTMLFile replaces only an earlier report (IsReport: the
// doctype, then a generator meta element), never creates folders, and
// writes through a temporary file renamed into place, so a failed write
// leaves no partial page. Report.WritePNGs creates its folder but not the
// folder's parents. Keeping them out of a job's own folder is the
// caller's part: only it knows where that folder is.
//
// # Traps
//
//   - A null is drawn as nothing, never as zero: a consumer-only region
//     (MATH.md 14) has no production bar, and its table cell shows "—".
//   - The heat map's log scale cannot show zero or negative flows
//     (negative final demand makes them); those cells are grey, and the
//     table has their values.
//   - Ribbon widths must be positive: only the largest positive group
//     flows are drawn; the table sums the rest.
//   - Shares need a region's total emissions; where they are zero the
//     shares are null. Negative flows can push a share below 0 or past
//     100%.
//   - The intensity chart shares one range between its axes when their
//     ranges overlap, so that the line of equal intensity runs at 45
//     degrees; when they do not, the line is off the chart and the caption
//     says which side every region is on. Point labels take the first of
//     eight places around their point that overlaps nothing; in a dense
//     cloud some may still overlap.
//   - Value added and final demand are in the table's money unit, which
//     the outputs only give as the unit of the factor_inputs stressors;
//     without them it is written "unit".
//   - A Monte Carlo scenario writes summary.arrow alone. When no
//     partition has a regions or flows file, the stressors, their units
//     and the regions come from the summaries; the summary's value_added
//     and final_demand rows name no stressor: they fill the intensity
//     table's money columns and are never drawn. The range figure draws
//     production, consumption and net exports only: intensities are per
//     unit of money and would squash the scale.
//   - With a manifest, only the spec's montecarlo field makes a scenario
//     a Monte Carlo one: a deterministic scenario that lost its regions
//     and flows files keeps its notes rather than borrow a summary's
//     means.
//   - Without groups every region is its own group: the share figure is
//     by consuming region and the ribbons are left out, since they would
//     repeat the flow matrix. Past eight series the smallest are drawn
//     together as "other (n)".
//   - When groups come from the options, group flows are recomputed from
//     flows.arrow; otherwise groups.arrow, the pipeline's own sums, wins.
//   - The SVG names the font the layout was measured with (Liberation);
//     a browser without it falls back to Arial or a sans-serif, so text
//     may be a little wider or narrower than planned. PNGs use the font
//     built into the plot library and look the same everywhere.
//   - Only the files a figure reads are checked against the manifest's
//     sha256: the regions file of every partition, the flows and groups
//     files of the single-year figures, summaries. Footprints,
//     multipliers and other years' flows are listed, not read, so a
//     damaged one goes unnoticed.
//   - Without a manifest there is no sha256 to check; a damaged file is
//     then caught by the decoder alone (see TODO(arrow-fuzz) in read.go).
//   - Nothing in the page comes from the network: no script, no web font,
//     no remote image. Text from the data is escaped, in tables by
//     html/template and in charts by the SVG writer.
package report
