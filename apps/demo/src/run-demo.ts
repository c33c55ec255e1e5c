import { setTimeout as sleep } from "node:timers/promises";
import { type AlipayClient, createAlipayClient } from "@riskq/alipay";
import { createRiskqAdminClient, createRiskqClient } from "@riskq/client";
import { createLogger } from "@riskq/observability";
import { createScoreQueue, type ScoreQueue } from "@riskq/pipeline";
import { connectRedis } from "@riskq/redis";
import { generateMerchants, type MerchantProfile } from "@riskq/synthetic";
import { preferredPort } from "@riskq/testing";
import type { Redis } from "ioredis";
import type { DemoEnv } from "./config";
import { deletePrefix, newDemoPrefix } from "./demo-prefix";
import { BURST_ITEMS, MERCHANTS, SEED } from "./demo-settings";
import { DemoStack, type RunningStack } from "./demo-stack";
import type { DemoFlags } from "./flags";
import { readCompleted } from "./outcomes";
import { type Readings, takeReadings, unfinished } from "./readings";
import { invariantHolds, summaryLines } from "./summary";
import { planIncidents, Timeline } from "./timeline";
import { scoreRequests, TrafficStream } from "./traffic";
import { LiveView, type Output } from "./view/live-view";
import type { Frame, Phase } from "./view/status-lines";

export interface DemoRunOptions {
  flags: DemoFlags;
  env: DemoEnv;
  parentEnv: NodeJS.ProcessEnv;
  out: Output;
}

const TICK_MS = 1_000;
/** How long the queue may take to settle after the traffic stops. */
const DRAIN_TIMEOUT_MS = 120_000;
/** Settled means: nothing unfinished and every job counted, at this many looks in a row. */
const SETTLED_LOOKS = 2;

/**
 * One run of `pnpm demo`: the whole system as child processes on a fresh prefix, merchants
 * onboarded, a minute of synthetic traffic with the field report's incidents along the way, a
 * summary with the invariant check, and everything stopped and deleted at the end or on Ctrl-C.
 */
export class DemoRun {
  private readonly view: LiveView;
  private readonly prefix = newDemoPrefix();
  private readonly redis: Redis;
  private stack: DemoStack | undefined;
  private traffic: TrafficStream | undefined;
  private scoreQueue: ScoreQueue | undefined;
  private interruptedWith: number | undefined;
  private finishing: Promise<void> | undefined;

