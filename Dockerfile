# One image for every riskq service (api, worker, scheduler, dashboard, sandbox, cli). Each app is
# bundled by esbuild into dist/<app>.mjs (`pnpm build`) and run by plain `node` as the container's
# process: SIGTERM reaches the app itself (every app handles it and starts no child processes, so it
# needs no init to forward signals or reap children). Only production dependencies ship, no tsx, no
# TypeScript source; the apps run as the unprivileged node user. docker-compose.yml and
# deploy/kubernetes pick the app with the command (`node dist/worker.mjs`, …).

FROM node:20-bookworm-slim AS base
# pnpm pinned like the root package.json's packageManager (newer ones may refuse the lockfile).
RUN npm install -g pnpm@12.4.2
WORKDIR /app

# The workspace manifests alone: a change to source code reuses both install layers below.
FROM base AS manifests
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/api/package.json apps/api/
COPY apps/cli/package.json apps/cli/
COPY apps/dashboard/package.json apps/dashboard/
COPY apps/demo/package.json apps/demo/
COPY apps/sandbox/package.json apps/sandbox/
COPY apps/scheduler/package.json apps/scheduler/
COPY apps/worker/package.json apps/worker/
COPY packages/alerts/package.json packages/alerts/
COPY packages/alipay/package.json packages/alipay/
COPY packages/client/package.json packages/client/
COPY packages/config/package.json packages/config/
COPY packages/contracts/package.json packages/contracts/
COPY packages/cost/package.json packages/cost/
COPY packages/drift/package.json packages/drift/
COPY packages/http/package.json packages/http/
COPY packages/lifecycle/package.json packages/lifecycle/
COPY packages/metrics/package.json packages/metrics/
COPY packages/observability/package.json packages/observability/
COPY packages/pipeline/package.json packages/pipeline/
COPY packages/prefilter/package.json packages/prefilter/
COPY packages/redis/package.json packages/redis/
COPY packages/synthetic/package.json packages/synthetic/
COPY packages/testing/package.json packages/testing/
COPY packages/tracing/package.json packages/tracing/
COPY packages/wire/package.json packages/wire/
COPY test/package.json test/
COPY scripts/install-production-deps.sh scripts/

# Everything, dev tools included, to build the bundles.
FROM manifests AS deps
RUN pnpm install --frozen-lockfile

FROM deps AS build
COPY . .
RUN pnpm build

# The shipped apps' production dependencies only, where the bundles' imports find them.
FROM manifests AS prod-deps
RUN sh scripts/install-production-deps.sh

FROM node:20-bookworm-slim AS app
# Production unless a deployment says otherwise: development secrets and plain-http Alipay are then
# refused at start instead of being used silently (compose's RISKQ_NODE_ENV can override it).
ENV NODE_ENV=production
# Stack traces name the TypeScript source (the bundles ship with their source maps).
ENV NODE_OPTIONS=--enable-source-maps
WORKDIR /app
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=build /app/dist dist
# The sandbox writes its development keys under .data/ (the apps' key files default there).
RUN mkdir -p .data/sandbox && chown -R node:node .data
USER node
# The API's liveness by default; other services set HEALTHCHECK_URL (compose has its own checks).
ENV HEALTHCHECK_URL=http://127.0.0.1:3000/healthz
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.HEALTHCHECK_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
EXPOSE 3000
CMD ["node", "dist/api.mjs"]
