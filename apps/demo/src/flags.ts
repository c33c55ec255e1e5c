import { parseArgs } from "node:util";

/** What `pnpm demo` was asked to do. */
export interface DemoFlags {
  /** Seconds of traffic; the incidents' timeline is scaled to it. */
  durationS: number;
  /** Jobs offered per second. */
  rate: number;
  /** Leave everything running after the timeline until Ctrl-C. */
  keepRunning: boolean;
}

export const USAGE = `usage: pnpm demo [--duration <s>] [--rate <jobs/s>] [--keep-running]

  --duration <s>     seconds of synthetic traffic, incidents included (default 60, at least 10)
  --rate <jobs/s>    jobs offered per second (default 40, at most 500)
  --keep-running     after the timeline, leave the apps running until Ctrl-C
`;

/** A flag the demo cannot run with (the caller prints it with the usage and exits 2). */
export class UsageError extends Error {}

export function parseFlags(argv: readonly string[]): DemoFlags | "help" {
  let values: { duration?: string; rate?: string; "keep-running"?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        duration: { type: "string" },
        rate: { type: "string" },
        "keep-running": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  return {
    durationS: numberFlag("--duration", values.duration, 60, 10, 3_600),
    rate: numberFlag("--rate", values.rate, 40, 1, 500),
    keepRunning: values["keep-running"] ?? false,
  };
}

function numberFlag(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`${name} must be a number from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  }
  return value;
}
