// Package testenv starts the servers that some tests need, on 127.0.0.1,
// and stops them when the test ends.
//
// S3 and StartS3 run a versitygw gateway over a temporary folder: a real S3
// server, so that tests of the store exercise the same requests, signatures
// and multipart uploads as production. The returned S3Server can be stopped
// and started again on the same port and folder, to test how clients ride
// out an outage. FilesBelow lists the files a test left in a folder, hidden
// ones included.
//
// # Traps
//
//   - The versitygw binary is looked up on PATH, then in $(go env GOPATH)/bin.
//     Without it the test is skipped, unless MRIOFLOW_REQUIRE_S3=1, which
//     makes it fail: set that in CI so a missing binary cannot pass silently.
//     Install it with: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
//   - The posix backend keeps object metadata in extended attributes, so the
//     temporary folder must be on a file system that supports them.
//   - Each server is a process; a test that starts many pays a few hundred
//     milliseconds each. Share one per test function where you can.
package testenv
