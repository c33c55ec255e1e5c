/**
 * How wide the pre-filter's cuts can go (`npx tsx test/bench/prefilter-cut-width.ts`; not part of
 * `pnpm bench`, about 3 minutes): the built-in model with the thresholds training picks for several
 * precision targets on its validation traffic, each run as a pipeline on the held-out traffic of
 * prefilter.ts, under several sandbox seeds. Alipay's model is stateful, so every item decided
 * locally is one it never sees: its merchant history (usual amounts, known cards, card velocity)
 * grows from less, and the pipeline's recall on what is still sent can fall. The seeds give the
 * noise floor: remote-only recall moves between seeds too. Printed; writes bench/prefilter-cut-width.json.
 * Flags: --sandbox-seeds (1,2,3), --tasks (all three), --items (40 000), --merchants (300), --seed (9101).
 */
import { DEFAULT_CONFIDENCE_THRESHOLD, type Task } from "@riskq/contracts";
import {
  builtInWeights,
  createLogisticClassifier,
  createPrefilter,
  type DecisionThresholds,
  type PrefilterVerdict,
  rocAuc,
  widestCut,
} from "@riskq/prefilter";
import { sliceOf, TRAINING_RECIPE } from "@riskq/prefilter/training-recipe";
import { type SandboxProcess, startSandbox } from "@riskq/testing";
import { Redis } from "ioredis";
import { runBench } from "./harness/bench-lifecycle";
import { heldOutTraffic, parseHeldOutFlags } from "./harness/held-out-traffic";
import { deletePrefix } from "./harness/redis-prefix";
import { machineInfo, writeReport } from "./harness/report";
import { decidedLocally, pipelineConfidences, type RemoteRun, scoreRemotely } from "./harness/score-held-out";
import { decisionQuality } from "./reports/prefilter";

const BENCH = "prefilter-cut-width";
/** Precision targets (cleared, called fraud) to cut at; the first is the built-in recipe's. */
const TARGETS: ReadonlyArray<{ legit_precision: number; fraud_precision: number }> = [
  TRAINING_RECIPE.settings.targets,
  { legit_precision: 0.999, fraud_precision: 0.95 },
  { legit_precision: 0.998, fraud_precision: 0.8 },
  { legit_precision: 0.998, fraud_precision: 0.5 },
];

const args = parseHeldOutFlags(BENCH, { sandboxSeeds: true });
const progress = (line: string) => process.stdout.write(`${BENCH}: ${line}\n`);
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
const live: { sandbox: SandboxProcess | undefined; prefixes: string[] } = {
  sandbox: undefined,
  prefixes: [],
};

/** One pipeline (or remote-only) run's quality and bill. */
interface RunQuality {
  decided_share: number;
  recall: number;
  flagged_precision: number;
  unflagged_precision: number;
  auc: number;
  cost_usd: number;
}

