import type { Logger } from "@riskq/observability";

export interface BatchCapOptions {
  /** The cap to start from: the configured one, or lower when a truncation was learned before. */
  initial: number;
  /** The documented limit probes go back up to (BATCH_CAP, 100). */
  maximum: number;
  /**
   * BATCH_CAP_PROBE_MS: once this long has passed without a truncation, a lowered cap is raised to
   * `maximum` again — accounts age past the young-account limit, and nothing else would tell us.
   */
  probeAfterMs: number;
  logger: Pick<Logger, "warn">;
  /** Forgets the cap learned in Redis (shared with the other workers), so a restart starts high too. */
  forgetLearned: () => Promise<void>;
  now?: () => number;
}

/**
 * The batch cap of one worker process: lowered at once to what a truncated answer held (the
 * young-account limit, 50), probed back up to the documented maximum once truncations have stopped
 * for `probeAfterMs`. A probe that truncates again lowers it again at the cost of one call's missing
 * items being sent again (as with any truncation). Every change is logged.
 */
export function createBatchCap(options: BatchCapOptions) {
  const now = options.now ?? Date.now;
  let cap = options.initial;
  let lastChangeAt = now();
  const change = (to: number, why: string) => {
    options.logger.warn({ from: cap, to }, why);
    cap = to;
    lastChangeAt = now();
  };
  return {
    /** The cap now; raises it first when a probe is due. */
    current(): number {
      if (cap < options.maximum && now() - lastChangeAt >= options.probeAfterMs) {
        change(
          options.maximum,
          "batch cap probe: no truncation for a while, trying the documented limit again",
        );
        options
          .forgetLearned()
          .catch((err: unknown) =>
            options.logger.warn({ err }, "could not forget the learned batch cap in Redis"),
          );
      }
      return cap;
    },
    /** The remote answered only `answered` items of a batch (a truncation). */
    truncated(answered: number): void {
      if (answered < cap) change(answered, "batch cap lowered after a truncated answer");
      else lastChangeAt = now();
    },
    /** The cap without probing (metrics). */
    peek: (): number => cap,
  };
}
export type BatchCap = ReturnType<typeof createBatchCap>;

/** The batch limit Alipay gives a young account (docs/alipay-ai-api.md). */
const YOUNG_ACCOUNT_CAP = 50;

/**
 * The one place a worker's starting cap is decided: the configured cap (BATCH_CAP), at most 50 for an
 * account known to be young (ALIPAY_YOUNG_ACCOUNT), at most what an earlier truncation taught the workers;
 * probes go back up to `maximum` (default the configured cap).
 */
export async function startBatchCap(options: {
  configured: number;
  youngAccount?: boolean;
  maximum?: number;
  probeAfterMs?: number;
  alipay: { learnedBatchCap(): Promise<number | undefined>; forgetBatchCap(): Promise<void> };
  logger: Pick<Logger, "warn">;
}): Promise<BatchCap> {
  const start = options.youngAccount ? Math.min(YOUNG_ACCOUNT_CAP, options.configured) : options.configured;
  return createBatchCap({
    initial: Math.min(start, (await options.alipay.learnedBatchCap()) ?? start),
    maximum: Math.max(start, options.maximum ?? options.configured),
    probeAfterMs: options.probeAfterMs ?? 600_000,
    logger: options.logger,
    forgetLearned: () => options.alipay.forgetBatchCap(),
  });
}
