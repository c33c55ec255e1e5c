import {
  findCardNumber,
  MAX_BATCH_ITEMS,
  prevalidatedScoreRequestSchema,
  type ScoreRequest,
  strictScoreRequestSchema,
  type Task,
} from "@riskq/contracts";
import type { Link } from "@riskq/tracing";
import { InvalidRequest } from "./errors/invalid-request";

export interface ScoreBatchInput {
  merchantId: string;
  task: Task;
  /** Always pin: an unpinned call gets whatever model Alipay released last. */
  modelVersion: string;
  threshold?: number | undefined;
  items: readonly unknown[];
  /**
   * The caller already parsed every item with `strictScoreItemSchema` (riskq's worker: its job data
   * is checked that way when the job is picked up). The per-item schema pass is then skipped on this
   * hot path; the card-number scan, the batch size, one merchant and the request fields still run.
   */
  itemsValidated?: boolean;
  signal?: AbortSignal | undefined;
  /** This call's deadline (ms), at most the client's `defaultTimeoutMs` (also the default). */
  timeoutMs?: number | undefined;
  /** Span links of the call's span: the job spans of the batch (README: Tracing). */
  links?: readonly Link[] | undefined;
}

/**
 * Checks a batch before anything is sent: no card number in any field, the strict contract schema
 * (unknown fields are refused, since the model would silently ignore them), one merchant, ≤ 100 items.
 */
export function buildScoreRequest(input: ScoreBatchInput): ScoreRequest {
  const cardAt = findCardNumber(input.items, "items");
  if (cardAt) {
    throw new InvalidRequest(
      `${cardAt} holds a card number: card numbers are never sent or stored; send card_fingerprint (a hash) instead`,
      cardAt,
    );
  }
  if (input.items.length > MAX_BATCH_ITEMS) {
    throw new InvalidRequest(
      `a batch holds at most ${MAX_BATCH_ITEMS} items, got ${input.items.length}`,
      "items",
    );
  }
  const parsed = (input.itemsValidated ? prevalidatedScoreRequestSchema : strictScoreRequestSchema).safeParse(
    {
      task: input.task,
      model_version: input.modelVersion,
      ...(input.threshold === undefined ? {} : { confidence_threshold: input.threshold }),
      items: input.items,
    },
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path
      .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
      .join("")
      .replace(/^\./, "");
    throw new InvalidRequest(`invalid ${field}: ${issue.message}`, field);
  }
  const other = parsed.data.items.find((item) => item.merchant_id !== input.merchantId);
  if (other) {
    throw new InvalidRequest(
      `item ${other.item_id} belongs to merchant ${other.merchant_id}, not ${input.merchantId}`,
      "merchant_id",
    );
  }
  return parsed.data;
}