async function main(): Promise<number> {
  const weights = builtInWeights();
  const classifier = createLogisticClassifier(weights);
  const cuts = cutsForTargets(classifier);
  const { traffic } = heldOutTraffic(args);
  const labels = traffic.map((t) => t.is_fraud);
  const verdictsPerCut: PrefilterVerdict[][] = [];
  for (const thresholds of cuts) {
    const prefilter = createPrefilter({ classifier, thresholds });
    verdictsPerCut.push(await Promise.all(traffic.map(({ item }) => prefilter.judge(item))));
  }

  const rows: { task: Task; sandbox_seed: number; remote: RunQuality; cuts: RunQuality[] }[] = [];
  for (const sandboxSeed of args.sandboxSeeds) {
    await live.sandbox?.stop();
    live.sandbox = await startSandbox({ latencyProfile: "fast", seed: sandboxSeed });
    const setup = { sandbox: live.sandbox, redis, prefixes: live.prefixes, traffic };
    for (const task of args.tasks) {
      progress(`sandbox seed ${sandboxSeed}, ${task}: remote only and ${cuts.length} cuts…`);
      const remote = await scoreRemotely({ ...setup, task, chosen: () => true });
      const perCut: RunQuality[] = [];
      for (const verdicts of verdictsPerCut) {
        const rest = await scoreRemotely({ ...setup, task, chosen: (i) => !decidedLocally(verdicts[i]!) });
        const scores = pipelineConfidences(verdicts, rest);
        perCut.push(qualityOf(scores, labels, rest, 1 - rest.sent / labels.length));
      }
      rows.push({
        task,
        sandbox_seed: sandboxSeed,
        remote: qualityOf(remote.confidence, labels, remote, 0),
        cuts: perCut,
      });
    }
  }

  const summary = args.tasks.map((task) => {
    const mine = rows.filter((r) => r.task === task);
    const remoteRecalls = mine.map((r) => r.remote.recall);
    return {
      task,
      remote_only: {
        ...meanQuality(mine.map((r) => r.remote)),
        recall_range: [Math.min(...remoteRecalls), Math.max(...remoteRecalls)],
      },
      cuts: cuts.map((thresholds, k) => ({
        targets: TARGETS[k],
        thresholds,
        ...meanQuality(mine.map((r) => r.cuts[k]!)),
      })),
    };
  });
  for (const s of summary) {
    const r = s.remote_only;
    progress(
      `\n${s.task} (mean of ${args.sandboxSeeds.length} sandbox seeds): remote only recall ${r.recall.toFixed(3)} ` +
        `(seeds ${r.recall_range[0]!.toFixed(3)}–${r.recall_range[1]!.toFixed(3)}), flagged precision ${r.flagged_precision.toFixed(3)}, ` +
        `unflagged ${r.unflagged_precision.toFixed(4)}, AUC ${r.auc.toFixed(4)}, $${r.cost_usd.toFixed(2)}`,
    );
    for (const c of s.cuts) {
      progress(
        `  targets ${c.targets!.legit_precision}/${c.targets!.fraud_precision} (legit ≤ ${c.thresholds.legit_max.toPrecision(3)}, fraud ≥ ${c.thresholds.fraud_min.toPrecision(3)}): ` +
          `decided ${(c.decided_share * 100).toFixed(1)} %, recall ${c.recall.toFixed(3)} (${signed(c.recall - r.recall, 3)}), ` +
          `flagged precision ${c.flagged_precision.toFixed(3)}, unflagged ${c.unflagged_precision.toFixed(4)} (${signed(c.unflagged_precision - r.unflagged_precision, 4)}), ` +
          `AUC ${c.auc.toFixed(4)}, $${c.cost_usd.toFixed(2)} (${(r.cost_usd / c.cost_usd).toFixed(2)}× less)`,
      );
    }
  }
  const report = {
    measured_at: new Date().toISOString(),
    machine: machineInfo(),
    settings: {
      items: args.items,
      merchants: args.merchants,
      seed: args.seed,
      sandbox_seeds: args.sandboxSeeds,
    },
    summary,
    runs: rows,
  };
  progress(`wrote ${writeReport(BENCH, report)}`);
  return 0;
}

/** The cuts training would pick for each target pair on the recipe's validation traffic. */
function cutsForTargets(classifier: ReturnType<typeof createLogisticClassifier>): DecisionThresholds[] {
  const scores: number[] = [];
  const labels: boolean[] = [];
  for (const { item, is_fraud } of sliceOf(TRAINING_RECIPE.validation)) {
    const out = classifier.classify(item);
    if ("outOfDistribution" in out) continue;
    scores.push(out.probability);
    labels.push(is_fraud);
  }
  const minItems = TRAINING_RECIPE.settings.minDecided;
  return TARGETS.map((targets) => {
    const legit = widestCut(scores, labels, "legit", { precision: targets.legit_precision, minItems });
    const fraud = widestCut(scores, labels, "fraud", { precision: targets.fraud_precision, minItems });
    if (!legit || !fraud)
      throw new Error(`no cut reaches ${JSON.stringify(targets)} on the validation traffic`);
    return { legit_max: legit.threshold, fraud_min: fraud.threshold };
  });
}

function qualityOf(
  scores: ArrayLike<number>,
  labels: boolean[],
  run: RemoteRun,
  decidedShare: number,
): RunQuality {
  const all = labels.map((_, i) => i);
  const flagged = all.filter((i) => (scores[i] as number) >= DEFAULT_CONFIDENCE_THRESHOLD);
  const unflagged = all.filter((i) => (scores[i] as number) < DEFAULT_CONFIDENCE_THRESHOLD);
  return {
    decided_share: decidedShare,
    recall: flagged.filter((i) => labels[i]).length / labels.filter(Boolean).length,
    flagged_precision: decisionQuality(flagged, labels, "fraud").precision,
    unflagged_precision: decisionQuality(unflagged, labels, "legit").precision,
    auc: rocAuc(scores, labels),
    cost_usd: run.costUsd,
  };
}

function meanQuality(runs: readonly RunQuality[]): RunQuality {
  const mean = (key: keyof RunQuality) => runs.reduce((sum, r) => sum + r[key], 0) / runs.length;
  return {
    decided_share: mean("decided_share"),
    recall: mean("recall"),
    flagged_precision: mean("flagged_precision"),
    unflagged_precision: mean("unflagged_precision"),
    auc: mean("auc"),
    cost_usd: mean("cost_usd"),
  };
}

const signed = (x: number, digits: number) => `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`;

process.exit(
  await runBench(BENCH, main, async () => {
    for (const prefix of live.prefixes) await deletePrefix(redis, prefix).catch(() => 0);
    await live.sandbox?.stop();
    redis.disconnect();
  }),
);
