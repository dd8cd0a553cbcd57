// Package plan turns a job into tasks and their reports into a manifest.
//
// # A guided tour
//
// Make splits a job spec into one Task per year and scenario, in spec
// order: years outer, scenarios inner. Each task carries the whole spec as
// JSON with table paths made absolute (Resolve), the output location and
// format, and the run that published it, so that a worker needs nothing
// but the task. Task.ID, job/year/scenario/block, names a task everywhere.
//
// The coordinator pins to each task the input of its year (Pin): every
// file of the table with its SHA-256, as it checked them, so a worker can
// tell a table that changed since. Digest names what a list of tasks asks
// for, without the run: a coordinator resumes an unfinished run only when
// the job plans to the same digest.
//
// A worker answers a task with a Report: Done with its Outputs (store key,
// rows, bytes, SHA-256) or Failed with the task's own error, plus its
// Warnings (sectors with zero output whose stressors drop out, a large
// residual) and Timings.
//
// TaskDigest names what one task's outputs depend on (its table's bytes,
// format and options, its scenario with the bytes of its files of
// per-entry sigmas, Input.Sigmas, the stressors, accounts, groups,
// output format and schema), so a later run can tell which tasks it may
// reuse (Report.Reused, Manifest.Done, ReuseReport, ReuseMerge,
// ReuseSummary); ChangesKey is where the change report of such a run
// goes, comparing the accounts of each (year, scenario) whichever step
// wrote them (Manifest.AccountsDone: a whole task or a merge), or a
// Monte Carlo scenario's summaries (SummaryID).
//
// NewManifest starts the manifest of a run with every task queued; Add
// records each final report; Encode writes the JSON that goes to
// <job>/manifest.json once every task is final.
//
// # Traps
//
//   - A task covers a whole (year, scenario), Block "all", except in a
//     Monte Carlo scenario: one task per block of draws (DrawBlock,
//     "draws-0000-0249"), each storing its samples at PartKey. The
//     summary is no task: the coordinator writes it once every block is
//     final (Manifest.Summaries) and records it with AddSummary, block
//     "summary" (SummaryID), after the tasks, or ReuseSummary carries an
//     earlier run's over. Like a merge, it has no digest of its own.
//   - With Options.BlocksPerYear > 1 a (year, scenario) that is not Monte
//     Carlo gives that many tasks over blocks of consumers
//     (ConsumerBlock, "consumers-1-of-3"), each storing a part at
//     BlockKey, and its columns of the Leontief inverse at InverseKey when
//     the job asks for leontief; the plan names blocks by count, not by consumers, because
//     it is made before any table is read (ConsumerRange cuts them once a
//     worker knows R'). The merge is no task either: Manifest.Merges
//     lists the pairs whose blocks are all final, parts (and columns of
//     L) in block order
//     whatever order the reports came in, and AddMerge records it, block
//     "merge" (MergeID), or ReuseMerge carries an earlier run's over. A
//     merge has no digest of its own: its blocks' digests cover its
//     inputs.
//   - Block size is part of the plan: a run resumed with another
//     DrawsPerTask or BlocksPerYear plans to another Digest.
//   - Manifest.Add keeps the first final report of a task and ignores
//     later ones, and reports of other runs: a redelivered task may report
//     twice.
//   - TaskDigest is "" for a task without Input: such a task is never
//     reused. The table's path is not in it: a table moved keeps its
//     digest, a table edited in place does not.
//   - Make applies the spec's defaults and validation to a copy; the job
//     passed in is left as it is.
package plan
