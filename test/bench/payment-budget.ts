/**
 * Decisions inside the payment budget (part of `pnpm bench`): payment services calling riskq
 * synchronously through its public HTTP API, each payment held for at most its default 2-s
 * deadline, while Alipay's limits tighten and one merchant floods the queue. Figures, printed and
 * written, never asserted.
 *
 * Setup: the sandbox at realistic latency (median 400 ms, p99 900 ms) and its default limits
 * (batch/predict 10 calls/s), the API and 2 worker processes with their defaults (pre-filter in
 * shadow, the default deadline policy), 4 merchants onboarded, one task each. Each merchant sends
 * --rate (default 100) `POST /v1/scores?wait_ms=2500` per second on a fixed schedule (open loop),
 * with no `deadline_ms`. Phases: warm-up (20 s, not counted: the limiter learns the rate), steady
 * (20 s), storm (batch limit 1 call/s, burst 1, for 3 s), after-storm (8 s), burst (one merchant
 * also posts 1 000 items in one `POST /v1/scores/batch?wait_ms=2500`; 5 s), tail (3 s).
 *
 * A request counts as decided in budget when it is answered 200 with a completed job decided by
 * `remote`, `prefilter` or `policy` within deadline + 100 ms of being sent (`expired` is no decision).
 * Writes bench/payment-budget.json. Run alone: `npx tsx test/bench/payment-budget.ts [--rate 100]
 * [--workers 2] [--records requests.jsonl]` (the second writes every request's record, one JSON line each).
 */

import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { DEFAULT_DEADLINE_MS, type ScoreRequestBody, TASKS } from "@riskq/contracts";
import { generateTraffic, type MerchantProfile } from "@riskq/synthetic";
import type { SandboxLedger } from "@riskq/testing";
import { ledgerWindow } from "../e2e/support/ledger-window";
import { testMerchants } from "../e2e/support/score-traffic";
import { type Stack, startStack } from "../e2e/support/stack";
import { runBench } from "./harness/bench-lifecycle";
import { callFigures, limiterRecovery } from "./harness/budget-figures";
import { LimiterRateSampler } from "./harness/limiter-rate-sampler";
import { OpenLoopCallers } from "./harness/open-loop-callers";
import {
  type ApiTarget,
  type BatchCall,
  type CallRecord,
  callScoreBatch,
  closeCallerConnections,
} from "./harness/payment-calls";
import { machineInfo, writeReport } from "./harness/report";
import { percentile } from "./harness/score-jobs";
import {
  type BurstBatch,
  COUNTED_PHASES,
  formatPaymentBudgetReport,
  meetsTargets,
  PAYMENT_BUDGET_REPORT,
  PAYMENT_BUDGET_TARGETS,
  type PaymentBudgetReport,
  PHASES,
  type PhaseFigures,
  type PhaseName,
} from "./reports/payment-budget";

const BENCH = "payment-budget";
const SEED = 61;
const MERCHANTS = 4;
/** A caller holds the payment a little longer than the deadline: a late answer is then measured, not cut. */
const WAIT_MS = 2_500;
const BUDGET_MS = DEFAULT_DEADLINE_MS + 100;
const PHASE_SECONDS: Record<PhaseName, number> = {
  warm_up: 20,
  steady: 20,
  storm: 3,
  after_storm: 8,
  burst: 5,
  tail: 3,
};
const STORM_LIMIT = { qps: 1, burst: 1 };
const BURST_ITEMS = 1_000;
/** The merchant that posts the burst; the other three are its neighbours. */
const BURSTER = 0;
/**
 * The workers' defaults, stated so the report says what ran: the pre-filter only judges (shadow),
 * so every decision in time is Alipay's unless a deadline forces the local one.
 */
const WORKER_ENV = { RISKQ_PREFILTER: "shadow" };

const { values: flags } = parseArgs({
  options: {
    rate: { type: "string", default: "100" },
    workers: { type: "string", default: "2" },
    records: { type: "string" },
  },
});
const perSecond = Number(flags.rate);
if (!Number.isFinite(perSecond) || perSecond <= 0 || perSecond > 500) {
  process.stderr.write(`${BENCH}: --rate must be a number of requests/s per merchant in (0, 500]\n`);
  process.exit(2);
}
const WORKERS = Number(flags.workers);
if (!Number.isInteger(WORKERS) || WORKERS < 1 || WORKERS > 8) {
  process.stderr.write(`${BENCH}: --workers must be a whole number of worker processes in [1, 8]\n`);
  process.exit(2);
}

const progress = (line: string) => process.stdout.write(`${BENCH}: ${line}\n`);
const live: {
  stack: Stack | undefined;
  callers: OpenLoopCallers | undefined;
  sampler: LimiterRateSampler | undefined;
} = {
  stack: undefined,
  callers: undefined,
  sampler: undefined,
};

