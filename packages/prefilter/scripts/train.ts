/**
 * Trains the built-in pre-filter and writes src/weights.json: `npx tsx packages/prefilter/scripts/train.ts`
 * (add --check to compare with the committed file instead of writing it). Deterministic: the
 * recipe's fixed seeds give the same file on every run (test/weights-reproduce.test.ts checks it).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { trainPrefilter } from "../src/training";
import { sliceOf, TRAINING_RECIPE } from "./training-recipe";

export const WEIGHTS_FILE = new URL("../src/weights.json", import.meta.url);

/** The weights file's text for the recipe: what the script writes and the test compares. */
export function trainedWeightsText(): string {
  const weights = trainPrefilter({
    train: sliceOf(TRAINING_RECIPE.train),
    validation: sliceOf(TRAINING_RECIPE.validation),
    settings: TRAINING_RECIPE.settings,
    recipe: {
      generator: "@riskq/synthetic generateMerchants + generateTraffic",
      train: TRAINING_RECIPE.train,
      validation: TRAINING_RECIPE.validation,
      settings: TRAINING_RECIPE.settings,
    },
  });
  return `${JSON.stringify(weights, null, 2)}\n`;
}

// Run as a script (not imported by the test): the entry file is this one.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { check: { type: "boolean", default: false } } });
  const startedAt = performance.now();
  const text = trainedWeightsText();
  const weights = JSON.parse(text);
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const { validation: v, thresholds: t } = weights;
  process.stdout.write(
    `trained ${weights.version} in ${seconds} s: validation AUC ${v.auc.toFixed(4)}; ` +
      `legit ≤ ${t.legit_max.toPrecision(4)} decides ${v.legit.items} of ${v.items} (precision ${v.legit.precision.toFixed(4)}); ` +
      `fraud ≥ ${t.fraud_min.toPrecision(4)} decides ${v.fraud_cut.items} (precision ${v.fraud_cut.precision.toFixed(4)})\n`,
  );
  if (values.check) {
    // Parsed, not as text: a formatter may lay the committed file out differently.
    const same = isDeepStrictEqual(JSON.parse(readFileSync(WEIGHTS_FILE, "utf8")), weights);
    process.stdout.write(
      same ? "src/weights.json is up to date\n" : "src/weights.json differs from a fresh training\n",
    );
    process.exit(same ? 0 : 1);
  }
  writeFileSync(WEIGHTS_FILE, text);
  process.stdout.write("wrote src/weights.json\n");
}
