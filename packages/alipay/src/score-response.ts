import { type Billing, type ScoreResult, scoreResponseSchema } from "@riskq/contracts";
import { BatchTruncated } from "./errors/batch-truncated";
import { ResponseInvalid } from "./errors/response-invalid";
import { SilentDrop } from "./errors/silent-drop";

/** One item's outcome: its result, or why it has none. */
export type ItemOutcome =
  | { itemId: string; result: ScoreResult }
  | { itemId: string; missing: SilentDrop | BatchTruncated };

export interface CheckedScoreResponse {
  modelVersion: string;
  billing: Billing;
  /** In the order the items were sent. */
  outcomes: ItemOutcome[];
  /** Set when items are unanswered: which ones, and whether it was a truncation. */
  missing: SilentDrop | BatchTruncated | undefined;
}

/**
 * The strict check of a 200 scoring answer: schema, the pinned model, every item answered exactly
 * once. HTTP 200 proves nothing here (docs/alipay-ai-api.md §5.3, 6.3, 6.4).
 */
export function checkScoreResponse(
  json: unknown,
  sentIds: readonly string[],
  pinned: string,
): CheckedScoreResponse {
  const parsed = scoreResponseSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ResponseInvalid(
      `scoring answer does not match the contract at ${issue?.path.join(".")}: ${issue?.message}`,
    );
  }
  const body = parsed.data;
  if (body.model_version !== pinned) {
    throw new ResponseInvalid(`answered by model ${body.model_version}, but ${pinned} was pinned`);
  }

  const sent = new Set(sentIds);
  const byId = new Map<string, ScoreResult>();
  for (const result of body.results) {
    if (!sent.has(result.item_id))
      throw new ResponseInvalid(`answer for item ${result.item_id}, which was not sent`);
    if (byId.has(result.item_id)) throw new ResponseInvalid(`item ${result.item_id} answered twice`);
    byId.set(result.item_id, result);
  }

  const unanswered = sentIds.filter((id) => !byId.has(id));
  let missing: SilentDrop | BatchTruncated | undefined;
  if (unanswered.length > 0) {
    const n = byId.size;
    // Exactly the first n answered, in order: the account's real batch limit is n.
    const prefix = n > 0 && sentIds.slice(0, n).every((id, i) => body.results[i]?.item_id === id);
    missing = prefix ? new BatchTruncated(n, unanswered) : new SilentDrop(unanswered);
  }

  const outcomes = sentIds.map((itemId): ItemOutcome => {
    const result = byId.get(itemId);
    return result ? { itemId, result } : { itemId, missing: missing! };
  });
  return { modelVersion: body.model_version, billing: body.billing, outcomes, missing };
}
