#!/usr/bin/env bash
# What `make test` needs on the machine, in one place (also used by .ci/run).
# Each line: the command the tests run, and the Debian package it comes
# from. With root and apt-get, missing packages are installed; otherwise the
# script fails and prints the exact command to run. SKIP_BROWSER=1 leaves
# the browsers out (their tests are then skipped, and the summary says so).
set -euo pipefail

tools=(
  "java default-jre-headless"   # vnu.jar checks the rendered HTML
  "pdftotext poppler-utils"     # the synthetic PDFs are read back
  "dcmdump dcmtk"               # DICOM made and decoded by a tool we did not write
  "convert imagemagick"         # images for DCMTK's img2dcm (internal/dicomimage)
  "zip zip"                     # archives of DCMTK's files (internal/dicomimage)
  "script bsdutils"             # a terminal for the passphrase prompts
  "node nodejs"                 # esbuild, axe-core
)
browsers=(
  "chromium chromium"
  "firefox-esr firefox-esr"
  "WebKitWebDriver webkit2gtk-driver"
  "xvfb-run xvfb"
  "xauth xauth"
)
if [ "${SKIP_BROWSER:-}" != 1 ]; then
  tools+=("${browsers[@]}")
fi

missing=()
for entry in "${tools[@]}"; do
  read -r cmd pkg <<<"$entry"
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "make test: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
{
  echo "make test: missing ${missing[*]}. Install them, then run make test again:"
  echo "  sudo apt-get install -y ${missing[*]}"
  echo "or run the tests without browsers: make test-quick (SKIP_BROWSER=1)"
} >&2
exit 1
