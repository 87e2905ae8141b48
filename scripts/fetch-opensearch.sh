#!/usr/bin/env bash
# Fetch the OpenSearch minimal distribution pinned in scripts/opensearch.version from
# Maven Central (cached in ~/.m2) and unpack it into a cache folder that is reused when
# present. Prints the OpenSearch home folder on stdout. OpenSearch refuses to run as
# root, so as root the folder goes where another user can read it (/var/cache/bauakte)
# and the tests run the nodes as 'nobody'.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(tr -d '[:space:]' < "$here/opensearch.version")"
if [ "$(id -u)" -eq 0 ]; then
  cache="${BAUAKTE_SHARED_CACHE:-/var/cache/bauakte}"
else
  cache="${BAUAKTE_CACHE:-$HOME/.cache/bauakte}"
fi
home="$cache/opensearch-$version"
if [ -x "$home/bin/opensearch" ]; then
  echo "$home"
  exit 0
fi
if ! command -v mvn >/dev/null 2>&1; then
  echo "fetch-opensearch: Maven is missing; install Maven and Java 17 (OpenSearch comes from Maven Central)" >&2
  exit 2
fi
artifact="org.opensearch.distribution.integ-test-zip:opensearch:$version:zip"
mkdir -p "$cache"
work="$(mktemp -d "$cache/.opensearch-XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "fetch-opensearch: fetching $artifact (once; Maven keeps it in ~/.m2)..." >&2
mvn -q -B dependency:copy -Dartifact="$artifact" -DoutputDirectory="$work" >&2
python3 -m zipfile -e "$work/opensearch-$version.zip" "$work"
chmod +x "$work/opensearch-$version/bin/"*
chmod -R a+rX "$work/opensearch-$version"
chmod a+rx "$cache"
mv "$work/opensearch-$version" "$home"
echo "$home"
