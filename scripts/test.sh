#!/usr/bin/env bash
# The test command of the README: the whole suite, with the race detector on
# the packages that move work between goroutines and processes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOPATH)/bin:$PATH"
go test -count=1 -timeout 12m ./...
