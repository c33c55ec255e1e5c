import { AlipayError } from "./alipay-error";

/**
 * HTTP 200 with some or all items unanswered. With none answered this is the expired-token drop
 * (docs/alipay-ai-api.md §5.3): the token is refreshed before the next try.
 */
export class SilentDrop extends AlipayError {
  readonly code = "silent_drop";
  readonly retryable = true;
  readonly deadLetterReason = "silent_drop";

  constructor(readonly itemIds: readonly string[]) {
    super(`Alipay answered 200 but left ${itemIds.length} item(s) unscored: ${preview(itemIds)}`);
  }
}

export function preview(ids: readonly string[]): string {
  return ids.length <= 5 ? ids.join(", ") : `${ids.slice(0, 5).join(", ")} … (+${ids.length - 5})`;
}
