import { UpstreamError } from "@riskq/alipay";
import { describe, expect, it } from "vitest";
import { createCircuitBreaker } from "../src/breaker/circuit-breaker";

describe("circuit breaker and a failure shared by many callers", () => {
  it("counts one failed remote call once, however many calls it rejected", async () => {
    const breaker = createCircuitBreaker({ failureThreshold: 3 });
    // A single-flight AES key fetch that failed once rejects every batch waiting on it, with one error.
    const keyFetch = Promise.reject(new UpstreamError("key query: HTTP 503", { httpStatus: 503 }));
    keyFetch.catch(() => undefined);
    const batches = Array.from({ length: 6 }, () => breaker.execute(() => keyFetch));
    for (const batch of batches) await expect(batch).rejects.toBeInstanceOf(UpstreamError);
    expect(breaker.state).toBe("closed");

    // Separate failed calls still open it.
    for (let i = 0; i < 2; i++) {
      const call = breaker.execute(() => Promise.reject(new UpstreamError("batch predict: HTTP 503")));
      await expect(call).rejects.toBeInstanceOf(UpstreamError);
    }
    expect(breaker.state).toBe("open");
  });
});
