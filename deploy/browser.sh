#!/usr/bin/env bash
# Headless Chromium for the browser tests: Debian's chromium package (installed here when missing
# and run as root), driven by Playwright with that executable. Prints the variable to export.
# A CJK font comes with it (WenQuanYi Micro Hei, 1.6 MB: Chinese and Japanese kana), or the
# screenshots of the Chinese and Japanese pages show empty boxes.
set -euo pipefail
find_chromium() { command -v chromium || command -v chromium-browser || true; }
has_cjk_font() { fc-list :lang=zh 2>/dev/null | grep -q . && fc-list :lang=ja 2>/dev/null | grep -q .; }
chromium=$(find_chromium)
if { [ -z "$chromium" ] || ! has_cjk_font; } && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
    fonts-wqy-microhei) >&2
  chromium=$(find_chromium)
fi
if [ -z "$chromium" ]; then
  echo "Chromium is not installed (apt-get install chromium chromium-driver)" >&2
  exit 1
fi
echo "SMESEARCH_TEST_CHROMIUM=$chromium"
