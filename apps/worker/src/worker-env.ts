import {
  alipayEnv,
  appRoot,
  bool,
  callbackSecretEnv,
  field,
  idempotencyEnv,
  integer,
  number,
  oneOf,
  portOrOff,
  riskqCommonEnv,
} from "@riskq/config";
import { DEADLINE_POLICIES } from "@riskq/contracts";
import { budgetLimitsEnv } from "@riskq/cost";
import { ALLOW_LIST_EXPECTED, EMPTY_ALLOW_LIST, parseCallbackAllowListText } from "@riskq/pipeline";
import { validate } from "node-cron";
import { z } from "zod";
import { DEFAULT_DEADLINE_MARGIN_MS } from "./worker-options";

/** The repository root (or the image's app folder), whatever folder the worker is started from. */
const REPO_ROOT = appRoot(import.meta.url);

/** The worker's variables (README, "Environment variables"). */
export const workerEnv = riskqCommonEnv
  .extend({
    WORKER_CONCURRENCY: integer({ min: 1, max: 5_000, default: 1_000 }),
    BATCH_CAP: integer({ min: 1, max: 100, default: 100 }),
    BATCH_LINGER_MS: integer({ min: 0, max: 5_000, default: 25 }),
    // Merge batches of one merchant across worker processes (fewer, fuller calls under a rate limit).
    WORKER_SHARED_BATCHES: bool(true),
    ALIPAY_YOUNG_ACCOUNT: bool(false),
    ALIPAY_MODEL_VERSION: z.string().min(1).default("risk-v3-2026-11"),
    // Takes the jobs of a model marked degraded (flatlined or retired); unset, they dead-letter.
    ALIPAY_FALLBACK_MODEL_VERSION: z.string().min(1).optional(),
    // Drift window length; the scheduler's DRIFT_WINDOW_MS must be the same.
    DRIFT_WINDOW_MS: integer({ min: 1_000, default: 300_000 }),
    // "ignore": detect retired models from their scores alone, as with an Alipay that announces nothing.
    DRIFT_MODEL_EXPIRY: oneOf(["use", "ignore"], "use"),
    ALIPAY_INITIAL_RATE: number({ min: 0.1, max: 10_000, default: 5 }),
    JOB_ATTEMPTS: integer({ min: 1, max: 100, default: 8 }),
    EXPIRED_POLICY: oneOf(["complete", "dead-letter"], "complete"),
    // How a job no remote score can reach before its deadline is decided (docs/pipeline.md, "Deadlines").
    RISKQ_ON_DEADLINE: oneOf(DEADLINE_POLICIES, "local"),
    // Jobs are decided this long before their deadline, so the decision is stored and read in time.
    RISKQ_DEADLINE_MARGIN_MS: integer({ min: 0, max: 1_000, default: DEFAULT_DEADLINE_MARGIN_MS }),
    // The longest an Alipay call may take; shorter when the batch's earliest deadline is nearer.
    ALIPAY_CALL_TIMEOUT_MS: integer({ min: 100, max: 60_000, default: 5_000 }),
    // A batch cap lowered by truncations is probed back up to BATCH_CAP after this long without one.
    BATCH_CAP_PROBE_MS: integer({ min: 1_000, default: 600_000 }),
    // Degraded decisions are scored remotely later, at the lowest priority, for audit (billed).
    RISKQ_RESCORE_DEGRADED: oneOf(["on", "off"], "off"),
    RATE_LIMIT_MAX_WAIT_MS: integer({ min: 1_000, default: 3_600_000 }),
    SHUTDOWN_GRACE_MS: integer({ min: 0, default: 10_000 }),
    // How soon a job whose worker died is noticed and handed to another (BullMQ lock/stalled check).
    // This process's own AES key probe (node-cron, read in UTC); "off" disables it.
    WORKER_KEY_PROBE_CRON: z
      .string()
      .refine((v) => v === "off" || validate(v), "a node-cron expression (e.g. */10 * * * *) or off")
      .default("*/10 * * * *"),
    JOB_LOCK_MS: integer({ min: 1_000, default: 30_000 }),
    RISKQ_ALLOW_EVICTION: bool(false),
    // The master secret of result callbacks; each API key's receivers hold one derived from it.
    RISKQ_CALLBACK_SECRET: callbackSecretEnv.shape.RISKQ_CALLBACK_SECRET,
    CALLBACK_CONCURRENCY: integer({ min: 1, max: 1_000, default: 20 }),
    // Callback destinations opened on purpose (exact hostnames, CIDRs): loopback, private, link-local
    // and metadata addresses are refused unless named here (docs/security.md, "Callback destinations").
    RISKQ_CALLBACK_ALLOWED_HOSTS: field(ALLOW_LIST_EXPECTED, parseCallbackAllowListText).default(
      () => EMPTY_ALLOW_LIST,
    ),
    // GET /metrics of this process (docs/metrics.md, "Metrics"); 0 picks a free port, off serves none.
    WORKER_METRICS_PORT: portOrOff(9464),
    METRICS_HOST: z.string().min(1).default("127.0.0.1"),
    // Days a day of the cost ledger and recorded traffic is kept (docs/budget-and-cost.md, "Cost").
    COST_RETENTION_DAYS: integer({ min: 1, max: 3_650, default: 400 }),
    RISKQ_BUDGET_EXHAUSTED: oneOf(["wait", "dead-letter"], "wait"),
    RISKQ_BUDGET_RECHECK_MS: integer({ min: 100, default: 60_000 }),
    // A day and an hour: a job that arrived just after the daily budget ran out still sees the next day.
    RISKQ_BUDGET_MAX_WAIT_MS: integer({ min: 1_000, default: 90_000_000 }),
    // The local pre-filter (docs/prefilter.md, "Pre-filter"). Shadow by default: its weights come from
    // synthetic traffic, so it only judges and counts until an operator has seen it agree with Alipay.
    RISKQ_PREFILTER: oneOf(["on", "shadow", "off"], "shadow"),
    // While Alipay cannot be reached (open circuit, exhausted budget) the pre-filter answers, degraded.
    RISKQ_PREFILTER_FALLBACK: bool(false),
    // A user's ONNX classifier instead of the built-in model, with its own two cuts on P(fraud).
    RISKQ_PREFILTER_ONNX_MODEL: z.string().min(1).optional(),
    RISKQ_PREFILTER_ONNX_THRESHOLDS: field(
      "<legit_max>,<fraud_min>: two probabilities, the first below the second",
      (raw) => {
        const [legit, fraud, ...rest] = raw.split(",").map((part) => Number(part.trim()));
        const ok =
          rest.length === 0 &&
          legit !== undefined &&
          fraud !== undefined &&
          0 <= legit &&
          legit < fraud &&
          fraud <= 1;
        return ok ? { ok: true, value: { legit_max: legit, fraud_min: fraud } } : { ok: false };
      },
    ).optional(),
    RISKQ_PREFILTER_ONNX_RUNTIME: z.string().min(1).default("onnxruntime-node"),
  })
  // Budgets in USD, per UTC day / month (docs/budget-and-cost.md, "Budget"); unset = no such budget.
  .extend(budgetLimitsEnv.shape)
  // How long a finished job's outcome answers duplicates (docs/pipeline.md, "Idempotency"); the API's must
  // match.
  .extend(idempotencyEnv.shape)
  .extend(alipayEnv(REPO_ROOT).shape);
export type WorkerEnv = z.output<typeof workerEnv>;
