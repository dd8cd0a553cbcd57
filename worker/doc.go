// Command worker runs the tasks of mrioflow jobs: it pulls tasks from a
// NATS JetStream server, one at a time, runs each end to end (read the
// table, apply the scenario, solve, write the outputs) and reports back.
//
// Usage:
//
//	worker --nats URL [--name NAME] [--log-level LEVEL] [-v] [credentials]
//
// On SIGINT or SIGTERM the worker stops pulling, finishes the task at hand
// and exits 0; a second signal gives the task back to the queue at its
// next step instead. A worker needs to reach the tables and the output
// location named in the tasks.
package main
