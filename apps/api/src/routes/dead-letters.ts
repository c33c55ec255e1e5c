import {
  DEAD_LETTER_REASONS,
  type DeadLetterPage,
  isScoreJobId,
  merchantOfJobId,
  type PurgeAnswer,
  type RedriveAnswer,
  SCORE_JOB_ID_SHAPE,
} from "@riskq/contracts";
import type { Logger } from "@riskq/observability";
import type { DeadLetterStore, MerchantFilter } from "@riskq/pipeline";
import type { FastifyPluginAsync } from "fastify";
import { z } from "zod";
import { type ApiCaller, actsFor, callerOf, requireOperator } from "../http/api-caller";
import { notFound } from "../http/api-error";
import { parseOrThrow } from "../http/field-issues";
import { presentDeadLetter } from "../scores/job-presentation";

/** The query of `GET /v1/dead-letters` (exported for the OpenAPI document, as the bodies below). */
export const deadLetterListQuerySchema = z.object({
  reason: z.enum(DEAD_LETTER_REASONS).optional().describe("only dead letters of this reason"),
  offset: z.coerce.number().int().min(0).default(0).describe("dead letters to skip (newest first)"),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe("page size"),
});

// Which dead letters a redrive or a purge acts on: listed ids, or every one of a reason.
export const deadLetterSelectionSchema = z
  .strictObject({
    // Checked here as well as in the store, so a caller learns which id is wrong instead of seeing
    // it silently skipped.
    ids: z
      .array(z.string().refine(isScoreJobId, `a job id: ${SCORE_JOB_ID_SHAPE}`))
      .min(1)
      .max(10_000)
      .optional()
      .describe("these dead letters (job ids); not with reason"),
    reason: z.enum(DEAD_LETTER_REASONS).optional().describe("every dead letter of this reason; not with ids"),
  })
  .refine((body) => (body.ids === undefined) !== (body.reason === undefined), {
    message: "give either ids or reason (exactly one)",
  })
  .describe("Which dead letters: either ids or reason (exactly one)");

/**
 * One audit line per redrive or purge: who (the key's name, never the key), what was asked and what
 * was done. Redrives and purges go through here (and the CLI, which calls here) so they are on record.
 */
function audit(
  logger: Logger,
  caller: ApiCaller,
  action: "redrive" | "purge",
  selection: z.output<typeof deadLetterSelectionSchema>,
  done: readonly string[],
): void {
  logger.info(
    {
      audit: {
        action,
        key: caller.name,
        ...(selection.reason ? { reason: selection.reason } : { ids_asked: selection.ids?.length ?? 0 }),
        count: done.length,
        ids: done.slice(0, 100),
      },
    },
    `dead letters ${action === "redrive" ? "redriven" : "purged"}`,
  );
}

/** The store's filter for a caller's merchants (undefined: every merchant). */
const merchantsOf = (caller: ApiCaller): MerchantFilter =>
  caller.merchants === "*" ? undefined : caller.merchants;

/**
 * The ids of the caller's merchants: the others are skipped like ids that are not dead, so a limited
 * operator learns nothing of other merchants' letters (and the store checks the ids' shape again).
 */
function visibleIds(caller: ApiCaller, ids: readonly string[]): string[] {
  return ids.filter((id) => {
    const merchant = isScoreJobId(id) ? merchantOfJobId(id) : undefined;
    return merchant !== undefined && actsFor(caller, merchant);
  });
}

/**
 * `GET /v1/dead-letters` (newest first, by reason, paginated), `GET /v1/dead-letters/:id`,
 * `POST /v1/dead-letters/redrive` and `DELETE /v1/dead-letters` (purge).
 */
export function deadLetterRoutes(deadLetters: DeadLetterStore, logger: Logger): FastifyPluginAsync {
  return async (app) => {
    // Dead letters hold every caller's requests and callback URLs: operators only, each limited to
    // the merchants of its key (what it cannot see it cannot redrive or purge either).
    app.addHook("preHandler", async (request) => requireOperator(callerOf(request), "the dead-letter queue"));

    app.get("/v1/dead-letters", async (request) => {
      const query = parseOrThrow(deadLetterListQuerySchema, request.query);
      const page = await deadLetters.list({ ...query, merchants: merchantsOf(callerOf(request)) });
      return {
        total: page.total,
        offset: query.offset,
        limit: query.limit,
        items: page.items.map(presentDeadLetter),
      } satisfies DeadLetterPage;
    });

    // Redriven jobs go back to `score` with their attempts reset; ids that are not dead are skipped
    // (and so are absent from `redriven`), which makes repeating a redrive harmless.
    app.post("/v1/dead-letters/redrive", async (request) => {
      const body = parseOrThrow(deadLetterSelectionSchema, request.body);
      const caller = callerOf(request);
      const redriven = body.ids
        ? await deadLetters.redrive(visibleIds(caller, body.ids))
        : await deadLetters.redriveReason(body.reason!, merchantsOf(caller));
      audit(logger, caller, "redrive", body, redriven);
      return { redriven, count: redriven.length } satisfies RedriveAnswer;
    });

    app.get<{ Params: { id: string } }>("/v1/dead-letters/:id", async (request) => {
      const { id } = request.params;
      // The store answers undefined for an id no job can have (BullMQ's `meta`, `events`…): 404.
      // Another merchant's letter answers as a missing one, as for jobs.
      const letter = visibleIds(callerOf(request), [id]).length > 0 ? await deadLetters.get(id) : undefined;
      if (!letter) throw notFound(`no dead letter with id ${JSON.stringify(id)}`);
      return presentDeadLetter(letter);
    });

    // Deletes dead letters and their failed jobs for good (the job ids become free again); ids that
    // are not dead are skipped, so repeating a purge is harmless.
    app.delete("/v1/dead-letters", async (request) => {
      const body = parseOrThrow(deadLetterSelectionSchema, request.body);
      const caller = callerOf(request);
      const purged = body.ids
        ? await deadLetters.purge(visibleIds(caller, body.ids))
        : await deadLetters.purgeReason(body.reason!, merchantsOf(caller));
      audit(logger, caller, "purge", body, purged);
      return { purged, count: purged.length } satisfies PurgeAnswer;
    });
  };
}
