import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./cli-errors";

type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

/** Flags every command takes. */
const COMMON_OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies OptionSpecs;

/**
 * Parses a command's arguments strictly (an unknown flag or a missing value is a UsageError with
 * the command's usage), with `--json` and `--help` added to its own flags.
 */
export function parseCommandArgs<O extends OptionSpecs>(args: readonly string[], options: O, usage: string) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for what the user typed.
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError((error as Error).message, usage);
    }
    throw error;
  }
}

/**
 * Splits `[...leading flags, name, ...rest]` into the (sub)command name and the other arguments,
 * so that `riskq --json dlq list` and `riskq dlq list --json` mean the same. Only flags without a
 * value may come before the name.
 */
export function splitCommand(args: readonly string[]): { name: string | undefined; rest: string[] } {
  const index = args.findIndex((arg) => !arg.startsWith("-"));
  if (index === -1) return { name: undefined, rest: [...args] };
  return { name: args[index], rest: [...args.slice(0, index), ...args.slice(index + 1)] };
}

/** A whole number flag within bounds, or a UsageError naming the flag. */
export function integerFlag(
  value: string | undefined,
  flag: string,
  bounds: { min: number; max: number },
  usage: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < bounds.min || n > bounds.max) {
    throw new UsageError(`--${flag} must be a whole number from ${bounds.min} to ${bounds.max}`, usage);
  }
  return n;
}

/** Exactly `count` positionals, or a UsageError saying what is missing or extra. */
export function positionals(values: readonly string[], names: readonly string[], usage: string): string[] {
  if (values.length < names.length) {
    throw new UsageError(
      `missing ${names
        .slice(values.length)
        .map((n) => `<${n}>`)
        .join(" ")}`,
      usage,
    );
  }
  if (values.length > names.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(values[names.length])}`, usage);
  }
  return [...values];
}
