# One image for every riskq app (api, worker, scheduler, dashboard, sandbox, cli): the apps run from
# TypeScript source with tsx, so the image is the installed workspace; docker-compose.yml picks the
# app with its command (`pnpm api`, `pnpm worker`, …).

FROM node:20-bookworm-slim AS base
# pnpm pinned like the root package.json's packageManager (newer ones may refuse the lockfile).
RUN npm install -g pnpm@12.4.2
WORKDIR /app

# Dependencies first, from the manifests alone: a change to source code reuses this layer.
FROM base AS deps
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
COPY packages/metrics/package.json packages/metrics/
COPY packages/observability/package.json packages/observability/
COPY packages/pipeline/package.json packages/pipeline/
COPY packages/prefilter/package.json packages/prefilter/
COPY packages/redis/package.json packages/redis/
COPY packages/synthetic/package.json packages/synthetic/
COPY packages/testing/package.json packages/testing/
COPY packages/wire/package.json packages/wire/
COPY test/package.json test/
RUN pnpm install --frozen-lockfile

FROM deps AS app
# Production unless a deployment says otherwise: development secrets and plain-http Alipay are then
# refused at start instead of being used silently (compose's RISKQ_NODE_ENV can override it).
ENV NODE_ENV=production
COPY . .
# The sandbox writes its development keys under .data/; the apps run as the unprivileged node user.
RUN mkdir -p .data/sandbox && chown -R node:node .data
USER node
CMD ["pnpm", "api"]
