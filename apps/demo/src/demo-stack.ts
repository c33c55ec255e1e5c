import { randomBytes } from "node:crypto";
import {
  type AppProcess,
  type SandboxProcess,
  sharedAppEnv,
  startAppProcess,
  startSandbox,
} from "@riskq/testing";
import {
  DRIFT_CHECK_EVERY_MS,
  DRIFT_WINDOW_MS,
  FALLBACK_MODEL,
  KEY_CHECK_CRON,
  KEY_GRACE_S,
  PINNED_MODEL,
  STOP_GRACE_MS,
} from "./demo-settings";

export interface DemoStackOptions {
  parentEnv: NodeJS.ProcessEnv;
  redisUrl: string;
  prefix: string;
  logLevel: string;
  workers: number;
  dashboard: { port: number; user: string; password: string };
  /** Told each app's name as it becomes ready. */
  onReady?: (name: string) => void;
}

/** Where the running deployment answers, once started. */
export interface RunningStack {
  sandbox: SandboxProcess;
  /** The API's URL and the bearer key the demo gave it. */
  apiUrl: string;
  apiKey: string;
  /** Each worker's `/metrics` URL (from its ready line). */
  workerMetricsUrls: string[];
  /** Bull Board's URL. */
  boardUrl: string;
  /** RISKQ_SECRET_KEY of every app, base64. */
  secretKey: string;
}

const STARTUP_TIMEOUT_MS = 90_000;

/**
 * Every app of a riskq deployment as child processes on one prefix, against a sandbox of their own
 * (realistic latency). `stop` may be called at any time, during `start` too (a Ctrl-C while the apps
 * boot): what has started is stopped, and what is still starting is stopped as soon as it is up.
 */
export class DemoStack {
  private readonly apps: AppProcess[] = [];
  private sandbox: SandboxProcess | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: DemoStackOptions) {}

  /**
   * Starts the sandbox, then the API, the workers, the scheduler and the dashboard in parallel,
   * each awaited on its JSON ready line. On a failure everything started is stopped again.
   */
  async start(): Promise<RunningStack> {
    const { options } = this;
    try {
      const sandbox = await startSandbox({
        latencyProfile: "realistic",
        env: { SANDBOX_KEY_GRACE_S: String(KEY_GRACE_S) },
        startTimeoutMs: STARTUP_TIMEOUT_MS,
      });
      this.sandbox = sandbox;
      if (this.stopping) await sandbox.stop();
      this.assertRunning();
      options.onReady?.("sandbox");

      const secretKey = randomBytes(32).toString("base64");
      const apiKey = `demo-${randomBytes(12).toString("hex")}`;
      const common = sharedAppEnv({
        parent: options.parentEnv,
        nodeEnv: "development",
        redisUrl: options.redisUrl,
        prefix: options.prefix,
        logLevel: options.logLevel,
        secretKey,
        sandbox,
      });
      const dashboardOrigin = `http://127.0.0.1:${options.dashboard.port}`;
      const drift = { DRIFT_WINDOW_MS: String(DRIFT_WINDOW_MS) };
      const workerEnv = {
        ...common,
        ...drift,
        ALIPAY_MODEL_VERSION: PINNED_MODEL,
        ALIPAY_FALLBACK_MODEL_VERSION: FALLBACK_MODEL,
        // The demo's traffic is the synthetic kind the pre-filter was trained on: let it decide.
        RISKQ_PREFILTER: "on",
        // A batch waits up to 100 ms for company (25 by default): the demo's permits are plentiful,
        // and a settlement burst fetched a few hundred jobs at a time must still form full batches
        // for the young-account incident to show its truncations.
        BATCH_LINGER_MS: "100",
        WORKER_METRICS_PORT: "0",
        SHUTDOWN_GRACE_MS: String(STOP_GRACE_MS),
      };
      const schedulerEnv = {
        ...common,
        ...drift,
        DRIFT_CHECK_EVERY_MS: String(DRIFT_CHECK_EVERY_MS),
        KEY_ROTATION_FALLBACK_CRON: KEY_CHECK_CRON,
        SCHEDULER_METRICS_PORT: "0",
        SHUTDOWN_GRACE_MS: String(STOP_GRACE_MS),
        // Alert links point into this dashboard.
        DASHBOARD_URL: dashboardOrigin,
      };
      const dashboardEnv = {
        ...common,
        DASHBOARD_HOST: "127.0.0.1",
        DASHBOARD_PORT: String(options.dashboard.port),
        DASHBOARD_USER: options.dashboard.user,
        DASHBOARD_PASSWORD: options.dashboard.password,
      };
      const apiEnv = { ...common, API_HOST: "127.0.0.1", API_PORT: "0", RISKQ_API_KEYS: apiKey };

      const [api, dashboard, , ...workers] = await Promise.all([
        this.startApp("api", "apps/api/src/main.ts", apiEnv, "listening"),
        this.startApp("dashboard", "apps/dashboard/src/main.ts", dashboardEnv, "listening"),
        this.startApp("scheduler", "apps/scheduler/src/main.ts", schedulerEnv, "scheduler-ready"),
        ...Array.from({ length: options.workers }, (_, i) =>
          this.startApp(`worker ${i + 1}`, "apps/worker/src/main.ts", workerEnv, "worker-ready"),
        ),
      ]);
      this.assertRunning();
      return {
        sandbox,
        apiUrl: String(api.ready.url),
        apiKey,
        workerMetricsUrls: workers.map((w) => String(w.ready.metrics)),
        boardUrl: String(dashboard.ready.url),
        secretKey,
      };
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stops every app (workers finish their calls in flight), then the sandbox. Safe twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.allSettled(this.apps.map((app) => app.stop(STOP_GRACE_MS + 2_000)));
      // Last: workers that are stopping still finish their calls to it.
      await this.sandbox?.stop();
    })();
    return this.stopping;
  }

  /** SIGKILL to every app, for a second Ctrl-C. */
  async kill(): Promise<void> {
    await Promise.allSettled(this.apps.map((app) => app.kill()));
    await this.sandbox?.stop();
  }

  private async startApp(
    name: string,
    script: string,
    env: Record<string, string>,
    readyEvent: string,
  ): Promise<AppProcess> {
    const app = await startAppProcess({ name, script, env, readyEvent, startTimeoutMs: STARTUP_TIMEOUT_MS });
    this.apps.push(app);
    // Up only after a stop began: it missed that stop, so it is stopped here.
    if (this.stopping) await app.stop(STOP_GRACE_MS);
    else this.options.onReady?.(name);
    return app;
  }

  private assertRunning(): void {
    if (this.stopping) throw new StackStopped();
  }
}

/** `start` was overtaken by `stop`. */
class StackStopped extends Error {
  constructor() {
    super("the demo was stopped while its apps started");
    this.name = "StackStopped";
  }
}
