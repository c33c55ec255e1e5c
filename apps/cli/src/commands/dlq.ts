import type { DeadLetterSelection, DeadLetterView } from "@riskq/client";
import { DEAD_LETTER_REASONS, type DeadLetterReason } from "@riskq/contracts";
import { redactSecrets } from "@riskq/observability";
import { integerFlag, parseCommandArgs, positionals } from "../args";
import { CliError, EXIT_OK, UsageError } from "../cli-errors";
import { type Command, type CommandContext, emit, printUsage, runGroup } from "../command";
import { apiConfig } from "../config";
import { type ApiClients, callApi, openApi } from "../connections/api";
import { confirm } from "../input/confirm";
import { cut, isoTime, keyValues, plural, table, wrap } from "../output/format";

const USAGE = `Usage: riskq dlq list [--reason <reason>] [--limit <n>] [--offset <n>] [--json]
       riskq dlq show <id> [--json]
       riskq dlq redrive (<id>... | --reason <reason>) [--json]
       riskq dlq purge (<id>... | --reason <reason>) [--yes] [--json]

  list      dead letters, newest first; --limit 1-500 (default 50), --offset to page on
  show      one dead letter: reason, last error, attempts, the request (fingerprints masked)
  redrive   send dead jobs back to the score queue with their attempts reset
  purge     delete dead letters and their jobs for good (their ids become free again); asks for
            confirmation on a terminal, needs --yes otherwise

${wrap(`Reasons: ${DEAD_LETTER_REASONS.join(", ")}`, 100, "  ")}

Environment: RISKQ_API_URL, RISKQ_API_KEY.`;

function reasonFlag(value: string | undefined): DeadLetterReason | undefined {
  if (value === undefined) return undefined;
  if (!(DEAD_LETTER_REASONS as readonly string[]).includes(value)) {
    throw new UsageError(`unknown reason ${JSON.stringify(value)}`, USAGE);
  }
  return value as DeadLetterReason;
}

/** `<id>...` or `--reason`, exactly one of them. */
function selectionOf(ids: readonly string[], reason: string | undefined): DeadLetterSelection {
  const byReason = reasonFlag(reason);
  if (byReason !== undefined && ids.length > 0) throw new UsageError("give ids or --reason, not both", USAGE);
  if (byReason !== undefined) return { reason: byReason };
  if (ids.length === 0) throw new UsageError("missing <id>... or --reason <reason>", USAGE);
  return { ids };
}

/** " of reason timeout" for a reason; nothing for ids (they are listed anyway). */
const ofReason = (selection: DeadLetterSelection): string =>
  "reason" in selection ? ` of reason ${selection.reason}` : "";

/** The ids of a selection that the API skipped (not dead). */
const skippedOf = (selection: DeadLetterSelection, done: readonly string[]): string[] =>
  "ids" in selection ? selection.ids.filter((id) => !done.includes(id)) : [];

/** Ids for a sentence: the first few, then how many more (`--json` has them all). */
const idList = (ids: readonly string[], shown = 20): string =>
  ids.length <= shown ? ids.join(", ") : `${ids.slice(0, shown).join(", ")} and ${ids.length - shown} more`;

const openDlqApi = (ctx: CommandContext): ApiClients => openApi(apiConfig(ctx.warn));

function letterRow(letter: DeadLetterView): string[] {
  return [
    letter.job_id,
    letter.reason,
    cut(`${letter.last_error.code}: ${letter.last_error.message}`, 60),
    String(letter.attempts.length),
    isoTime(letter.dead_at),
    String(letter.redrive_count),
  ];
}

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseCommandArgs(
    args,
    { reason: { type: "string" }, limit: { type: "string" }, offset: { type: "string" } },
    USAGE,
  );
  if (values.help) return printUsage(ctx, USAGE);
  positionals(given, [], USAGE);
  const reason = reasonFlag(values.reason);
  const limit = integerFlag(values.limit, "limit", { min: 1, max: 500 }, USAGE);
  const offset = integerFlag(values.offset, "offset", { min: 0, max: Number.MAX_SAFE_INTEGER }, USAGE);
  const api = openDlqApi(ctx);
  const page = await callApi(api, () => api.admin.listDeadLetters({ reason, limit, offset }));
  const shown = redactSecrets(page);
  emit(ctx, values.json === true, shown, () => {
    const of = reason === undefined ? "" : ` of reason ${reason}`;
    if (page.total === 0) return `no dead letters${of}`;
    if (page.items.length === 0)
      return `no dead letters past --offset ${page.offset} (${page.total}${of} in all)`;
    const last = page.offset + page.items.length;
    const next = last < page.total ? `; next page: --offset ${last}` : "";
    return [
      table(["JOB ID", "REASON", "LAST ERROR", "ATTEMPTS", "DEAD AT", "REDRIVES"], page.items.map(letterRow)),
      "",
      `${page.offset + 1}-${last} of ${page.total} dead letters${of}${next}`,
    ].join("\n");
  });
  return EXIT_OK;
}

