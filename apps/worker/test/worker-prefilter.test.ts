import { parseConfig } from "@riskq/config";
import { OnnxRuntimeMissing } from "@riskq/prefilter";
import { createTestRedis, type TestRedis } from "@riskq/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWorkerPrefilter } from "../src/prefilter/worker-prefilter";
import { workerEnv } from "../src/worker-env";
import { testLogger } from "./support/worker-harness";

let t: TestRedis;
beforeEach(async () => {
  t = await createTestRedis({ url: process.env.REDIS_URL });
});
afterEach(() => t.cleanup());

const envOf = (vars: Record<string, string>) => parseConfig(workerEnv, vars);
const build = (vars: Record<string, string>) =>
  createWorkerPrefilter({ env: envOf(vars), redis: t.redis, prefix: t.prefix, logger: testLogger });

describe("the worker's pre-filter variables", () => {
  it("shadow by default with the built-in model and no fallback", async () => {
    const step = await build({});
    expect(step).toMatchObject({ mode: "shadow", fallback: false });
    expect(step?.prefilter.modelVersion).toMatch(/^prefilter-lr-[0-9a-f]{8}$/);
  });

  it("no step at all when off without the fallback; a step when off with it", async () => {
    expect(await build({ RISKQ_PREFILTER: "off" })).toBeUndefined();
    expect(await build({ RISKQ_PREFILTER: "off", RISKQ_PREFILTER_FALLBACK: "on" })).toMatchObject({
      mode: "off",
      fallback: true,
    });
  });

  it("reads ONNX thresholds as legit_max,fraud_min and refuses them out of order", () => {
    expect(envOf({ RISKQ_PREFILTER_ONNX_THRESHOLDS: "0.01, 0.4" }).RISKQ_PREFILTER_ONNX_THRESHOLDS).toEqual({
      legit_max: 0.01,
      fraud_min: 0.4,
    });
    expect(() => envOf({ RISKQ_PREFILTER_ONNX_THRESHOLDS: "0.4,0.01" })).toThrow(
      /RISKQ_PREFILTER_ONNX_THRESHOLDS/,
    );
  });

  it("an ONNX model needs its own thresholds, and its runtime installed", async () => {
    await expect(build({ RISKQ_PREFILTER_ONNX_MODEL: "model.onnx" })).rejects.toThrow(
      /RISKQ_PREFILTER_ONNX_MODEL needs RISKQ_PREFILTER_ONNX_THRESHOLDS/,
    );
    await expect(build({ RISKQ_PREFILTER_ONNX_THRESHOLDS: "0.01,0.4" })).rejects.toThrow(
      /without RISKQ_PREFILTER_ONNX_MODEL/,
    );
    await expect(
      build({
        RISKQ_PREFILTER_ONNX_MODEL: "model.onnx",
        RISKQ_PREFILTER_ONNX_THRESHOLDS: "0.01,0.4",
        RISKQ_PREFILTER_ONNX_RUNTIME: "riskq-test-no-such-onnx-runtime",
      }),
    ).rejects.toBeInstanceOf(OnnxRuntimeMissing);
  });
});
