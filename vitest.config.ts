import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const repoRoot = fileURLToPath(new URL(".", import.meta.url));

/**
 * Test files that need neither Redis nor a sandbox (nor any other process or service): the `unit`
 * project, `pnpm test:unit`. They run in the `unit` project only, so `vitest run` runs each file once.
 */
const UNIT_TESTS = [
  "apps/demo/test/flags.test.ts",
  "apps/sandbox/test/aes-key-schedule.test.ts",
  "apps/sandbox/test/model.test.ts",
  "apps/worker/test/callback-env.test.ts",
  "apps/worker/test/fair-share.test.ts",
  "apps/worker/test/job-deadline.test.ts",
  "packages/alerts/test/alert-text.test.ts",
  "packages/alerts/test/webhook-redirects.test.ts",
  "packages/alipay/test/answer-limits.test.ts",
  "packages/alipay/test/pick-key.test.ts",
  "packages/alipay/test/score-request.test.ts",
  "packages/alipay/test/secret-box.test.ts",
  "packages/client/test/retry-delays.test.ts",
  "packages/config/test/api-keys.test.ts",
  "packages/config/test/app-root.test.ts",
  "packages/config/test/duration-fields.test.ts",
  "packages/config/test/port-or-off.test.ts",
  "packages/config/test/secrets.test.ts",
  "packages/contracts/test/card-number.test.ts",
  "packages/contracts/test/model-version.test.ts",
  "packages/cost/test/simulate-bill.test.ts",
  "packages/drift/test/flatline.test.ts",
  "packages/drift/test/psi.test.ts",
  "packages/drift/test/score-window.test.ts",
  "packages/http/test/request-id.test.ts",
  "packages/pipeline/test/call-rate-limiter-adaptive.test.ts",
  "packages/pipeline/test/callbacks-delivery.test.ts",
  "packages/pipeline/test/callbacks-destination-rules.test.ts",
  "packages/pipeline/test/circuit-breaker-shared-failure.test.ts",
  "packages/pipeline/test/circuit-breaker.test.ts",
  "packages/pipeline/test/micro-batcher-gate.test.ts",
  "packages/pipeline/test/retry-policy.test.ts",
  "packages/prefilter/test/built-in-model.test.ts",
  "packages/prefilter/test/decisions.test.ts",
  "packages/prefilter/test/logistic-fit.test.ts",
  "packages/prefilter/test/onnx-classifier.test.ts",
  "packages/prefilter/test/payment-features.test.ts",
  "packages/prefilter/test/weights-reproduce.test.ts",
  "packages/synthetic/test/rng.test.ts",
  "packages/synthetic/test/traffic.test.ts",
  "packages/tracing/test/tracing-off.test.ts",
  "packages/tracing/test/tracing-on.test.ts",
  "packages/tracing/test/tracing-settings.test.ts",
];

// A renamed or moved unit test must be renamed here too, not silently dropped from every run.
const missingUnitTests = UNIT_TESTS.filter((file) => !existsSync(join(repoRoot, file)));
if (missingUnitTests.length > 0) {
  throw new Error(`vitest.config.ts lists unit tests that do not exist: ${missingUnitTests.join(", ")}`);
}

/**
 * One project per workspace, named like its package (`--project @riskq/pipeline`): apps/*,
 * packages/* and the repository-level tests in test/ (@riskq/repo-tests). Each workspace's `test`
 * script runs its own project plus its files of the `unit` project.
 */
function workspaceProjects() {
  const workspaces = ["apps", "packages"].flatMap((group) =>
    readdirSync(join(repoRoot, group))
      .filter((name) => existsSync(join(repoRoot, group, name, "package.json")))
      .map((name) => `${group}/${name}`),
  );
  return [...workspaces, "test"].map((dir) => {
    const { name } = JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8")) as {
      name: string;
    };
    return {
      // `extends: true`: the timeouts below hold in every project.
      extends: true as const,
      test: {
        name,
        include: [dir === "test" ? "test/**/*.test.ts" : `${dir}/test/**/*.test.ts`],
        exclude: ["**/node_modules/**", ...UNIT_TESTS],
      },
    };
  });
}

export default defineConfig({
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Test files spawn real sandbox processes and talk to real Redis: two cores here.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [...workspaceProjects(), { extends: true, test: { name: "unit", include: UNIT_TESTS } }],
  },
});