async function main(): Promise<number> {
  progress(`starting a sandbox (realistic latency, default limits), the API and ${WORKERS} workers…`);
  const stack = await startStack({
    workers: WORKERS,
    workerEnv: WORKER_ENV,
    sandbox: { latencyProfile: "realistic", seed: SEED },
  });
  live.stack = stack;
  const merchants = testMerchants(SEED, MERCHANTS);
  await stack.onboardMerchants(merchants.map((m) => m.merchant_id));
  const control = stack.sandbox.control;
  const limits = (await control.state()).faults.rate_limits;
  const trafficSeconds = Object.values(PHASE_SECONDS).reduce((a, b) => a + b, 0);
  const perMerchant = Math.ceil(perSecond * (trafficSeconds + 1));
  const streams = merchants.map((m, i) =>
    paymentRequests(m, i, perMerchant + (i === BURSTER ? BURST_ITEMS : 0)),
  );
  const burstItems = streams[BURSTER]!.splice(perMerchant);
  const target: ApiTarget = { url: stack.api.url, apiKey: stack.apiKey, waitMs: WAIT_MS };

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const loadAvgStart = loadavg()[0]!;
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const callers = new OpenLoopCallers({ target, streams, perSecond, now });
  const sampler = new LimiterRateSampler(`${String(stack.workers[0]!.ready.metrics)}`, now);
  live.callers = callers;
  live.sampler = sampler;
  progress(
    `${merchants.length} merchants (${merchants.map((_, i) => taskOf(i)).join(", ")}) × ${perSecond} requests/s, ` +
      `POST /v1/scores?wait_ms=${WAIT_MS}, default deadline; phases ${PHASES.map((p) => `${p} ${PHASE_SECONDS[p]} s`).join(", ")}`,
  );

  const starts: Record<string, number> = {};
  const ledgers: SandboxLedger[] = [];
  const storm = { startAt: 0, endAt: 0 };
  let batch: Promise<BatchCall> | undefined;
  callers.start();
  sampler.start();
  let due = 0;
  for (const phase of PHASES) {
    starts[phase] = now();
    ledgers.push(await control.ledger());
    due += PHASE_SECONDS[phase] * 1_000;
    if (phase === "storm") {
      await control.faults({ rate_limits: { batch_qps: STORM_LIMIT.qps, batch_burst: STORM_LIMIT.burst } });
      storm.startAt = now();
      await sleep(Math.max(0, due - now()));
      await control.faults({ rate_limits: { batch_qps: limits.batch_qps, batch_burst: limits.batch_burst } });
      storm.endAt = now();
    } else {
      if (phase === "burst") batch = callScoreBatch(target, burstItems, now);
      await sleep(Math.max(0, due - now()));
    }
    const rate = sampler.samples.at(-1)?.rate;
    progress(
      `${phase} done at ${(now() / 1_000).toFixed(1)} s: ${callers.records.length + callers.pending} requests sent so far, ` +
        `${callers.pending} waiting for an answer; limiter batch bucket ${rate?.toFixed(2) ?? "–"}/s`,
    );
  }
  const endAt = now();
  const loadAvgEnd = loadavg()[0]!;
  loop.disable();
  ledgers.push(await control.ledger());
  progress(`traffic stopped; waiting for the ${callers.pending} requests in flight…`);
  await callers.stop();
  const batchCall = await batch;
  await sampler.stop();

  const bounds = PHASES.map((p, i) => ({ phase: p, from: starts[p]!, to: starts[PHASES[i + 1]!] ?? endAt }));
  const phaseOf = (r: CallRecord) => bounds.find((b) => r.scheduledAt < b.to)?.phase ?? "tail";
  const byPhase = Object.fromEntries(
    PHASES.map((p) => [p, callers.records.filter((r) => phaseOf(r) === p)]),
  ) as Record<PhaseName, CallRecord[]>;
  const budget = { budgetMs: BUDGET_MS };
  const phaseFigures = (phase: PhaseName, i: number): PhaseFigures => {
    const window = ledgerWindow(ledgers[i]!, ledgers[i + 1]!, (bounds[i]!.to - bounds[i]!.from) / 1_000);
    return {
      seconds: Math.round(window.seconds * 10) / 10,
      ...callFigures(byPhase[phase], budget),
      sandbox_calls: window.scoringCalls,
      sandbox_429: window.throttled,
    };
  };
  const figures = Object.fromEntries(PHASES.map((p, i) => [p, phaseFigures(p, i)])) as Record<
    PhaseName,
    PhaseFigures
  >;
  const neighbourP99 = (records: readonly CallRecord[]) =>
    p99Of(records.filter((r) => r.merchant !== BURSTER));
  const burstP99 = neighbourP99(byPhase.burst);
  const steadyP99 = neighbourP99(byPhase.steady);
  const recovery = limiterRecovery(sampler.samples, storm);
  const partial = {
    measured_at: new Date().toISOString(),
    machine: machineInfo(),
    settings: {
      merchants: merchants.length,
      tasks: merchants.map((_, i) => taskOf(i)),
      per_merchant_per_s: perSecond,
      workers: WORKERS,
      worker_env: WORKER_ENV,
      wait_ms: WAIT_MS,
      deadline_ms: DEFAULT_DEADLINE_MS,
      budget_ms: BUDGET_MS,
      latency_profile: "realistic" as const,
      batch_limit: { qps: limits.batch_qps, burst: limits.batch_burst },
      storm_limit: STORM_LIMIT,
      phase_seconds: PHASE_SECONDS,
      burst_items: BURST_ITEMS,
    },
    ...figures,
    burst: {
      ...figures.burst,
      neighbour_p99_ms: burstP99,
      steady_neighbour_p99_ms: steadyP99,
      neighbour_p99_ratio:
        burstP99 !== null && steadyP99 !== null && steadyP99 > 0
          ? Math.round((burstP99 / steadyP99) * 1000) / 1000
          : null,
      batch: burstBatch(batchCall, burstItems.length),
    },
    overall: callFigures(
      COUNTED_PHASES.flatMap((p) => byPhase[p]),
      budget,
    ),
    recovery_s: recovery.recovery_s,
    recovery,
    caller: {
      skipped_in_flight: callers.skippedInFlight,
      skipped_late: callers.skippedLate,
      event_loop_delay_p99_ms: Math.round(loop.percentile(99) / 1e5) / 10,
      load_avg_start: Math.round(loadAvgStart * 10) / 10,
      load_avg_end: Math.round(loadAvgEnd * 10) / 10,
    },
    targets: PAYMENT_BUDGET_TARGETS,
  };
  const meets = meetsTargets(partial);
  const report: PaymentBudgetReport = {
    ...partial,
    meets,
    meets_targets: Object.values(meets).every(Boolean),
  };
  progress(`\n${formatPaymentBudgetReport(report)}`);
  progress(`wrote ${writeReport(PAYMENT_BUDGET_REPORT, report)}`);
  if (flags.records !== undefined) {
    // Every request as sent and answered, with its phase, for a closer look than the summary.
    const lines = callers.records.map((r) => JSON.stringify({ phase: phaseOf(r), ...r }));
    writeFileSync(flags.records, `${lines.join("\n")}\n`);
    progress(`wrote ${callers.records.length} request records to ${flags.records}`);
  }
  return 0;
}