  constructor(private readonly options: DemoRunOptions) {
    this.view = new LiveView(options.out, options.parentEnv);
    this.redis = connectRedis(options.env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    // Connection trouble surfaces where a command fails; without a listener ioredis would log it.
    this.redis.on("error", () => {});
  }

  /** Runs the demo; resolves with the exit code (0, or 1 when something failed or the invariant broke). */
  async run(): Promise<number> {
    let code: number;
    try {
      code = await this.runSteps();
    } catch (error) {
      code = 1;
      if (!this.interrupted) this.view.line(`riskq demo: ${(error as Error).message}`);
    }
    await this.finish();
    return this.interruptedWith ?? code;
  }

  /** Ctrl-C (exit code 130) or SIGTERM (143): stops the traffic and every app, deletes the prefix. */
  async interrupt(exitCode: number): Promise<void> {
    if (this.interruptedWith === undefined) {
      this.interruptedWith = exitCode;
      // The last picture stays on screen, the news below it.
      this.view.keep();
      this.view.line();
      this.view.line("interrupted: stopping the traffic and the apps, deleting the demo's keys…");
    }
    await this.finish();
  }

  private get interrupted(): boolean {
    return this.interruptedWith !== undefined;
  }

  /** A second Ctrl-C: kills every app at once. */
  async kill(): Promise<void> {
    await this.stack?.kill();
  }

  private async runSteps(): Promise<number> {
    const { flags, env } = this.options;
    const view = this.view;
    try {
      await this.redis.connect();
      await this.redis.ping();
    } catch (error) {
      view.line(`riskq demo: no Redis answers at ${env.REDIS_URL} (${(error as Error).message}).`);
      view.line(
        "  `pnpm demo` starts a local one when redis-server is installed; or: docker compose up -d redis",
      );
      return 1;
    }
    const dashboardPort = await preferredPort("127.0.0.1", env.DASHBOARD_PORT);
    view.line(
      `${view.style.bold("riskq demo")}: starting the sandbox (realistic latency), the API, 2 workers, the scheduler and the dashboard on ${this.prefix}…`,
    );
    const startedAt = Date.now();
    this.stack = new DemoStack({
      parentEnv: this.options.parentEnv,
      redisUrl: env.REDIS_URL,
      prefix: this.prefix,
      logLevel: env.LOG_LEVEL,
      workers: 2,
      dashboard: { port: dashboardPort, user: env.DASHBOARD_USER, password: env.DASHBOARD_PASSWORD },
      onReady: (name) => view.line(`  ${view.style.green("✓")} ${name} ready`),
    });
    const stack = await this.stack.start();
    view.line(
      `  all up in ${((Date.now() - startedAt) / 1_000).toFixed(1)} s · Bull Board ${stack.boardUrl}`,
    );
    if (this.interrupted) return 130;

    const merchants = generateMerchants({ seed: SEED, count: MERCHANTS });
    await this.onboard(stack, merchants);
    const code = await this.stream(stack, merchants);
    if (flags.keepRunning && !this.interrupted) {
      this.printUrls(stack);
      // Until Ctrl-C, whose handler stops everything and exits.
      await new Promise(() => {});
    }
    return code;
  }

  private async onboard(stack: RunningStack, merchants: readonly MerchantProfile[]): Promise<void> {
    const admin = createRiskqAdminClient({ baseUrl: stack.apiUrl, apiKey: stack.apiKey });
    await Promise.all(
      merchants.map(async (merchant) => {
        // The merchant authorises the app on Alipay (a one-time code); riskq exchanges it for tokens.
        const { auth_code } = await stack.sandbox.control.createMerchant(merchant.merchant_id);
        await admin.onboardMerchant(merchant.merchant_id, auth_code);
      }),
    );
    this.view.line(
      `  onboarded ${merchants.length} merchants (sandbox auth code → POST /v1/merchants): ${merchants.map((m) => m.merchant_id).join(", ")}`,
    );
  }

  /** The timeline: traffic with the incidents, then the drain and the summary. Returns the exit code. */
  private async stream(stack: RunningStack, merchants: readonly MerchantProfile[]): Promise<number> {
    const { flags } = this.options;
    const view = this.view;
    const durationMs = flags.durationS * 1_000;
    const client = createRiskqClient({ baseUrl: stack.apiUrl, apiKey: stack.apiKey });
    const requests = scoreRequests(SEED, merchants, Math.ceil(flags.rate * flags.durationS));
    const traffic = new TrafficStream(client, requests, flags.rate);
    this.traffic = traffic;
    const scoreQueue = createScoreQueue({ connection: this.redis, prefix: this.prefix });
    scoreQueue.on("error", () => {});
    this.scoreQueue = scoreQueue;
    const sources = {
      apiUrl: stack.apiUrl,
      workerMetricsUrls: stack.workerMetricsUrls,
      control: stack.sandbox.control,
    };
    const timeline = new Timeline(
      planIncidents(durationMs),
      durationMs,
      {
        control: stack.sandbox.control,
        redis: this.redis,
        prefix: this.prefix,
        riskqAlipay: () => this.readerClient(stack),
        scoreQueue,
        traffic,
        merchants,
        rate: flags.rate,
      },
      (event) => view.event(event),
    );
    view.line(
      `  streaming ${flags.rate} jobs/s for ${flags.durationS} s through POST /v1/scores/batch (@riskq/client), ` +
        `with a burst of ${BURST_ITEMS}; incidents along the way:`,
    );
    view.line();

    let readings: Readings | undefined;
    let phase: Phase = "streaming";
    const frame = (elapsedMs: number): Frame => ({
      phase,
      elapsedMs,
      durationMs,
      rate: flags.rate,
      prefix: this.prefix,
      traffic: traffic.counts,
      readings,
      entries: timeline.entries,
    });
    const look = async () => {
      readings = await takeReadings(sources).catch(() => readings);
      return readings;
    };

    const startedAt = Date.now();
    traffic.start();
    let settledLooks = 0;
    for (;;) {
      const elapsedMs = Date.now() - startedAt;
      if (this.interrupted) return 130;
      const current = await look();
      if (this.interrupted) return 130;
      if (current) await timeline.tick(elapsedMs, current);
      if (phase === "streaming" && elapsedMs >= durationMs) {
        phase = "draining";
        await traffic.stop();
      }
      if (phase === "draining" && current) {
        const counted = (current.queue.completed ?? 0) + (current.queue.failed ?? 0);
        const settled = unfinished(current) === 0 && counted === traffic.counts.enqueued;
        settledLooks = settled ? settledLooks + 1 : 0;
        const timedOut = elapsedMs >= durationMs + DRAIN_TIMEOUT_MS;
        // Settled: done once every incident is confirmed, or a few looks later regardless.
        if (
          timedOut ||
          (settledLooks >= SETTLED_LOOKS && timeline.allHandled) ||
          settledLooks >= SETTLED_LOOKS + 5
        ) {
          break;
        }
      }
      if (this.interrupted) return 130;
      view.render(frame(elapsedMs));
      await sleep(TICK_MS);
    }
    if (this.interrupted) return 130;
    phase = "done";
    const elapsedMs = Date.now() - startedAt;
    view.render(frame(elapsedMs), true);
    view.keep();

    const final = (await takeReadings(sources).catch(() => readings))!;
    const completed = await readCompleted(scoreQueue);
    const failed = await scoreQueue.getFailedCount();
    if (this.interrupted) return 130;
    const summary = {
      durationS: flags.durationS,
      rate: flags.rate,
      merchants: merchants.length,
      enqueued: traffic.counts.enqueued,
      completed,
      failed,
      readings: final,
      entries: timeline.entries,
    };
    view.line();
    for (const line of summaryLines(summary, view.style)) view.line(line);
    for (const entry of timeline.entries) {
      if (entry.state !== "handled") {
        view.line(
          `  ${view.style.yellow("!")} ${entry.incident.name}: not confirmed — ${entry.incident.progress(final)}`,
        );
      }
    }
    view.line();
    this.view.line(`Bull Board: ${this.boardLine(stack)}`);
    // Where a service in any language learns the HTTP API (`pnpm api` serves the same pages).
    this.view.line(`API reference: ${stack.apiUrl}/docs  (OpenAPI document: ${stack.apiUrl}/openapi.json)`);
    return invariantHolds(summary) ? 0 : 1;
  }

  private boardLine(stack: RunningStack): string {
    const { env } = this.options;
    return `${stack.boardUrl}  (user ${env.DASHBOARD_USER}, password ${env.DASHBOARD_PASSWORD})`;
  }

  private printUrls(stack: RunningStack): void {
    this.view.line();
    this.view.line("Everything keeps running until Ctrl-C:");
    this.view.line(`  API         ${stack.apiUrl}  (Authorization: Bearer ${stack.apiKey})`);
    this.view.line(`  API docs    ${stack.apiUrl}/docs  (OpenAPI document: ${stack.apiUrl}/openapi.json)`);
    this.view.line(`  Bull Board  ${this.boardLine(stack)}`);
    this.view.line(`  sandbox     ${stack.sandbox.url}  (control API under /__sandbox/)`);
    this.view.line(`  metrics     ${[`${stack.apiUrl}/metrics`, ...stack.workerMetricsUrls].join(", ")}`);
    this.view.line(`  Redis       ${this.options.env.REDIS_URL}, prefix ${this.prefix}`);
  }

  /** An Alipay client on the apps' prefix and secret: the demo reads what riskq stored, never calls. */
  private readerClient(stack: RunningStack): AlipayClient {
    return createAlipayClient({
      endpoint: stack.sandbox.url,
      appId: stack.sandbox.appId,
      appPrivateKey: stack.sandbox.appPrivateKey,
      platformPublicKey: stack.sandbox.platformPublicKey,
      redis: this.redis,
      prefix: this.prefix,
      secretKey: Buffer.from(stack.secretKey, "base64"),
      logger: createLogger({ name: "demo", level: "silent" }),
    });
  }

  /** Stops the traffic, every app and the sandbox; deletes the prefix's keys. Safe twice. */
  private finish(): Promise<void> {
    this.finishing ??= (async () => {
      await this.traffic?.halt();
      await this.stack?.stop();
      await this.scoreQueue?.close().catch(() => {});
      if (this.redis.status === "ready") {
        const deleted = await deletePrefix(this.redis, this.prefix).catch(() => undefined);
        this.view.line(
          deleted === undefined
            ? `could not delete the keys of ${this.prefix}; delete them by hand`
            : `stopped every app; deleted the ${deleted} keys of ${this.prefix}`,
        );
      }
      await this.redis.quit().catch(() => this.redis.disconnect());
    })();
    return this.finishing;
  }
}
