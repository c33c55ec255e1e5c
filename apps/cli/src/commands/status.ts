import type { JobView } from "@riskq/client";
import { redactSecrets } from "@riskq/observability";
import { parseCommandArgs, positionals } from "../args";
import { CliError, EXIT_OK } from "../cli-errors";
import { type Command, emit, printUsage } from "../command";
import { apiConfig } from "../config";
import { callApi, openApi } from "../connections/api";
import { isoTime, keyValues } from "../output/format";

const USAGE = `Usage: riskq status <id> [--json]

Shows a score job: queued, active, completed (with its score) or dead (with its dead letter).
<id> is the job id, <merchant_id>-<item_id>, as \`riskq enqueue\` prints it.

Environment: RISKQ_API_URL, RISKQ_API_KEY.`;

/** The human view of a job: what it is, and its score or why it died. */
function describeJob(view: JobView): string {
  const pairs: Array<[string, string | undefined]> = [
    ["id", view.id],
    ["item", view.item_id],
    ["status", view.status],
  ];
  const result = view.result;
  if (result) {
    pairs.push(["source", result.source]);
    if (result.risk_score !== null) pairs.push(["risk score", `${result.risk_score} (${result.risk_level})`]);
    if (result.confidence !== null) pairs.push(["confidence", String(result.confidence)]);
    if (result.flagged !== null) pairs.push(["flagged", result.flagged ? "yes" : "no"]);
    if (result.model_version !== null) pairs.push(["model", result.model_version]);
    if (result.degraded) pairs.push(["degraded", "yes"]);
    pairs.push(["attempts", String(result.attempts)]);
  }
  const letter = view.dead_letter;
  if (letter) {
    pairs.push(
      ["reason", letter.reason],
      ["last error", `${letter.last_error.code}: ${letter.last_error.message}`],
      ["dead at", isoTime(letter.dead_at)],
      ["attempts", String(letter.attempts.length)],
      ["redrives", String(letter.redrive_count)],
    );
  }
  return keyValues(pairs);
}

export const statusCommand: Command = {
  name: "status",
  usage: USAGE,
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandArgs(args, {}, USAGE);
    if (values.help) return printUsage(ctx, USAGE);
    const [id] = positionals(given, ["id"], USAGE);
    const api = openApi(apiConfig(ctx.warn));
    const view = await callApi(api, () => api.client.getScore(id!));
    if (!view) throw new CliError(`no score job with id ${JSON.stringify(id)}`, "not_found");
    // A dead letter carries the request: card fingerprints are masked as everywhere else.
    const shown = redactSecrets(view);
    emit(ctx, values.json === true, shown, () => describeJob(shown));
    return EXIT_OK;
  },
};
