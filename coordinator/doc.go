// Command coordinator runs MRIO jobs: it checks a job's tables, splits the
// job into tasks on NATS JetStream, runs workers in its own process (and
// accepts outside ones), and writes the outputs and a manifest.
//
// Usage:
//
//	coordinator run JOB.yaml [--workers N] [--nats URL] [--output DIR]
//	                         [--output-format arrow|parquet] [--force]
//	                         [--log-level LEVEL] [-v] [credentials]
//	coordinator status JOB --nats URL [credentials]
//
// Flags may come before or after the job file. Without --nats, run starts
// a NATS server inside the process, on 127.0.0.1 at a free port (logged),
// which outside workers may join for the length of the run.
//
// Exit status: 0 when every output and the manifest are written, 1 when
// the job failed (a problem in the spec or a table, which writes nothing,
// or a task that failed, which the manifest records), 2 for a usage error.
package main