/** Merchant i asks for one task (card_risk, merchant_behavior, transaction_anomaly, card_risk…). */
const taskOf = (i: number) => TASKS[i % TASKS.length]!;

/**
 * One merchant's payments as its service would send them: synthetic traffic of that merchant alone
 * (card_risk needs the card fingerprint, which the generator always sets), no deadline_ms — the
 * default 2 s is the payment budget.
 */
function paymentRequests(merchant: MerchantProfile, i: number, count: number): ScoreRequestBody[] {
  const traffic = generateTraffic({
    seed: SEED * 100 + i,
    merchants: [merchant],
    count,
    start: Date.now() - count * 10 - 60_000,
    spacingMs: 10,
  });
  return traffic.map(({ item }) => ({ ...item, task: taskOf(i) }));
}

function p99Of(records: readonly CallRecord[]): number | null {
  const waits = records
    .filter((r) => (r.status === 200 || r.status === 202) && r.answeredAt !== undefined)
    .map((r) => r.answeredAt! - r.sentAt)
    .sort((a, b) => a - b);
  return waits.length === 0 ? null : Math.round(percentile(waits, 0.99) * 10) / 10;
}

function burstBatch(call: BatchCall | undefined, items: number): BurstBatch {
  const tally = (key: (job: BatchCall["jobs"][number]) => string | undefined) => {
    const out: Record<string, number> = {};
    for (const job of call?.jobs ?? []) {
      const k = key(job);
      if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  };
  const decided = (call?.jobs ?? [])
    .map((j) => j.decidedInMs)
    .filter((v): v is number => v !== undefined)
    .sort((a, b) => a - b);
  return {
    items,
    status: call?.status ?? 0,
    round_trip_ms: call?.answeredAt === undefined ? null : Math.round(call.answeredAt - call.sentAt),
    by_job_status: tally((j) => j.jobStatus),
    by_source: tally((j) => j.source),
    decided_in_ms_p99: decided.length === 0 ? null : percentile(decided, 0.99),
  };
}

async function cleanUp(): Promise<void> {
  await live.callers?.stop().catch(() => {});
  await live.sampler?.stop().catch(() => {});
  closeCallerConnections();
  await live.stack?.stop();
}

process.exit(await runBench(BENCH, main, cleanUp));
