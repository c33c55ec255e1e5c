#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium: the dashboard's browser test
# (apps/dashboard/test/browser.test.ts) drives it with playwright-core, which never downloads a browser.
# Installs the package when it is missing and we may (root with apt-get). Otherwise, or if the install
# fails, it says so and carries on: nothing but that test needs a browser, and the test fails naming
# this script.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then exit 0; fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "riskq: $CHROMIUM not found; installing Debian's chromium package (for the dashboard's browser test)…"
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && [ -x "$CHROMIUM" ]; then
    exit 0
  fi
  echo "riskq: installing chromium failed; the dashboard's browser test will fail until $CHROMIUM exists." >&2
  exit 0
fi

echo "riskq: $CHROMIUM not found, and installing it needs root: the dashboard's browser test will fail." >&2
echo "       Install Debian's package (sudo apt-get install -y chromium), or run this script as root." >&2
exit 0
