import { scoreJobId } from "@riskq/contracts";
import { type Context, contextFromCarrier, type Link, linkFromCarrier } from "@riskq/tracing";
import type { BatchItem } from "./batch-call";

/**
 * Where a batch's Alipay call sits among the traces (README: Tracing, "batch links"). One call
 * answers many jobs from many requests, so it cannot be a child of all of them: it is a child of the
 * first job's span — one trace shows the call in full, under a real job — and links to the span of
 * every job it carries, the first included, so each job's trace reaches the call by one rule.
 */
export function batchTrace(items: readonly BatchItem[]): { parent: Context; links: Link[] } {
  const links = items.flatMap((item) => {
    const jobId = scoreJobId(item.data.request.merchant_id, item.data.request.item_id);
    return linkFromCarrier(item.trace, { "messaging.message.id": jobId }) ?? [];
  });
  return { parent: contextFromCarrier(items[0]?.trace), links };
}
