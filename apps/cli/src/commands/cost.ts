import { parseCommandArgs } from "../args";
import { CliError } from "../cli-errors";
import { type Command, type CommandContext, printUsage, runGroup, type Subcommand } from "../command";

const USAGE = `Usage: riskq cost report [--json]
       riskq cost simulate [--json]

  report     the bill so far, per day and merchant, from the billing ledger
  simulate   the bill predicted for other thresholds, batch sizes and pre-filter settings

Cost tracking is not available yet: both subcommands exit 1 and print no numbers.`;

/** Both refuse honestly until the ledger exists: a made-up bill is worse than none. */
const notYet =
  (what: string): Subcommand =>
  async (args: string[], ctx: CommandContext) => {
    const { values } = parseCommandArgs(args, {}, USAGE);
    if (values.help) return printUsage(ctx, USAGE);
    throw new CliError(
      `cost ${what}: cost tracking is not available yet (riskq has no billing ledger to read)`,
      "not_available",
    );
  };

export const costCommand: Command = {
  name: "cost",
  usage: USAGE,
  run: (args, ctx) =>
    runGroup(args, ctx, {
      name: "cost",
      usage: USAGE,
      subcommands: { report: notYet("report"), simulate: notYet("simulate") },
    }),
};
