import { type DegradedMark, degradedModels, listSeries, readModelExpiry } from "@riskq/drift";
import { parseCommandArgs, positionals } from "../args";
import { EXIT_OK } from "../cli-errors";
import { type Command, type CommandContext, emit, printUsage, runGroup } from "../command";
import { modelsConfig } from "../config";
import { withRedis } from "../connections/redis";
import { isoTime, plural, table, timeWithDistance } from "../output/format";

const USAGE = `Usage: riskq models status [--json]

Model health from Redis: every model riskq knows of (scored with, marked, or configured), whether it
is marked degraded (flatline or retired) and since when, its announced retirement (expiry), and
where its jobs go: to the model itself, to the fallback, or to the dead-letter queue.

Environment: REDIS_URL, RISKQ_PREFIX; ALIPAY_MODEL_VERSION and ALIPAY_FALLBACK_MODEL_VERSION as the
workers have them (the routing shown is what a worker with these values does).`;

/** One model's health as shown. */
interface ModelView {
  model_version: string;
  /** Which tasks recorded score windows with it. */
  tasks: string[];
  state: "healthy" | "degraded";
  degraded_reason: DegradedMark["reason"] | null;
  degraded_since: string | null;
  expires_at: string | null;
  /** What workers do with its jobs: the model itself, the fallback's version, or `dead-letter`. */
  jobs_go_to: string;
  is_default: boolean;
  is_fallback: boolean;
}

/** Mirrors the workers' routing (apps/worker model-route): fallback if set, other and healthy. */
function routeOf(
  model: string,
  marks: ReadonlyMap<string, DegradedMark>,
  fallback: string | undefined,
): string {
  if (!marks.has(model)) return model;
  if (fallback !== undefined && fallback !== model && !marks.has(fallback)) return fallback;
  return "dead-letter";
}

async function status(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseCommandArgs(args, {}, USAGE);
  if (values.help) return printUsage(ctx, USAGE);
  positionals(given, [], USAGE);
  const config = modelsConfig(ctx.warn);
  const fallback = config.ALIPAY_FALLBACK_MODEL_VERSION;
  const models = await withRedis(config.REDIS_URL, async (redis) => {
    const prefix = config.RISKQ_PREFIX;
    const [marks, series] = await Promise.all([degradedModels(redis, prefix), listSeries(redis, prefix)]);
    const tasks = new Map<string, string[]>();
    for (const { modelVersion, task } of series)
      tasks.set(modelVersion, [...(tasks.get(modelVersion) ?? []), task]);
    const names = new Set([
      config.ALIPAY_MODEL_VERSION,
      ...(fallback ? [fallback] : []),
      ...tasks.keys(),
      ...marks.keys(),
    ]);
    const views: ModelView[] = [];
    for (const model of [...names].sort()) {
      const mark = marks.get(model);
      const expiry = await readModelExpiry(redis, prefix, model);
      views.push({
        model_version: model,
        tasks: tasks.get(model) ?? [],
        state: mark ? "degraded" : "healthy",
        degraded_reason: mark?.reason ?? null,
        degraded_since: mark ? isoTime(mark.since) : null,
        expires_at: expiry === undefined ? null : isoTime(expiry),
        jobs_go_to: routeOf(model, marks, fallback),
        is_default: model === config.ALIPAY_MODEL_VERSION,
        is_fallback: model === fallback,
      });
    }
    return views;
  });
  const degraded = models.filter((m) => m.state === "degraded");
  const view = {
    default_model_version: config.ALIPAY_MODEL_VERSION,
    fallback_model_version: fallback ?? null,
    degraded: degraded.length,
    models,
  };
  emit(ctx, values.json === true, view, () => {
    const now = ctx.now();
    const rows = models.map((m) => [
      `${m.model_version}${m.is_default ? " (default)" : ""}${m.is_fallback ? " (fallback)" : ""}`,
      m.state === "degraded" ? `degraded: ${m.degraded_reason}` : "healthy",
      m.degraded_since === null ? "-" : timeWithDistance(Date.parse(m.degraded_since), now),
      m.expires_at === null ? "-" : timeWithDistance(Date.parse(m.expires_at), now),
      m.jobs_go_to === "dead-letter" ? "dead-letter (model_flatline)" : m.jobs_go_to,
      m.tasks.join(", ") || "-",
    ]);
    return [
      table(["MODEL", "STATE", "SINCE", "EXPIRES", "JOBS GO TO", "TASKS"], rows),
      "",
      `${plural(degraded.length, "degraded model")}; fallback: ${fallback ?? "none (ALIPAY_FALLBACK_MODEL_VERSION unset: jobs of a degraded model dead-letter)"}`,
    ].join("\n");
  });
  return EXIT_OK;
}

export const modelsCommand: Command = {
  name: "models",
  usage: USAGE,
  run: (args, ctx) => runGroup(args, ctx, { name: "models", usage: USAGE, subcommands: { status } }),
};
