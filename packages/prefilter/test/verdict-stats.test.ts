import { createTestRedis, type TestRedis } from "@riskq/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createVerdictStats, type PrefilterVerdict, readVerdictStats, verdictStatsKey } from "../src/index";

const score = { confidence: 0.2, risk_score: 20, risk_level: "low" as const, flagged: false, info_code: [] };
const legit: PrefilterVerdict = { decision: "legit", probability: 0.001, score };
const unsure: PrefilterVerdict = { decision: "unsure", probability: 0.05, score };

let t: TestRedis;
beforeEach(async () => {
  t = await createTestRedis({ url: process.env.REDIS_URL });
});
afterEach(() => t.cleanup());

describe("verdict stats", () => {
  it("counts each (use, decision, remote answer) under the prefix, written at a flush", async () => {
    // No timer flush during the test: only the explicit ones write.
    const stats = createVerdictStats({ redis: t.redis, prefix: t.prefix, flushMs: 3_600_000 });
    stats.record("shadow", legit, "unflagged");
    stats.record("shadow", legit, "unflagged");
    stats.record("shadow", legit, "flagged");
    stats.record("decided", legit, "none");
    expect(await readVerdictStats(t.redis, t.prefix)).toEqual({});
    await stats.flush();
    stats.record("degraded", unsure, "none");
    stats.record("shadow", legit, "flagged");
    await stats.close();
    expect(await readVerdictStats(t.redis, t.prefix)).toEqual({
      "shadow|legit|unflagged": 2,
      "shadow|legit|flagged": 2,
      "decided|legit|none": 1,
      "degraded|unsure|none": 1,
    });
    expect(verdictStatsKey(t.prefix)).toBe(`${t.prefix}:prefilter:verdicts`);
  });
});
