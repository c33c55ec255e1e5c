import type { ScoreJobResult } from "@riskq/contracts";
import { isDegraded } from "@riskq/drift";
import type { ScoreJobDataWithHistory } from "@riskq/pipeline";
import type { Job } from "bullmq";
import { FALLBACK_MODEL, PINNED_MODEL } from "../demo-settings";
import type { Readings } from "../readings";
import { type Incident, type IncidentContext, seconds } from "./incident";

/** Newest completed jobs looked at for the model that scored them. */
const RECENT = 300;

/**
 * Alipay retires the pinned model without a word: it keeps answering 200, every score 0.5. The
 * scheduler's drift check (windows of seconds here) marks it degraded from the retirement date the
 * workers recorded, and withdraws its flat results; the workers send its jobs to the fallback model.
 */
export class ModelRetirement implements Incident {
  readonly name = "model retirement";
  readonly action = `the sandbox retires ${PINNED_MODEL} (it keeps answering 200, every score 0.5)`;
  private injectedAt = 0;
  private markSeenAfterMs: number | undefined;
  private looksWithFallback = 0;

  constructor(readonly at: number) {}

  async inject(ctx: IncidentContext): Promise<void> {
    await ctx.control.retireModel(PINNED_MODEL);
    this.injectedAt = Date.now();
  }

  async check(ctx: IncidentContext, readings: Readings): Promise<string | undefined> {
    const mark = await isDegraded(ctx.redis, ctx.prefix, PINNED_MODEL);
    if (!mark) return undefined;
    this.markSeenAfterMs ??= Date.now() - this.injectedAt;
    const recent = (await ctx.scoreQueue.getCompleted(0, RECENT - 1)) as Array<
      Job<ScoreJobDataWithHistory, ScoreJobResult>
    >;
    const byFallback = recent.filter(
      (job) => job.returnvalue?.source === "remote" && job.returnvalue.model_version === FALLBACK_MODEL,
    );
    if (byFallback.length === 0) return undefined;
    // The flat results given between the retirement and the mark are withdrawn by the same check and
    // scored again at once: wait a few looks for them to show among the newest results.
    const rescored = byFallback.filter((job) => (job.data.redrive_count ?? 0) > 0).length;
    this.looksWithFallback += 1;
    if (rescored === 0 && this.looksWithFallback < 4) return undefined;
    return (
      `${PINNED_MODEL} marked degraded (${mark.reason}) by the scheduler's drift check, seen ` +
      `${seconds(this.markSeenAfterMs)} after; its jobs go to the fallback ${FALLBACK_MODEL}, and the flat ` +
      `results it gave since the retirement were withdrawn and scored again (${rescored} among the ` +
      `${recent.length} newest results); model_flatline dead letters: ${readings.dead.model_flatline ?? 0}`
    );
  }

  progress(): string {
    return this.markSeenAfterMs === undefined
      ? "the drift check has not marked the model degraded yet"
      : `marked degraded ${seconds(this.markSeenAfterMs)} after; no result from ${FALLBACK_MODEL} yet`;
  }
}
