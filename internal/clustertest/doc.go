//go:build unix

// Package clustertest runs mrioflow as a cluster would: the coordinator,
// the workers, a NATS server and an S3 server as separate processes on
// 127.0.0.1, and strikes them with the faults of a shared cluster (a
// worker killed in the middle of a task, a coordinator stopped and
// started again, the NATS server restarted, the S3 server gone for ten
// seconds, a table damaged after the job was planned, a worker frozen past
// its ack deadline, wrong credentials, a bad output location). After each,
// every output is compared byte for byte with an undisturbed run.
//
// It also checks the deployment files: that docker-compose.yml and the
// Kubernetes manifests under deploy/k8s use only commands, flags and
// environment variables the binaries know.
//
// The package holds tests only. TestMain builds the binaries once
// (coordinator, worker and internal/cmd/natsd) into a temporary folder.
//
// # Traps
//
//   - The fault tests take a few minutes on two cores and are skipped by
//     go test -short. They need versitygw (see internal/testenv); with
//     MRIOFLOW_REQUIRE_S3=1 its absence fails them.
//   - The tables are synthetic, 2000 sectors, so that a task runs for a
//     second or more: long enough for a fault to strike while it runs.
//     Workers use the pure-Go backend so that every output is
//     reproducible to the byte.
//   - Every process is started with a parent-death signal, so a test
//     binary that dies takes its servers with it.
package clustertest
