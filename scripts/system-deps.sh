#!/usr/bin/env bash
# Install the Debian packages Bauakte needs, only if any is missing.
#   scripts/system-deps.sh demo   - what the app needs to run
#   scripts/system-deps.sh test   - plus the servers the test suite starts
set -euo pipefail
profile="${1:-demo}"
packages=(libmagic1 tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng tesseract-ocr-frk fonts-dejavu-core xmlsec1 wngerman)
if [ "$profile" = "test" ]; then
  packages+=(postgresql chromium nginx-light fonts-gnutypewriter)  # the typewriter face: old-scan tests
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
  command -v sudo >/dev/null || { echo "system-deps: missing ${missing[*]}; install them as root: apt-get install ${missing[*]}" >&2; exit 2; }
else
  sudo=
fi
echo "system-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the packaged cluster; the tests run their own throwaway cluster instead.
# Likewise nginx: the tests run their own on a loopback port.
if [ "$profile" = "test" ] && command -v invoke-rc.d >/dev/null; then
  $sudo invoke-rc.d nginx stop >/dev/null 2>&1 || true
fi
