// Command worker runs the tasks of mrioflow jobs: it pulls tasks from a
// NATS JetStream server, one at a time, runs each end to end (read the
// table, apply the scenario, solve, write the outputs) and reports back.
//
// Usage:
//
//	worker --nats URL [--name NAME] [--backend auto|gonum|lapack]
//	       [--http ADDR] [--s3-endpoint URL] [--cache DIR] [--grace D]
//	       [--log-level LEVEL] [-v] [credentials]
//
// The NATS flags may come from the environment instead
// ($MRIOFLOW_NATS_URL, $MRIOFLOW_NATS_USER, $MRIOFLOW_NATS_PASSWORD, ...),
// S3 settings from the AWS variables. A worker needs to reach the tables
// and the output location named in the tasks; tables in S3 are kept in
// the --cache folder by content.
//
// On SIGINT or SIGTERM the worker stops pulling, finishes the task at
// hand within --grace, or else gives it back to the queue, and exits 0; a
// second signal gives it back at once. It exits 1 when it cannot reach
// the server within a minute, or at once when the server refuses its
// credentials, and 2 for a usage error.
package main
