import {
  type AlertEventInput,
  type AlertPublisher,
  modelExpiringAlert,
  modelFlatlineAlert,
  modelRecoveredAlert,
  modelRetiredAlert,
} from "@riskq/alerts";
import type { AlipayClient } from "@riskq/alipay";
import {
  clearDegraded,
  degradedModels,
  flatlineVerdict,
  listSeries,
  markDegraded,
  mergeWindows,
  readModelExpiry,
  readRecentWindows,
  summarize,
  windowSize,
} from "@riskq/drift";
import type { Logger } from "@riskq/observability";
import type { ScoreQueue } from "@riskq/pipeline";
import type { Redis } from "ioredis";
import { runCanary } from "./canary-batch";
import { forgetWithdrawals, rescoreDegraded } from "./rescore-degraded";

/** Default drift window: the workers' DRIFT_WINDOW_MS must be the same. */
const DRIFT_WINDOW_MS = 5 * 60_000;
/** Closed windows before the two judged that are merged into the reference (the std-ratio signal). */
const REFERENCE_WINDOWS = 4;
/** An announced retirement this close raises a warning. */
const EXPIRY_WARNING_MS = 14 * 24 * 3_600_000;

export interface DriftCheckDeps {
  redis: Redis;
  prefix: string;
  alipay: Pick<AlipayClient, "listMerchants" | "scoreBatch">;
  /** The clock the workers' windows are on. */
  now: () => number;
  logger: Pick<Logger, "info" | "warn" | "error">;
  windowMs?: number | undefined;
  /** Scores a window needs before it counts (default the detector's 200). */
  minN?: number | undefined;
  /** Where a degraded model's recent results are withdrawn for re-scoring; none: they stay. */
  scoreQueue?: ScoreQueue | undefined;
  /**
   * Where flatline, recovery and expiry alerts go (docs/operations.md, "Alerts"); none: they are only
   * logged.
   */
  publishAlert?: AlertPublisher | undefined;
}

export interface DriftCheckReport {
  /** Per (model, task): the verdict's one-line reason. */
  series: Array<{ modelVersion: string; task: string; flatline: boolean; reason: string }>;
  /** Models whose canary ran, with its detail. */
  canaries: Record<string, string>;
  marked: string[];
  cleared: string[];
  expiring: string[];
  retired: string[];
  /** Per newly degraded model: the jobs sent back to be scored again. */
  rescored: Record<string, number>;
}

/**
 * The drift-check job: per (model, task) judges the two most recent closed windows against older
 * ones (flatlineVerdict); a flatline is confirmed by a canary batch before the model is marked
 * degraded (workers then stop using it), and a degraded model whose canary spreads again is
 * cleared. It also watches the retirement dates the workers saw: within 14 days a warning, past it
 * the model is marked degraded as retired. A newly degraded model's results since its flatline
 * began (or since its retirement) are withdrawn for re-scoring. Every alert is a log event (`alert`
 * field) and, with a publisher, an alert the alerter groups and delivers.
 */
