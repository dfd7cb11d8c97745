#!/usr/bin/env bash
# Headless Chromium for the browser tests: Debian's chromium package (installed here when missing
# and run as root), driven by Playwright with that executable. Prints the variable to export.
set -euo pipefail
find_chromium() { command -v chromium || command -v chromium-browser || true; }
chromium=$(find_chromium)
if [ -z "$chromium" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >&2
  chromium=$(find_chromium)
fi
if [ -z "$chromium" ]; then
  echo "Chromium is not installed (apt-get install chromium chromium-driver)" >&2
  exit 1
fi
echo "SMESEARCH_TEST_CHROMIUM=$chromium"
