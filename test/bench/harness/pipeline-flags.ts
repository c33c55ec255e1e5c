import { parseArgs } from "node:util";

/** pipeline.ts's flags (see its header); a bad one is a usage error (exit 2) naming it. */
export function parsePipelineFlags(bench: string) {
  const { values } = parseArgs({
    options: {
      jobs: { type: "string", default: "20000" },
      "utilisation-seconds": { type: "string", default: "140" },
      "latency-seconds": { type: "string", default: "20" },
      "latency-rate": { type: "string" },
      // Which parts to run, e.g. "1" or "2,3" (default all): for tuning one figure at a time.
      parts: { type: "string", default: "1,2,3" },
    },
  });
  const positive = (name: string, raw: string | undefined, min: number): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) {
      process.stderr.write(`${bench}: --${name} must be a number ≥ ${min}, got ${String(raw)}\n`);
      process.exit(2);
    }
    return n;
  };
  const rate = values["latency-rate"];
  return {
    jobs: Math.round(positive("jobs", values.jobs, 100)),
    utilisationSeconds: Math.round(positive("utilisation-seconds", values["utilisation-seconds"], 6)),
    latencySeconds: Math.round(positive("latency-seconds", values["latency-seconds"], 1)),
    latencyRate: rate === undefined ? undefined : positive("latency-rate", rate, 0.1),
    parts: new Set(values.parts.split(",").map((p) => Math.round(positive("parts", p, 1)))),
  };
}
