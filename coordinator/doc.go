// Command coordinator runs MRIO jobs: it checks a job's tables, splits the
// job into tasks on NATS JetStream, runs workers in its own process (and
// accepts outside ones), and writes the outputs and a manifest.
//
// Usage:
//
//	coordinator run JOB.yaml [--workers N] [--nats URL] [--output DIR]
//	                         [--output-format arrow|parquet] [--restart]
//	                         [--lease D] [--max-attempts N] [--ack-wait D]
//	                         [--http ADDR] [--s3-endpoint URL] [--cache DIR]
//	                         [--log-level LEVEL] [-v] [credentials]
//	coordinator status JOB --nats URL [credentials]
//
// Flags may come before or after the job file. Without --nats (or
// $MRIOFLOW_NATS_URL), run starts a NATS server inside the process, on
// 127.0.0.1 at a free port (logged), which outside workers may join for
// the length of the run; its state ends with the process.
//
// With a NATS server of its own the job's state lives there: a run
// stopped, or a coordinator that died, is resumed by the same command,
// and the tasks already done are not computed again. --restart drops an
// unfinished run and starts afresh. Two coordinators of one job do not
// run at once: the second waits until the first lets go or falls silent
// for its lease.
//
// status shows the job's latest run: who coordinates it, how many tasks
// are done, running, queued and failed, the throughput, and the error of
// every failed task.
//
// Exit status: 0 when every output and the manifest are written, 1 when
// the job failed (a problem in the spec or a table, which writes nothing;
// a task that failed, which the manifest records; a run interrupted, left
// to resume), 2 for a usage error.
package main
