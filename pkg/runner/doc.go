// Package runner carries out mrioflow's tasks and jobs. The same code
// serves a coordinator's in-process workers and the worker binary, so a
// laptop run and a cluster run execute alike.
//
// # A guided tour
//
// A Runner runs one task end to end (Runner.Run):
//
//	read     the table from local disk, or fetched from S3 into the
//	         table cache; formats.Open, SelectStressors,
//	         accounts.Coefficients (kept for the next task of the year)
//	scenario a copy of the table (the last task of a year takes the
//	         cached one over), scenario.Apply
//	solve    accounts.Compute (one LU of I - A), ComputeGroups; with
//	         the leontief account, the factors stay for the write
//	write    each account encoded straight into the store
//	         (output.EncodeTo into store.PutStream) at
//	         <job>/year=<year>/scenario=<scenario>/<account>.<ext>,
//	         its size and SHA-256 taken as the bytes pass; all of them
//	         or none; leontief's L is solved 64 columns at a time as
//	         its file is encoded
//
// A Monte Carlo scenario runs as blocks of draws (plan.DrawBlock): each
// task takes the year's table, applies the scenario's shocks to a copy,
// computes its draws (montecarlo.New, Engine.Run) and stores the samples
// whole at plan.PartKey; the block of draw 0 also stores the stressors'
// units. Once every task is final, the coordinator (Summarize) reads the
// parts back, checked against the SHA-256 their tasks reported, merges
// them in draw order and writes
// <job>/year=<year>/scenario=<scenario>/summary.<ext>.
//
// Serve is a worker's loop: pull a task from the bus, run it, report,
// record, answer; errors that may pass (a store down) give the task back
// with a growing delay, errors in the data fail it at once. Coordinate is
// the coordinator's side of a job: Check the output location and every
// table before anything is published, take the job's lease, plan or
// resume the run, publish what is left, gather the reports and write the
// manifest last. A new run reuses the tasks the previous complete run did
// with the same plan.TaskDigest, their outputs still in place, instead of
// publishing them (a block of consumers or of draws too, with the merge
// of a split year, or the summary of a Monte Carlo scenario, whose
// blocks are all reused), and after the run writes <job>/changes.json:
// the headline accounts of each recomputed (year, scenario), from its
// task's or its merge's regions file, or the means of its summary, old
// against new:
//
//	relative = (new - old) / |old|
//	flagged  when |relative| > threshold, old and new differ in sign,
//	         or a value appears or disappears
//
// Check reads each table and checks every stressor, region and sector
// pattern the spec names against it, so that a misspelt region fails in
// seconds with its year and scenario, before any solve and before
// anything is written. It factorizes each table's I - A too, so that a
// singular base table fails there, with its condition estimate:
//
//	rcond(I - A) < leontief.MinRCond (1e-12)  =>  error, nothing written
//
// It records the SHA-256 of every file of every table, hashed as the
// table is read, and the readers' notes; the tasks carry them
// (plan.Pin). A Monte Carlo scenario's files of per-entry sigmas
// (spec.Sigma.Table) are read against each table there too, with their label, line and column at fault, and their
// SHA-256 go with the year's input (plan.Input.Sigmas): a block task
// reads them again, local or fetched like a table, and fails with
// ErrChanged when their bytes differ; a nightly run recomputes the tasks
// of a scenario whose file changed. Coordinate turns the notes, and
// the objects under <job>/ that the run will not write, into warnings of
// the whole run.
//
// Tables in S3 (path: s3://bucket/key, a prefix for a folder layout) are
// downloaded into a cache folder named by the content of their files, so
// a year fetched once serves every later task and run that expects those
// bytes. A worker whose download does not match the checksums the
// coordinator recorded fails the task with ErrChanged. A local table is
// hashed while the readers read it, and checked alike.
//
// HealthHandler and ServeHealth give both binaries /healthz, /readyz and
// /metrics (Metrics, in Prometheus' text format).
//
// # Traps
//
//   - A split year (plan.Options.BlocksPerYear) runs as block tasks that
//     each factorize I - A again and store an accounts.Part; the
//     coordinator's Runner.Merge reads the year's table itself (the
//     in-process workers' cache when it has them), applies the scenario
//     and writes the account files with accounts.Assemble. With the
//     leontief account each block stores its consumers' columns of L too
//     (plan.InverseKey, about n²/blocks numbers: 256 MB a block at
//     n = 9800 in 3 blocks), and the merge reads them back one block at
//     a time while it encodes leontief.<ext>. A block's
//     zero-output warnings come from block 1 only; the residual is the
//     merge's. TODO(blocks): a coordinator without in-process workers
//     reads each split table once more to merge it; the blocks could
//     store the merge's table-side inputs.
//   - A split year is compared in the change report by its merge, with
//     whatever wrote the same files in the previous run, a whole task or
//     a merge: the files and their schema are the same. Its old regions
//     file is read before any block is published and stays in place
//     until the merge, which comes after every block; the new one is
//     read after the merge. A failed merge writes nothing and is left
//     out, as a failed task is.
//   - A split year's blocks are reused one by one (their parts are their
//     outputs); its merge only when every block is and the merged files
//     are in place, else it is done again from the parts. A merge is no
//     task on the bus: a resumed run merges again what the interrupted
//     one reused, and compares it. Parts of another number of blocks are
//     stale.
//   - A Monte Carlo scenario's blocks of draws are reused alike, their
//     outputs being the part, the units (the block of draw 0) and, with
//     per_draw, every draw's files, all read back and hashed: a damaged
//     or missing one computes its block again, which writes the same
//     bytes. The summary is reused when every block is and its file is
//     in place, else Summarize writes it again from the reused and new
//     parts, to the byte what a fresh run writes. A block's name gives
//     its first and last draw; its digest leaves the scenario's draw
//     count out, so a sweep that grows or shrinks reuses the blocks it
//     keeps, while another DrawsPerTask names other blocks and reuses
//     none. As with a merge, a resumed run summarizes again.
//   - The change report compares a Monte Carlo scenario by the mean of
//     each headline account in its summary, with the previous run's
//     summary only: a scenario that became Monte Carlo, or ceased to be,
//     is left out. A new seed moves the means by the sampling error
//     alone, which may flag rows at a small threshold.
//   - leontief is n² rows: its file takes about 24 bytes a row as Arrow
//     and 8 as Parquet (synthetic tables), 2.3 GB and 0.8 GB at n = 9800.
//     No account's file is held in memory: each is encoded into a
//     streamed put, so a task holds one encoder (a chunk of L's columns
//     and a record batch; a Parquet row group) and the store's buffer (a
//     16 MiB part for S3). Its solves cost 2 n³ flops, three LUs' worth,
//     on top of the task's; an S3 put that fails in a way that may pass
//     encodes the account again from the start, solves included.
//   - Encoding and uploading take turns: the encoder waits while a part
//     goes up. TODO(throughput): minio-go's parallel streamed parts
//     (PutObjectOptions.ConcurrentStreamParts) would overlap them, at a
//     16 MiB buffer per thread.
//   - Only a store's own failures are tried again (TaskError.Temporary);
//     everything else is final: its worker reports it and terminates the
//     message. The other tasks go on and keep their outputs; the job
//     fails at the end, with the failure in the manifest.
//   - A worker told to stop finishes its task; Abort (a second signal, or
//     the worker's grace period) stops a write under way, waits up to
//     AbortCleanup for the task to undo what it put, gives the task back
//     and leaves a solve under way to die with the process.
//   - An interrupted Coordinate leaves the run as it stands, for the next
//     coordinator of the same plan to resume, and writes no manifest;
//     with CoordinateOptions.Ephemeral (an embedded server, whose state
//     dies with the process) it closes the run, as failed, instead, and
//     writes a manifest marked interrupted, unless a complete run's
//     manifest is there: that one stays (ErrManifestKept).
//   - A failed task leaves nothing of its year and scenario: an account
//     whose encoding fails, whose put fails or that a signal cuts short
//     (the end of the task's context: Abort) leaves no object, neither
//     whole nor in part, and the accounts put before it are deleted
//     (after Abort within AbortCleanup; a worker killed outright leaves
//     its temporary file or unfinished upload, and the task, given
//     back, writes the files again). A
//     later attempt of the same task that fails so deletes the files an
//     earlier attempt wrote, even one that wrote everything and died
//     before it reported; the task is then tried again or failed.
//   - Check factorizes every table once more than the tasks do; at
//     n = 9800 that is one LU per year before the run starts.
//   - The last task of a year takes the cached table itself instead of a
//     copy, counting the tasks it has seen against the year's scenarios;
//     a worker among several rarely sees them all, and its tasks copy. A
//     task that comes after the table was taken reads it again.
//   - Objects under <job>/ that the run does not write are listed as
//     stale, never deleted: the parts of blocks of another size, of
//     consumers or of draws, and with per_draw the files of draws a
//     scenario no longer has, as well.
//   - Tables are read twice: once by Check, once by a task. The cache
//     keeps CacheTables prepared tables per Runner (one by default), so
//     the scenarios of a year read it once, and Runner.Check leaves the
//     first year's table there for in-process workers.
//   - A task that carries the coordinator's checksums (plan.Task.Input)
//     checks the bytes of its table, fetched or local, and fails with
//     ErrChanged, naming the file and both checksums, when they differ:
//     the tasks, blocks and merge of a year that read an edited table
//     fail, and a year's outputs never mix two versions; those that read
//     it before the edit keep their outputs. The readers open their files
//     themselves, so a local table is not hashed as the bytes pass but
//     beside the read, on another goroutine (readHashed: about 0.25 s
//     of a core at n = 9800, 334 MB, beside a read of 1.2 s), and each file's size, modification
//     time and identity are looked at before and after: a file written
//     in between fails the task too, as one written while Check read it
//     fails the check. A write in between that keeps a file's size and
//     puts its modification time back goes unseen. A kept table serves
//     only the tasks whose checksums are those it was read from; the
//     task of another plan reads the table again. A task without Input
//     reads the table as it is.
//   - Every file below a table's folder is checked, but for hidden ones
//     and "~" backups (ignored in check.go), also those the reader does
//     not use (TODO(inputs) in check.go): a file added there during a
//     run fails the tasks that read the table afterwards.
//   - A kept table is found by its path, year, format, reader options
//     and stressors, and serves a task only when it was read from the
//     checksums the task carries: two jobs that read one table with other
//     stressors or options never share it.
//   - Every block task reads its scenario's files of sigmas again and
//     matches their labels against the table. TODO(sigma-cache): keep
//     the matched sigmas with the prepared table, by the files'
//     checksums, so the blocks of a year read an A of sigmas once.
//   - The table cache grows with every distinct table unless
//     Options.CacheMax (--cache-max) bounds it. After each download the
//     least recently used copies go until the rest fit. A copy's last use
//     is the mtime of its folder, set by a lookup that hits it and again
//     at the end of its read. Spared are the copies being read by any
//     process on the machine (a shared flock on the folder, held from the
//     lookup to the end of the read) and those used in the last five
//     minutes. An eviction, under an exclusive flock of <cache>/.lock
//     (one process prunes at a time) and of the folder, renames it to
//     .evict-<key>-<random> and deletes it from there, so a lookup finds
//     a whole copy or none, and downloads again: one that opened the
//     folder before the rename locks it after, sees that it is no longer
//     at its name, and misses. The cache stays over its limit while the
//     copies it spares hold more (OnCacheWarning says so), and the
//     download at hand is used even when it alone is larger. flock is
//     advisory and per machine: keep the cache on a local disk, or on a
//     network file system whose flock reaches every machine sharing it.
//     Without flock (not Unix) only the five minutes spare another
//     process's copy. Touching a folder that another user owns fails
//     quietly: in a cache shared by several users, their hits do not
//     count as uses. Hidden downloads and evictions that no process
//     holds (a download keeps a flock on its folder) and older than a
//     minute, or older than a day without flock, were left by a process
//     that died and go at a prune.
//   - Workers share one queue: a coordinator's in-process workers take
//     tasks of any job on the server, as outside workers do.
//   - A Monte Carlo summary is written by the coordinator after its lease
//     renewal stopped, just before the manifest: a summary of very many
//     draws could outlast the lease. TODO(montecarlo): summarize while
//     renewing, or as each scenario's last block reports.
//   - With montecarlo's per_draw, every draw's regions and flows land
//     under draw=<n>/ beside the draws/ folder of samples: a reader that
//     lists folders by name should match "draw=".
//   - Reuse trusts the digest: a change of mrioflow's arithmetic without
//     a new output schema version reuses old outputs; run with
//     RecomputeAll after an upgrade. Reused outputs are read back and
//     hashed whole, which costs a read of every output each night.
//   - The change report compares only tasks whose previous regions
//     output was still intact when the run was planned; a resumed run
//     leaves out tasks whose outputs workers had already replaced.
//   - The manifest is written when every task is final, even when some
//     failed, to record what was done; the run's error says so.
package runner