export async function driftCheckJob(deps: DriftCheckDeps): Promise<DriftCheckReport> {
  const { redis, prefix, logger } = deps;
  const windowMs = deps.windowMs ?? DRIFT_WINDOW_MS;
  const now = deps.now();
  const report: DriftCheckReport = {
    series: [],
    canaries: {},
    marked: [],
    cleared: [],
    expiring: [],
    retired: [],
    rescored: {},
  };
  const degraded = await degradedModels(redis, prefix);
  const series = await listSeries(redis, prefix);

  // Flatline suspects: model → the task that showed it and when its first flat window began.
  const suspects = new Map<string, { task: string; since: number }>();
  for (const { modelVersion, task } of series) {
    // now − windowMs: the window holding `now` is still filling, so it is never judged.
    const windows = await readRecentWindows(redis, {
      prefix,
      modelVersion,
      task,
      windowMs,
      now: now - windowMs,
      count: 2 + REFERENCE_WINDOWS,
    });
    const [current, previous, ...older] = windows;
    if (current === undefined || previous === undefined) continue;
    const reference = mergeWindows(...older.map((w) => w.window));
    const verdict = flatlineVerdict(
      summarize(current.window),
      summarize(previous.window),
      windowSize(reference) > 0 ? summarize(reference) : undefined,
      { minN: deps.minN },
    );
    report.series.push({ modelVersion, task, flatline: verdict.flatline, reason: verdict.reason });
    if (verdict.flatline && !suspects.has(modelVersion)) {
      suspects.set(modelVersion, { task, since: previous.windowStart });
    }
  }

  for (const [model, suspect] of suspects) {
    if (degraded.has(model)) continue;
    const canary = await runCanary(deps.alipay, model, suspect.task, now);
    report.canaries[model] = canary.detail;
    if (canary.spread !== false) {
      logger.info(
        { model, task: suspect.task, detail: canary.detail },
        "flatline suspected but not confirmed by the canary",
      );
      continue;
    }
    if (await markDegraded(redis, prefix, model, { since: suspect.since, reason: "flatline" })) {
      report.marked.push(model);
      const rescored = await withdrawResults(deps, model, suspect.since, report);
      const since = new Date(suspect.since).toISOString();
      logger.error(
        { alert: "model_flatline", model, task: suspect.task, since, detail: canary.detail, rescored },
        "model flatlined: marked degraded, workers stop using it",
      );
      await alert(
        deps,
        modelFlatlineAlert({
          model,
          task: suspect.task,
          since: suspect.since,
          detail: canary.detail,
          rescored,
        }),
      );
    }
  }

  // A flatline mark is lifted only by the canary: the windows of a model nobody uses stay empty.
  for (const [model, mark] of degraded) {
    if (mark.reason !== "flatline") continue;
    const task = series.find((s) => s.modelVersion === model)?.task ?? "transaction_anomaly";
    const canary = await runCanary(deps.alipay, model, task, now);
    report.canaries[model] = canary.detail;
    if (canary.spread === true && (await clearDegraded(redis, prefix, model))) {
      report.cleared.push(model);
      await forgetWithdrawals(redis, prefix, model);
      logger.warn(
        { alert: "model_recovered", model, detail: canary.detail },
        "model spreads again: degraded mark cleared",
      );
      await alert(deps, modelRecoveredAlert({ model, detail: canary.detail }));
    }
  }

  await watchExpiry(
    deps,
    [...new Set([...series.map((s) => s.modelVersion), ...degraded.keys()])],
    now,
    report,
  );

  // Models degraded before this run: flat results that arrived since the last run are withdrawn too.
  for (const [model, mark] of degraded) {
    if (report.cleared.includes(model)) continue;
    const more = await withdrawResults(deps, model, mark.since, report);
    if (more > 0) logger.warn({ model, rescored: more }, "withdrew more results of a degraded model");
  }
  return report;
}

/** The model-expiry watch over the retirement dates the workers stored. */
async function watchExpiry(
  deps: DriftCheckDeps,
  models: readonly string[],
  now: number,
  report: DriftCheckReport,
): Promise<void> {
  for (const model of models) {
    const expiresAt = await readModelExpiry(deps.redis, deps.prefix, model);
    if (expiresAt === undefined) continue;
    const at = new Date(expiresAt).toISOString();
    if (expiresAt <= now) {
      report.retired.push(model);
      if (await markDegraded(deps.redis, deps.prefix, model, { since: expiresAt, reason: "retired" })) {
        const rescored = await withdrawResults(deps, model, expiresAt, report);
        deps.logger.error(
          { alert: "model_retired", model, expiresAt: at, rescored },
          "model retired: marked degraded",
        );
        await alert(deps, modelRetiredAlert({ model, retiredAt: expiresAt, rescored }));
      }
    } else if (expiresAt - now <= EXPIRY_WARNING_MS) {
      report.expiring.push(model);
      deps.logger.warn({ alert: "model_expiring", model, expiresAt: at }, "model retires within 14 days");
      // Raised at every check while it lasts: the alerter keeps one notice per model, repeated.
      await alert(deps, modelExpiringAlert({ model, expiresAt }));
    }
  }
}

/** Withdraws a newly degraded model's results since `since`; returns how many were sent back. */
async function withdrawResults(
  deps: DriftCheckDeps,
  model: string,
  since: number,
  report: DriftCheckReport,
): Promise<number> {
  if (!deps.scoreQueue) return 0;
  const { rescored } = await rescoreDegraded(
    { redis: deps.redis, prefix: deps.prefix, scoreQueue: deps.scoreQueue },
    model,
    since,
  );
  report.rescored[model] = (report.rescored[model] ?? 0) + rescored.length;
  return rescored.length;
}

/** Publishing is best effort: the log line is already written, and the check must go on. */
async function alert(deps: DriftCheckDeps, event: AlertEventInput): Promise<void> {
  await deps
    .publishAlert?.(event)
    .catch((err: unknown) => deps.logger.warn({ err }, "could not publish the alert"));
}
