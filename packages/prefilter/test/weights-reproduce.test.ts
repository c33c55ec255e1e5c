import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { trainedWeightsText, WEIGHTS_FILE } from "../scripts/train";
import { prefilterWeightsSchema } from "../src/index";

describe("src/weights.json", () => {
  it("holds exactly what scripts/train.ts makes from its recipe (fixed seeds, deterministic fit)", () => {
    const committed = readFileSync(WEIGHTS_FILE, "utf8");
    const fresh = trainedWeightsText();
    const a = prefilterWeightsSchema.parse(JSON.parse(committed));
    const b = prefilterWeightsSchema.parse(JSON.parse(fresh));
    // Field by field first, so a failure says what moved; then all of it. Exact, not approximate:
    // every number must come back bit for bit (JSON keeps a double's shortest exact form). Parsed,
    // not as text, since a formatter may lay the committed file out differently.
    expect(b.version).toBe(a.version);
    expect(b.thresholds).toEqual(a.thresholds);
    expect(b.weights).toEqual(a.weights);
    expect(JSON.parse(fresh)).toStrictEqual(JSON.parse(committed));
  }, 60_000);
});
