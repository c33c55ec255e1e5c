import { AlipayError } from "./alipay-error";
import { preview } from "./silent-drop";

/**
 * HTTP 200 with answers for exactly the first `answered` items: the account's real batch limit
 * (50 for young accounts, docs/alipay-ai-api.md §6.4). `answered` is the cap to use from now on.
 */
export class BatchTruncated extends AlipayError {
  readonly code = "batch_truncated";
  readonly retryable = true;
  readonly deadLetterReason = "silent_drop";

  constructor(
    readonly answered: number,
    readonly itemIds: readonly string[],
  ) {
    super(`Alipay answered only the first ${answered} items of the batch; unanswered: ${preview(itemIds)}`);
  }
}
