#!/usr/bin/env bash
# Fetch the Keycloak distribution pinned in scripts/keycloak.version from Maven
# Central (cached in ~/.m2) and unpack it into a cache folder that is reused
# when present. Prints the Keycloak home folder on stdout. The test suite
# signs in through this real identity provider (SAML 2.0).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(tr -d '[:space:]' < "$here/keycloak.version")"
cache="${BAUAKTE_CACHE:-$HOME/.cache/bauakte}"
home="$cache/keycloak-$version"
if [ -x "$home/bin/kc.sh" ]; then
  echo "$home"
  exit 0
fi
if ! command -v mvn >/dev/null 2>&1; then
  echo "fetch-keycloak: Maven is missing; install Maven and Java 17 (Keycloak comes from Maven Central)" >&2
  exit 2
fi
artifact="org.keycloak:keycloak-quarkus-dist:$version:zip"
mkdir -p "$cache"
work="$(mktemp -d "$cache/.keycloak-XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "fetch-keycloak: fetching $artifact (once; Maven keeps it in ~/.m2)..." >&2
mvn -q -B dependency:copy -Dartifact="$artifact" -DoutputDirectory="$work" >&2
python3 -m zipfile -e "$work/keycloak-quarkus-dist-$version.zip" "$work"
chmod +x "$work/keycloak-$version/bin/"*.sh
mv "$work/keycloak-$version" "$home"
echo "$home"