async function show(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseCommandArgs(args, {}, USAGE);
  if (values.help) return printUsage(ctx, USAGE);
  const [id] = positionals(given, ["id"], USAGE);
  const api = openDlqApi(ctx);
  const letter = await callApi(api, () => api.admin.getDeadLetter(id!));
  if (!letter) throw new CliError(`no dead letter with id ${JSON.stringify(id)}`, "not_found");
  const shown = redactSecrets(letter);
  emit(ctx, values.json === true, shown, () =>
    [
      keyValues([
        ["job id", shown.job_id],
        ["reason", shown.reason],
        ["last error", `${shown.last_error.code}: ${shown.last_error.message}`],
        ["first seen", isoTime(shown.first_seen)],
        ["dead at", isoTime(shown.dead_at)],
        ["redrives", String(shown.redrive_count)],
        ["queue", shown.source_queue],
      ]),
      "",
      `attempts (${shown.attempts.length}):`,
      ...shown.attempts.map((attempt, i) => `  ${i + 1}. ${isoTime(attempt.at)}  ${attempt.code}`),
      "",
      "request:",
      JSON.stringify(shown.payload, null, 2),
    ].join("\n"),
  );
  return EXIT_OK;
}

async function redrive(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals: ids } = parseCommandArgs(args, { reason: { type: "string" } }, USAGE);
  if (values.help) return printUsage(ctx, USAGE);
  const selection = selectionOf(ids, values.reason);
  const api = openDlqApi(ctx);
  const answer = await callApi(api, () => api.admin.redriveDeadLetters(selection));
  const skipped = skippedOf(selection, answer.redriven);
  emit(ctx, values.json === true, { ...answer, skipped }, () =>
    [
      `redriven ${plural(answer.count, "job")}${ofReason(selection)}${answer.count > 0 ? `: ${idList(answer.redriven)}` : ""}`,
      ...(skipped.length > 0 ? [`not dead, skipped: ${idList(skipped)}`] : []),
    ].join("\n"),
  );
  return EXIT_OK;
}

async function purge(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals: ids } = parseCommandArgs(
    args,
    { reason: { type: "string" }, yes: { type: "boolean", short: "y" } },
    USAGE,
  );
  if (values.help) return printUsage(ctx, USAGE);
  const selection = selectionOf(ids, values.reason);
  if (values.yes !== true && ctx.io.stdin.isTTY !== true) {
    // Nobody can answer a prompt on a pipe: a script must say --yes to delete anything.
    throw new UsageError(
      "refusing to purge without --yes: stdin is not a terminal, so nothing can be confirmed",
      USAGE,
    );
  }
  const api = openDlqApi(ctx);
  if (values.yes !== true) {
    const what =
      "reason" in selection
        ? `${plural((await callApi(api, () => api.admin.listDeadLetters({ reason: selection.reason, limit: 1 }))).total, "dead letter")}${ofReason(selection)}`
        : `the dead letters of ${idList(selection.ids, 5)}`;
    const question = `Delete ${what}, and their jobs, for good?`;
    if (!(await confirm(ctx.io, question)))
      throw new CliError("nothing purged: not confirmed", "not_confirmed");
  }
  const answer = await callApi(api, () => api.admin.purgeDeadLetters(selection));
  const skipped = skippedOf(selection, answer.purged);
  emit(ctx, values.json === true, { ...answer, skipped }, () =>
    [
      `purged ${plural(answer.count, "dead letter")}${ofReason(selection)}${answer.count > 0 ? `: ${idList(answer.purged)}` : ""}`,
      ...(skipped.length > 0 ? [`not dead, skipped: ${idList(skipped)}`] : []),
    ].join("\n"),
  );
  return EXIT_OK;
}

export const dlqCommand: Command = {
  name: "dlq",
  usage: USAGE,
  run: (args, ctx) =>
    runGroup(args, ctx, { name: "dlq", usage: USAGE, subcommands: { list, show, redrive, purge } }),
};
