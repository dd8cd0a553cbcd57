// Package bus carries mrioflow's messages over NATS JetStream: tasks from
// the coordinator to workers, reports from workers back, and the state of
// every job in a key-value bucket. It knows messages, not matrices: a task
// is a plan.Task, a report a plan.Report, both JSON.
//
// # A guided tour
//
// StartServer runs a NATS server with JetStream inside the process, for a
// job on one machine. Connect reaches any server and puts in place what
// the pipeline uses there (creating it, or updating it to the Options):
//
//	MRIOFLOW_TASKS    work-queue stream, subjects mrioflow.tasks.<job>
//	MRIOFLOW_WORKERS  the durable pull consumer all workers share:
//	                  explicit acks, AckWait, MaxDeliver
//	MRIOFLOW_EVENTS   stream of reports, subjects mrioflow.events.<job>.<run>
//	MRIOFLOW_JOBS     key-value bucket: <job> holds the latest run,
//	                  <job>.task.<year>.<scenario>.<block> each task's state
//
// The coordinator calls Watch (before publishing, though a late Watch
// still sees every report of its run), StartJob, then Publish for each
// task, and reads reports with Watch.Next. A worker calls Next, keeps the
// Delivery alive with KeepAlive during a long solve, publishes its Report,
// and then answers with Ack (done), Term (failed: never retry) or Nak
// (give it back). A task handed out MaxDeliver times without an answer
// (its workers died) comes out of Watch.Next as a Failed report.
// State reads a job back, for a status command or a resumed run.
//
// # Traps
//
//   - Deduplication. A task is published with the message id
//     job/year/scenario/block@run: published twice by one run, within the
//     Duplicates window, it is queued once. The run is part of the id so
//     that running a job again soon after is not dropped as a repeat.
//   - Names. Job, year and scenario names become subject tokens and key
//     parts through an escape that keeps letters, digits, '-' and '_' and
//     writes any other byte as =XX; two names never share a token.
//   - Redelivery. A worker that holds a task longer than AckWait without a
//     KeepAlive signal loses it to another worker, and both may report;
//     the first final report counts (plan.Manifest.Add).
//   - The max-deliveries notice comes from the server when some worker
//     next asks for work, not when the last delivery expires.
//   - Every call that crosses the network takes a context first. Connect
//     adds a ten-second timeout when its context has no deadline; the
//     others rely on the caller's context and on the client's own request
//     timeout.
package bus
