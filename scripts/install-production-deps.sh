#!/bin/sh
# Installs the production dependencies of the shipped apps into ./node_modules, for their bundles in
# ./dist (`pnpm build`). Run in a folder holding the workspace manifests and the lockfile: the
# Dockerfile's prod-deps stage, and test/image/production-bundles.test.ts (which adds --offline).
#   --filter-prod: each app and the workspace packages it *depends* on (not its devDependencies), so
#     test-only packages (@riskq/testing, vitest, tsx) stay out;
#   --prod: no devDependencies anywhere;
#   public-hoist-pattern=*: every package also linked at ./node_modules/<name>, where Node looks
#     for the bare imports of ./dist/<app>.mjs (the bundles are not inside any app's folder).
# Keep the list as SHIPPED_APPS in scripts/build.ts (the test checks both agree).
# PNPM: how to run pnpm when it is not on PATH (the test passes `npx -y pnpm@<version>` then).
set -eu
exec ${PNPM:-pnpm} install --prod --frozen-lockfile --config.public-hoist-pattern='*' \
  --filter-prod '@riskq/api...' \
  --filter-prod '@riskq/worker...' \
  --filter-prod '@riskq/scheduler...' \
  --filter-prod '@riskq/dashboard...' \
  --filter-prod '@riskq/sandbox...' \
  --filter-prod '@riskq/cli...' \
  "$@"
