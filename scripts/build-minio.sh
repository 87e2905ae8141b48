#!/usr/bin/env bash
# Build MinIO (community edition, source-only) with the Go toolchain at the
# version pinned in scripts/minio.version, into a cache folder that is reused
# when present. Prints the path of the binary on stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(tr -d '[:space:]' < "$here/minio.version")"
cache="${BAUAKTE_CACHE:-$HOME/.cache/bauakte}/bin"
binary="$cache/minio-$version"
if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "build-minio: the Go toolchain is missing; install Go 1.24 or newer (MinIO is built from source)" >&2
  exit 2
fi
mkdir -p "$cache"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "build-minio: building github.com/minio/minio@$version (first build takes a few minutes)..." >&2
(cd "$work" && GOBIN="$work/bin" GOFLAGS=-mod=mod go install "github.com/minio/minio@$version") >&2
mv "$work/bin/minio" "$binary.tmp"
mv "$binary.tmp" "$binary"
echo "$binary"
