// Package bus carries mrioflow's messages over NATS JetStream: tasks from
// the coordinator to workers, reports from workers back, and the state of
// every job in a key-value bucket. It knows messages, not matrices: a task
// is a plan.Task, a report a plan.Report, both JSON.
//
// # A guided tour
//
// StartServer runs a NATS server with JetStream inside the process, for a
// job on one machine. Connect reaches any server and puts in place what
// the pipeline uses there (creating it, or updating it to the Options;
// with Options.Bind, as workers do, only creating what is missing):
//
//	MRIOFLOW_TASKS      work-queue stream, one subject per task:
//	                    mrioflow.tasks.<job>.<year>.<scenario>.<block>
//	MRIOFLOW_WORKERS    the durable pull consumer all workers share:
//	                    explicit acks, AckWait, no server-side MaxDeliver
//	MRIOFLOW_REPORTS    stream of reports, mrioflow.reports.<job>.<run>
//	MRIOFLOW_JOB_STATE  key-value bucket:
//	                    <job>                    the latest run and who holds it
//	                    <job>.inputs.<run>       the tables the run checked
//	                    <job>.task.<run>.<year>.<scenario>.<block>
//	                                             each task's state and final report
//
// A coordinator reads the job's record (Job, or Wait while another
// coordinator holds it), takes it with Claim, which compares revisions so
// two coordinators cannot both win, and keeps it by renewing its Lease.
// A new run is recorded with StartRun and its tasks published with
// Publish; a resumed run is read back with State, Inputs and Reports, and
// only tasks neither final nor Queued are published again. Watch follows
// the run's reports and rides out a server restart.
//
// A worker calls Next, keeps the Delivery alive with KeepAlive during a
// long solve, publishes its Report, records it with SetTask, and then
// answers with Ack (done), Term (failed: never retry), Retry (give it
// back after a delay) or Nak (give it back now).
//
// # Traps
//
//   - Deduplication. A task is published with the message id
//     job/year/scenario/block@run: published twice by one run, within the
//     Duplicates window, it is queued once. The run is part of the id so
//     that running a job again soon after is not dropped as a repeat; a
//     task lost from the queue goes back with Requeue, under a fresh id.
//   - Delivery counts. The consumer hands a task out without limit; the
//     task's own MaxAttempts is enforced by the worker that receives it
//     once too often, which fails it with the last error recorded. A limit
//     kept by the server would end in an advisory that nobody may be
//     listening to.
//   - Names. Job, year and scenario names become subject tokens and key
//     parts through an escape that keeps letters, digits, '-' and '_' and
//     writes any other byte as =XX; two names never share a token.
//   - Redelivery. A worker that holds a task longer than AckWait without a
//     KeepAlive signal loses it to another worker, and both may report;
//     the first final report counts (plan.Manifest.Add).
//   - AckWait is the consumer's, one for every worker: the coordinator
//     sets it; binding workers read it (AckWait) and signal at a third.
//   - Leases use this machine's clock and the record's revisions: Wait
//     takes a holder for gone when its heartbeat is older than its lease,
//     or when the record does not change for a whole lease.
//   - Every call that crosses the network takes a context first. Connect
//     adds a ten-second timeout when its context has no deadline; the
//     others rely on the caller's context and on the client's own request
//     timeout.
package bus
