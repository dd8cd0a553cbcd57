#!/usr/bin/env bash
# The README's test command: installs the S3 server the tests talk to when it
# is missing, then runs the whole suite. .ci/run calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOPATH)/bin:$PATH"

if ! command -v versitygw >/dev/null 2>&1; then
	echo "test: installing versitygw (an S3-compatible server, about a minute)"
	go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
fi

go test -count=1 -timeout 14m ./...
