import { parseCommandArgs, splitCommand } from "./args";
import { EXIT_OK, UsageError } from "./cli-errors";
import type { Warn } from "./config";
import { type Io, writeLine } from "./io";

/** What every command runs with. */
export interface CommandContext {
  io: Io;
  /** Prints a warning on stderr (dev defaults in use, and the like). */
  warn: Warn;
  /** The CLI's clock (epoch ms), for "expires in 14m". */
  now: () => number;
}

/** A top-level command (`riskq <name> …`); groups dispatch on their own subcommand. */
export interface Command {
  name: string;
  /** The whole help text of `riskq <name> --help`. */
  usage: string;
  /** Runs with the arguments after the name; resolves to the exit code. */
  run(args: string[], ctx: CommandContext): Promise<number>;
}

/** A subcommand's runner: the arguments after its name. */
export type Subcommand = (args: string[], ctx: CommandContext) => Promise<number>;

/**
 * Output of a command: with `--json`, the value as one JSON document on stdout; otherwise the human
 * text (tables and sentences).
 */
export function emit(ctx: CommandContext, json: boolean, value: unknown, human: () => string): void {
  writeLine(ctx.io.stdout, json ? JSON.stringify(value, null, 2) : human());
}

/** Prints usage on stdout and exits 0 (for `--help`). */
export function printUsage(ctx: CommandContext, usage: string): number {
  writeLine(ctx.io.stdout, usage);
  return EXIT_OK;
}

/**
 * Dispatches a group's subcommand (`riskq dlq list …`): `--help` or no name prints the group's
 * usage (exit 0 / 2), an unknown name is a usage error.
 */
export async function runGroup(
  args: string[],
  ctx: CommandContext,
  group: { name: string; usage: string; subcommands: Record<string, Subcommand> },
): Promise<number> {
  const { name, rest } = splitCommand(args);
  if (name === undefined) {
    const { values } = parseCommandArgs(rest, {}, group.usage);
    if (values.help) return printUsage(ctx, group.usage);
    throw new UsageError(`missing subcommand of ${group.name}`, group.usage);
  }
  const subcommand = Object.hasOwn(group.subcommands, name) ? group.subcommands[name] : undefined;
  if (!subcommand) throw new UsageError(`unknown subcommand "${group.name} ${name}"`, group.usage);
  return subcommand(rest, ctx);
}
