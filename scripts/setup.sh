#!/usr/bin/env bash
# Installs what riskq needs, makes sure a Redis answers, that a Chromium is there for the browser test
# and that promtool and prometheus-alertmanager are there for the monitoring tests.
# `pnpm demo`, `pnpm test`, `pnpm bench` and .ci/run all start here, so a fresh clone needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
pnpm_cmd() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
    pnpm "$@"
  else
    # corepack fails on some machines (signature error); npx fetches the pinned pnpm instead.
    npx -y "pnpm@$PNPM_VERSION" "$@"
  fi
}

if [ ! -f node_modules/.modules.yaml ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ]; then
  echo "riskq: installing dependencies (pnpm $PNPM_VERSION, frozen lockfile)…"
  pnpm_cmd install --frozen-lockfile
fi

bash scripts/ensure-redis.sh
bash scripts/ensure-chromium.sh
bash scripts/ensure-prometheus.sh
