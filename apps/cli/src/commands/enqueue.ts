import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import type { ScoreRequestBody } from "@riskq/contracts";
import { MAX_ENQUEUE_BATCH } from "@riskq/contracts";
import { parseCommandArgs } from "../args";
import { CliError, EXIT_FAILURE, EXIT_OK, UsageError } from "../cli-errors";
import { type Command, type CommandContext, emit, printUsage } from "../command";
import { apiConfig } from "../config";
import { explainApiError, openApi } from "../connections/api";
import { readLines } from "../input/jsonl-lines";
import { parseRequestLine } from "../input/request-line";
import { plural } from "../output/format";
import { Progress } from "../output/progress";

const USAGE = `Usage: riskq enqueue [<file> | -] [--json]

Enqueues score requests from a JSONL file (one request per line, as POST /v1/scores takes it), or
from stdin when the file is "-" or left out. Requests go in batches of up to ${MAX_ENQUEUE_BATCH}.
A bad line is reported with its line number and skipped, the others are still enqueued, and the
exit code is 1. A request whose job already exists is reported as a duplicate and not enqueued
again, so running the same input twice is safe. Blank lines are ignored.

Progress shows on stderr when it is a terminal; a final count line is printed otherwise.
Relative paths are read from the directory riskq runs in (the repository root under \`pnpm riskq\`).

Environment: RISKQ_API_URL, RISKQ_API_KEY.`;

// Beyond this, a summary lists no more lines (the counts stay exact): a million bad lines would
// otherwise make a report bigger than the input.
const MAX_LISTED = 1_000;

interface LineError {
  line: number;
  message: string;
}
interface LineDuplicate {
  line: number;
  id: string;
  status: string;
}

/** What an enqueue run did; the `--json` output. */
interface EnqueueReport {
  /** Non-blank lines read. */
  lines: number;
  /** New jobs. */
  enqueued: number;
  duplicates: number;
  errors: number;
  /** Batch calls made to the API. */
  batches: number;
  duplicate_lines: LineDuplicate[];
  error_lines: LineError[];
  /** Set when the API failed and the run stopped early. */
  stopped: { at_line: number; not_sent: number; message: string } | null;
}

/** The input as a stream, with its size when it is a file (for the progress bar). */
async function openInput(file: string | undefined, ctx: CommandContext) {
  if (file === undefined || file === "-") {
    if (ctx.io.stdin.isTTY === true) {
      throw new UsageError(
        "give a JSONL file, or pipe requests into stdin (riskq enqueue < requests.jsonl)",
        USAGE,
      );
    }
    return { stream: ctx.io.stdin as Readable, size: undefined };
  }
  const path = resolve(file);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${path}: ${error.code ?? error.message}`, "input_unreadable");
  });
  if (!info.isFile()) throw new CliError(`${path} is not a file`, "input_unreadable");
  return { stream: createReadStream(path), size: info.size };
}

export const enqueueCommand: Command = {
  name: "enqueue",
  usage: USAGE,
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandArgs(args, {}, USAGE);
    if (values.help) return printUsage(ctx, USAGE);
    if (given.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(given[1])}`, USAGE);
    const json = values.json === true;
    const api = openApi(apiConfig(ctx.warn));
    const input = await openInput(given[0], ctx);
    const progress = new Progress(ctx.io, input.size);
    const report: EnqueueReport = {
      lines: 0,
      enqueued: 0,
      duplicates: 0,
      errors: 0,
      batches: 0,
      duplicate_lines: [],
      error_lines: [],
      stopped: null,
    };
    let bytesRead = 0;
    const counts = () => ({ ...report, bytesRead });
    const say = (text: string) => {
      if (!json) progress.log(text);
    };

    let pending: Array<{ line: number; request: ScoreRequestBody }> = [];
    /** Sends the pending requests as one batch; false when the API failed (the run stops). */
    const flush = async (): Promise<boolean> => {
      if (pending.length === 0) return true;
      const batch = pending;
      pending = [];
      let jobs: Awaited<ReturnType<typeof api.client.enqueueScores>>;
      try {
        jobs = await api.client.enqueueScores(batch.map((entry) => entry.request));
      } catch (error) {
        const explained = explainApiError(error, api.url);
        const message = explained instanceof Error ? explained.message : String(explained);
        report.stopped = { at_line: batch[0]!.line, not_sent: batch.length, message };
        return false;
      }
      report.batches += 1;
      jobs.forEach((job, i) => {
        if (!job.duplicate) {
          report.enqueued += 1;
          return;
        }
        const line = batch[i]!.line;
        report.duplicates += 1;
        if (report.duplicate_lines.length < MAX_LISTED) {
          report.duplicate_lines.push({ line, id: job.id, status: job.status });
        }
        say(`line ${line}: duplicate of job ${job.id} (${job.status}), not enqueued again`);
      });
      progress.update(counts(), true);
      return true;
    };

    let ok = true;
    for await (const line of readLines(input.stream)) {
      bytesRead += line.bytes;
      if (line.text.trim() === "") continue;
      report.lines += 1;
      const parsed = parseRequestLine(line.text);
      if ("error" in parsed) {
        report.errors += 1;
        if (report.error_lines.length < MAX_LISTED) {
          report.error_lines.push({ line: line.number, message: parsed.error });
        }
        say(`line ${line.number}: ${parsed.error}`);
      } else {
        pending.push({ line: line.number, request: parsed.request });
        if (pending.length >= MAX_ENQUEUE_BATCH) ok = await flush();
      }
      progress.update(counts());
      if (!ok) break;
    }
    if (ok) ok = await flush();
    if (!ok) input.stream.destroy();
    progress.finish();

    emit(ctx, json, report, () => {
      const problems = [
        ...(report.duplicates > 0 ? [plural(report.duplicates, "duplicate")] : []),
        ...(report.errors > 0 ? [`${plural(report.errors, "bad line")} (see above)`] : []),
      ];
      return `enqueued ${plural(report.enqueued, "new job")} from ${plural(report.lines, "line")}${problems.length > 0 ? `: ${problems.join(", ")}` : ""}`;
    });
    if (report.stopped) {
      const { at_line, not_sent, message } = report.stopped;
      ctx.io.stderr.write(
        `riskq: stopped at line ${at_line}: ${message}\n` +
          `riskq: the batch from line ${at_line} (${plural(not_sent, "request")}) and the rest of the input were not sent or not confirmed; running the same input again is safe (what was enqueued comes back as duplicates)\n`,
      );
    }
    return report.errors > 0 || report.stopped ? EXIT_FAILURE : EXIT_OK;
  },
};
