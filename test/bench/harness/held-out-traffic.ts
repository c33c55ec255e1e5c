/**
 * The held-out labelled traffic the pre-filter benches score: merchants and days that neither the
 * pre-filter's training nor its threshold choice saw. Flags: --items (40 000), --merchants (300),
 * --seed (9101), --tasks (all three), and with `sandboxSeeds` --sandbox-seeds (1,2,3).
 */
import { parseArgs } from "node:util";
import { TASKS, type Task } from "@riskq/contracts";
import { generateMerchants, generateTraffic, type LabelledItem } from "@riskq/synthetic";

export interface HeldOutFlags {
  items: number;
  merchants: number;
  seed: number;
  tasks: Task[];
  /** Sandbox seeds to repeat every run under (only where asked for). */
  sandboxSeeds: number[];
}

export function parseHeldOutFlags(bench: string, options: { sandboxSeeds?: boolean } = {}): HeldOutFlags {
  const { values } = parseArgs({
    options: {
      items: { type: "string", default: "40000" },
      merchants: { type: "string", default: "300" },
      seed: { type: "string", default: "9101" },
      tasks: { type: "string", default: TASKS.join(",") },
      ...(options.sandboxSeeds ? { "sandbox-seeds": { type: "string" as const, default: "1,2,3" } } : {}),
    },
  });
  const fail = (message: string): never => {
    process.stderr.write(`${bench}: ${message}\n`);
    process.exit(2);
  };
  const positive = (name: string, raw: string) => {
    const n = Number(raw);
    return Number.isInteger(n) && n >= 1 ? n : fail(`--${name} must be a positive integer, got ${raw}`);
  };
  const tasks = values.tasks.split(",").map((t) => t.trim());
  const unknown = tasks.filter((t) => !(TASKS as readonly string[]).includes(t));
  if (unknown.length > 0) fail(`unknown task(s) ${unknown.join(", ")}; use ${TASKS.join(", ")}`);
  const seeds = (values as { "sandbox-seeds"?: string })["sandbox-seeds"] ?? "1";
  return {
    items: positive("items", values.items),
    merchants: positive("merchants", values.merchants),
    seed: positive("seed", values.seed),
    tasks: tasks as Task[],
    sandboxSeeds: seeds.split(",").map((s) => positive("sandbox-seeds", s.trim())),
  };
}

export function heldOutTraffic(flags: HeldOutFlags): { merchants: number; traffic: LabelledItem[] } {
  const merchants = generateMerchants({ seed: flags.seed, count: flags.merchants });
  const traffic = generateTraffic({
    seed: flags.seed,
    merchants,
    count: flags.items,
    start: "2026-11-20T00:00:00Z",
  });
  return { merchants: merchants.length, traffic };
}
