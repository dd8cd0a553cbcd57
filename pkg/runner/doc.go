// Package runner carries out mrioflow's tasks and jobs. The same code
// serves a coordinator's in-process workers and the worker binary, so a
// laptop run and a cluster run execute alike.
//
// # A guided tour
//
// A Runner runs one task end to end (Runner.Run):
//
//	read     formats.Open, SelectStressors, accounts.Coefficients
//	         (kept for the next task of the same year)
//	scenario a copy of the table, scenario.Apply
//	solve    accounts.Compute (one LU of I - A), ComputeGroups
//	write    output.Encode each account, store.Put at
//	         <job>/year=<year>/scenario=<scenario>/<account>.<ext>
//
// Serve is a worker's loop: pull a task from the bus, run it, report,
// answer. Coordinate is the coordinator's side of a job: Check the output
// location and every table before anything is published, plan the tasks,
// publish them, gather the reports and write the manifest last.
//
// Check reads each table and checks every stressor, region and sector
// pattern the spec names against it, so that a misspelt region fails in
// seconds with its year and scenario, before any solve and before
// anything is written.
//
// # Traps
//
//   - A failed task is final: its worker reports it and terminates the
//     message. The other tasks go on and keep their outputs; the job
//     fails at the end, with the failure in the manifest.
//   - A worker told to stop finishes its task; only Abort (a second
//     signal) gives the task back, at the next step, since a factorization
//     cannot be interrupted.
//   - Tables are read twice: once by Check, once by a task. The cache
//     keeps CacheTables prepared tables per Runner (one by default), so
//     the scenarios of a year read it once, and Runner.Check leaves the
//     first year's table there for in-process workers. A table that
//     changes on disk during a run is read as it is when a task needs it.
//   - Workers share one queue: a coordinator's in-process workers take
//     tasks of any job on the server, as outside workers do.
//   - Connect sets the consumer's AckWait and MaxDeliver for everyone on
//     the server; give every process the same bus options.
//   - The manifest is written even when tasks failed or the context
//     ended, to record what was done; the run's error says it is partial.
package runner
