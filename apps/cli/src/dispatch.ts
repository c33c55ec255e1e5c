import { ConfigError } from "@riskq/config";
import { splitCommand } from "./args";
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./cli-errors";
import type { Command, CommandContext } from "./command";
import { type Io, writeLine } from "./io";
import { CLI_VERSION } from "./version";

/** A command as the dispatcher knows it before loading it. */
interface CommandEntry {
  name: string;
  /** One line for `riskq --help`. */
  summary: string;
  // Loaded on use: `riskq --help` or `riskq cost` need not load Redis, BullMQ or the Alipay client.
  load: () => Promise<Command>;
}

const COMMANDS: readonly CommandEntry[] = [
  {
    name: "enqueue",
    summary: "enqueue score requests from JSONL (a file or stdin)",
    load: async () => (await import("./commands/enqueue")).enqueueCommand,
  },
  {
    name: "status",
    summary: "a score job's state, its score or its dead letter",
    load: async () => (await import("./commands/status")).statusCommand,
  },
  {
    name: "dlq",
    summary: "list | show | redrive | purge: the dead-letter queue",
    load: async () => (await import("./commands/dlq")).dlqCommand,
  },
  {
    name: "merchants",
    summary: "add | list: onboard merchants, see their token state",
    load: async () => (await import("./commands/merchants")).merchantsCommand,
  },
  {
    name: "keys",
    summary: "status | rotate: the AES key store (ids and windows, never key material)",
    load: async () => (await import("./commands/keys")).keysCommand,
  },
  {
    name: "models",
    summary: "status: degraded models, since when, fallback, expiry",
    load: async () => (await import("./commands/models")).modelsCommand,
  },
  {
    name: "callbacks",
    summary: "secret <key-name>: the secret an API key's receivers verify its callbacks with",
    load: async () => (await import("./commands/callbacks")).callbacksCommand,
  },
  {
    name: "cost",
    summary: "report | simulate: the bill so far, and predicted for other settings",
    load: async () => (await import("./commands/cost")).costCommand,
  },
];

const TOP_USAGE = `Usage: riskq <command> [arguments] [--json]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join("\n")}

Every command takes --json (machine-readable output on stdout) and --help; riskq --version prints
the CLI's version.
Exit codes: 0 ok, 1 failure, 2 usage error.
Run \`riskq <command> --help\` for a command's arguments and the variables it reads.`;

/** How a failure is reported: one line on stderr, and with `--json` an error object on stdout. */
function fail(io: Io, json: boolean, code: string, message: string, usage?: string): void {
  writeLine(io.stderr, `riskq: ${message}`);
  if (usage !== undefined) writeLine(io.stderr, `\n${usage}`);
  if (json) writeLine(io.stdout, JSON.stringify({ error: code, message }));
}

/** Runs one command line (without `node` and the script) and resolves to the exit code. */
export async function runCli(argv: readonly string[], io: Io, now: () => number = Date.now): Promise<number> {
  const json = argv.includes("--json");
  const ctx: CommandContext = { io, now, warn: (text) => writeLine(io.stderr, `riskq: warning: ${text}`) };
  try {
    const { name, rest } = splitCommand(argv);
    if (name === undefined && (rest.includes("--version") || rest.includes("-V"))) {
      writeLine(io.stdout, json ? JSON.stringify({ version: CLI_VERSION }) : `riskq ${CLI_VERSION}`);
      return EXIT_OK;
    }
    if (name === undefined || name === "help") {
      const topic = name === "help" ? splitCommand(rest).name : undefined;
      const entry = COMMANDS.find((c) => c.name === topic);
      if (entry) return (await entry.load()).run(["--help"], ctx);
      if (name === "help" || rest.includes("--help") || rest.includes("-h")) {
        writeLine(io.stdout, TOP_USAGE);
        return EXIT_OK;
      }
      throw new UsageError(rest.length > 0 ? `unknown option ${rest[0]}` : "missing command", TOP_USAGE);
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (!entry) throw new UsageError(`unknown command "${name}"`, TOP_USAGE);
    return await (await entry.load()).run(rest, ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      fail(io, json, "usage", error.message, error.usage);
      return EXIT_USAGE;
    }
    if (error instanceof CliError) {
      fail(io, json, error.code, error.message);
      return EXIT_FAILURE;
    }
    if (error instanceof ConfigError) {
      fail(io, json, "configuration", `configuration error: ${error.message}`);
      return EXIT_FAILURE;
    }
    const message = error instanceof Error ? error.message : String(error);
    fail(io, json, "unexpected", `unexpected error: ${message}`);
    return EXIT_FAILURE;
  }
}
