#!/usr/bin/env bash
# Makes sure Debian's promtool and prometheus-alertmanager are on PATH: the monitoring tests
# (test/monitoring) check the rules and metric names with promtool and post alerts to a real
# Alertmanager. Installs the packages when a binary is missing and we may (root with apt-get).
# Otherwise, or if the install fails, it says so and carries on: only those tests need them, and they
# fail naming this script.
set -euo pipefail

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "riskq: installing Debian's ${missing[*]} (promtool and Alertmanager, for the monitoring tests)…"
  # --no-install-recommends: the binaries are all the tests need, not the exporters Debian suggests.
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    && command -v promtool >/dev/null 2>&1 && command -v prometheus-alertmanager >/dev/null 2>&1; then
    exit 0
  fi
  echo "riskq: installing ${missing[*]} failed; the monitoring tests (test/monitoring) will fail until promtool and prometheus-alertmanager are on PATH." >&2
  exit 0
fi

echo "riskq: promtool or prometheus-alertmanager not found, and installing them needs root (apt-get): the monitoring tests will fail." >&2
echo "       Install Debian's packages (sudo apt-get install -y prometheus prometheus-alertmanager), or run this script as root." >&2
exit 0
