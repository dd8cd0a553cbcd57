#!/usr/bin/env bash
# Builds the mrioflow image from binaries built here, so the image build
# itself needs no network: the binaries (CGO_ENABLED=0), the system's CA
# bundle, an empty temporary folder, and, when the binaries need them, the
# dynamic loader and C library they were linked against.
#
#   deploy/build-image.sh                 # docker build -t $MRIOFLOW_IMAGE
#   deploy/build-image.sh --context DIR   # only gather the build context in DIR
#
# Settings, from the environment:
#   MRIOFLOW_IMAGE  the image's name (default mrioflow:latest)
#   CA_BUNDLE       the certificate bundle (default /etc/ssl/certs/ca-certificates.crt)
#   GO_TAGS         build tags for go build; nolapack leaves the LAPACK
#                   backend out and gives fully static binaries (pure Go)
#   WITH_OPENBLAS   1 (default) copies the system's OpenBLAS, when there is
#                   one, so that --backend auto finds LAPACK; 0 leaves it out
#
# The LAPACK backend is loaded at run time through purego, which makes even
# a CGO_ENABLED=0 binary ask for the dynamic loader; the loader and the
# libraries it names are then copied below rootfs/ from this machine.
set -euo pipefail
cd "$(dirname "$0")/.."

image=${MRIOFLOW_IMAGE:-mrioflow:latest}
ca_bundle=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
context=""
if [ "${1:-}" = "--context" ]; then
	context=${2:?usage: build-image.sh --context DIR}
	mkdir -p "$context"
else
	context=$(mktemp -d)
	trap 'rm -rf "$context"' EXIT
fi
rm -rf "$context/bin" "$context/rootfs" "$context/tmp"
mkdir -p "$context/bin" "$context/rootfs" "$context/tmp"

echo "build-image: binaries into $context/bin"
CGO_ENABLED=0 GOOS=linux go build -trimpath -tags "${GO_TAGS:-}" -ldflags='-s -w' -o "$context/bin/" ./coordinator ./worker

if [ ! -r "$ca_bundle" ]; then
	echo "build-image: no CA bundle at $ca_bundle (set CA_BUNDLE)" >&2
	exit 1
fi
cp "$ca_bundle" "$context/ca-certificates.crt"

# copy_libs FILE...: the loader and shared libraries FILE needs, as
# files at the paths the loader asks for, below rootfs/.
copy_libs() {
	local f lib
	for f in "$@"; do ldd "$f" 2>/dev/null; done | grep -o '/[^ ]* (0x' | cut -d' ' -f1 | sort -u |
		while read -r lib; do cp -L -n --parents "$lib" "$context/rootfs/"; done
}
if ldd "$context/bin/worker" >/dev/null 2>&1; then
	echo "build-image: the binaries link dynamically; copying their loader and C library"
	copy_libs "$context/bin/coordinator" "$context/bin/worker"
	if [ "${WITH_OPENBLAS:-1}" = 1 ]; then
		openblas=$(ldconfig -p 2>/dev/null | grep -o '/[^ ]*libopenblas\.so\.0$' | head -n1 || true)
		if [ -n "$openblas" ]; then
			echo "build-image: adding OpenBLAS from $openblas"
			cp -L -n --parents "$openblas" "$context/rootfs/"
			copy_libs "$openblas"
		fi
	fi
else
	echo "build-image: the binaries are static"
fi
cp deploy/Dockerfile "$context/Dockerfile"

if [ -n "${1:-}" ]; then
	echo "build-image: context ready in $context"
	exit 0
fi
echo "build-image: docker build -t $image"
docker build -t "$image" "$context"
