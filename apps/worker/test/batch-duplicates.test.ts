import type { ScoreJobResult } from "@riskq/contracts";
import { createCallRateLimiter, createCircuitBreaker } from "@riskq/pipeline";
import { describe, expect, it } from "vitest";
import { type BatchItem, CALL_BUCKETS, callBatch } from "../src/batching/batch-call";
import { MODEL, trafficOf, useWorkerKit } from "./support/worker-harness";

const suite = useWorkerKit();

describe("one batch call", () => {
  it("sends an item that reached the batch twice once, and answers every copy (Alipay refuses a repeated item_id)", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, requests } = trafficOf(141, 1, 5);
    await kit.onboard(...merchantIds);
    const now = Date.now();
    const items: BatchItem[] = requests.map((request) => ({
      data: { request, enqueued_at: now, deadline_at: now + 60_000 },
      attempts: 1,
    }));
    // The 2nd and 4th items again, as a hand-off repeated after a Redis reconnect brings them.
    const batch = [...items, items[1]!, items[3]!];
    const limiter = createCallRateLimiter({ redis: kit.connection, prefix: kit.prefix });
    const before = await sandbox.control.ledger();

    const outcomes = await callBatch(
      {
        alipay: kit.alipay,
        limiter,
        breaker: createCircuitBreaker(),
        defaultModelVersion: MODEL,
        onTruncated: () => {},
      },
      batch,
      await limiter.acquire(CALL_BUCKETS),
    );

    expect(outcomes).toHaveLength(batch.length);
    outcomes.forEach((outcome, i) => {
      expect(outcome).not.toBeInstanceOf(Error);
      expect((outcome as ScoreJobResult).item_id).toBe(batch[i]!.data.request.item_id);
    });
    expect(outcomes[5]).toEqual(outcomes[1]);
    expect(outcomes[6]).toEqual(outcomes[3]);
    const after = await sandbox.control.ledger();
    // One call, each item billed once.
    expect(after.items - before.items).toBe(items.length);
    expect(after.by_status["400"] ?? 0).toBe(before.by_status["400"] ?? 0);
  });
});
