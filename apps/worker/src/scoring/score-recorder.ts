import { recordModelExpiry, recordScores } from "@riskq/drift";
import type { Logger } from "@riskq/observability";
import type { Redis } from "ioredis";

/** Default length of a drift window: the drift-check job runs every 5 min over closed windows. */
const DRIFT_WINDOW_MS = 5 * 60_000;

export interface ScoreRecorderOptions {
  redis: Redis;
  prefix: string;
  logger: Pick<Logger, "warn">;
  /** Window length (default 5 min); the drift-check job must read with the same one. */
  windowMs?: number | undefined;
  /** Clock that picks the window (default the system clock). */
  now?: (() => number) | undefined;
  /**
   * Record the retirement date Alipay announces with a model (default true). Off, retirement is
   * detected from the scores alone — as it must be where the announcement is absent.
   */
  useModelExpiry?: boolean | undefined;
}

/** What one answered batch tells the drift detector. */
export interface AnsweredBatch {
  modelVersion: string;
  task: string;
  confidences: readonly number[];
  modelExpiry: Date | undefined;
}

/**
 * Feeds every answered batch into the drift windows of its (model, task), one MULTI per batch, and
 * remembers the retirement date Alipay announces for the model. Recording is bookkeeping, not
 * scoring: a failure is logged and never fails the batch whose jobs were scored fine.
 */
export function createScoreRecorder(options: ScoreRecorderOptions) {
  const windowMs = options.windowMs ?? DRIFT_WINDOW_MS;
  const now = options.now ?? Date.now;
  // Per process: the expiry changes once in a model's life, so only a change costs a SET.
  const lastExpiry = new Map<string, number>();

  return async function record(batch: AnsweredBatch): Promise<void> {
    const { modelVersion, task } = batch;
    try {
      if (batch.confidences.length > 0) {
        await recordScores(
          options.redis,
          { prefix: options.prefix, modelVersion, task, windowMs, now: now() },
          batch.confidences,
        );
      }
      const expiry = batch.modelExpiry?.getTime();
      if (
        options.useModelExpiry !== false &&
        expiry !== undefined &&
        lastExpiry.get(modelVersion) !== expiry
      ) {
        await recordModelExpiry(options.redis, options.prefix, modelVersion, new Date(expiry));
        lastExpiry.set(modelVersion, expiry);
      }
    } catch (err) {
      options.logger.warn({ err, modelVersion, task }, "could not record scores for drift detection");
    }
  };
}

export type ScoreRecorder = ReturnType<typeof createScoreRecorder>;
