import { describe, expect, it } from "vitest";
import { builtInWeights, loadOnnxClassifier, OnnxRuntimeMissing } from "../src/index";

/**
 * riskq's own install never brings an ONNX Runtime (docs/prefilter.md, "Pre-filter"), so only the loader's
 * refusal is tested here; the contract itself was checked by hand against onnxruntime-node and -web.
 */
describe("ONNX classifier loader", () => {
  it("names the missing runtime package and how to install it, before touching the model file", async () => {
    const attempt = loadOnnxClassifier({
      path: "no-such-model.onnx",
      features: builtInWeights().features,
      runtime: "riskq-test-no-such-onnx-runtime",
    });
    await expect(attempt).rejects.toBeInstanceOf(OnnxRuntimeMissing);
    await expect(attempt).rejects.toThrow(
      "needs the riskq-test-no-such-onnx-runtime package, which is not installed: list it under allowBuilds in " +
        "pnpm-workspace.yaml as `riskq-test-no-such-onnx-runtime: false` (its install script only fetches CUDA " +
        "binaries), then run `npx -y pnpm@12.4.2 add -w riskq-test-no-such-onnx-runtime`",
    );
    await expect(attempt).rejects.toMatchObject({ code: "onnx_runtime_missing" });
  });
});
