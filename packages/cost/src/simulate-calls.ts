/**
 * How many calls recorded traffic becomes under another batch size, or with part of its items kept
 * from Alipay (the pre-filter). The micro-batcher sends a batch when it is full (the cap) or when
 * no more items came in time (linger, or every job slot of the worker taken), so a recorded call is
 * one of two kinds:
 *
 * - **cap-bound** (full): its key had more items waiting; the call is a slice of a longer run of
 *   that key's items. Under cap B its items fill B-sized calls: `items / B` calls (a fraction: runs
 *   are re-cut as a whole). For B above the recorded cap this assumes the run was long enough to
 *   fill the larger batches — optimistic, as the recording cannot show how long it was.
 * - **natural** (not full): the whole group of items that arrived together. Under cap B it becomes
 *   `ceil(items / B)` calls; if the pre-filter removes items, a group with none left makes no call
 *   (expected calls `1 − (1 − keep)^items` when what remains fits one call).
 *
 * Checked against the sandbox in apps/worker/test/cost-simulator.test.ts (docs/budget-and-cost.md, "Cost").
 */
import type { CallSize } from "./traffic-read";

/**
 * Expected calls for the recorded `calls` when their items are scaled by `keep` (below 1: the
 * pre-filter keeps some from Alipay; above 1: items it decided locally when recorded are sent too),
 * in batches of at most `batchSize` items (none: the cap the calls were recorded with, i.e. the
 * largest full batch).
 */
export function simulateCalls(calls: readonly CallSize[], keep: number, batchSize?: number): number {
  if (!(keep >= 0 && Number.isFinite(keep))) throw new RangeError(`keep must be ≥ 0, got ${keep}`);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new RangeError(`batchSize must be a whole number ≥ 1, got ${batchSize}`);
  }
  const recordedCap = Math.max(0, ...calls.filter((c) => c.capBound).map((c) => c.items)) || Infinity;
  let total = 0;
  for (const { items, capBound, count } of calls) {
    const kept = items * keep;
    const cap = batchSize ?? (capBound ? items : recordedCap);
    let perCall: number;
    if (capBound) perCall = kept / cap;
    else if (kept > cap) perCall = Math.ceil(kept / cap);
    // The group still fits one call: it makes one unless the pre-filter took every item of it.
    else perCall = keep >= 1 ? 1 : 1 - (1 - keep) ** items;
    total += perCall * count;
  }
  return total;
}
