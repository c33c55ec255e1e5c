import { randomBytes } from "node:crypto";
import { createAlipayClient } from "@riskq/alipay";
import {
  createDeadLetterQueue,
  createScoreQueue,
  type DeadLetterQueue,
  DeadLetterStore,
  type ScoreQueue,
} from "@riskq/pipeline";
import {
  type AppProcess,
  createTestRedis,
  type SandboxProcess,
  type StartSandboxOptions,
  startAppProcess,
  startSandbox,
  type TestRedis,
} from "@riskq/testing";
import { pino } from "pino";
import { newSecretKey, sharedAppEnv } from "./app-env";
import { RiskqApi } from "./riskq-api";

export interface StackOptions {
  /** Worker processes to start. */
  workers: number;
  /** Start the HTTP API too (default true). */
  api?: boolean;
  /** Extra variables of the API process. */
  apiEnv?: Record<string, string>;
  /** Extra variables of every worker process (e.g. BATCH_CAP, JOB_LOCK_MS). */
  workerEnv?: Record<string, string>;
  /**
   * Run the workers as the image does: this bundle (`pnpm build`) under plain node, from `cwd` (a
   * folder laid out like the image's /app), instead of the TypeScript source through tsx.
   */
  workerBundle?: { script: string; cwd: string };
  sandbox?: StartSandboxOptions;
  /**
   * A sandbox the test started itself (e.g. one it restarts): the stack uses it instead of starting
   * one, and leaves it running on stop — the test stops it.
   */
  sandboxProcess?: SandboxProcess;
  /** Defaults to redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** LOG_LEVEL of the apps (default warn). */
  logLevel?: string;
}

/** A whole riskq deployment in child processes, on a fresh Redis prefix, against its own sandbox. */
export interface Stack extends AsyncDisposable {
  sandbox: SandboxProcess;
  /** The test's own Redis connection and the stack's prefix. */
  testRedis: TestRedis;
  prefix: string;
  /** The `score` queue and dead letters, as seen by the test (same prefix as the apps). */
  scoreQueue: ScoreQueue;
  deadQueue: DeadLetterQueue;
  deadLetters: DeadLetterStore;
  /** The API over plain fetch; throws when the stack runs without one. */
  readonly api: RiskqApi;
  apiProcess: AppProcess | undefined;
  /** The API's bearer key (random per stack). */
  apiKey: string;
  /** RISKQ_SECRET_KEY of every app of the stack (base64 of 32 bytes). */
  secretKey: string;
  workers: AppProcess[];
  /** Every app process the stack started so far (API, workers, added workers), dead or alive. */
  readonly processes: readonly AppProcess[];
  /** The env every worker was started with (to start one more alike). */
  workerEnv: Record<string, string>;
  /** Starts another worker process like the others. */
  addWorker(): Promise<AppProcess>;
  /**
   * Registers merchants in the sandbox and onboards them: through `POST /v1/merchants` when the stack
   * has an API, else with an Alipay client on the same prefix and secret key as the workers.
   */
  onboardMerchants(merchantIds: readonly string[]): Promise<void>;
  /** Stops every process, deletes the prefix's keys, stops the sandbox. Safe twice. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 3_000;

/**
 * Starts the sandbox, the API and `workers` worker processes (in parallel), all on one fresh Redis
 * prefix with one RISKQ_SECRET_KEY and the sandbox's key files; everything is torn down again if any
 * part fails to start.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const started: AppProcess[] = [];
  const apiKey = `e2e-api-key-${randomBytes(12).toString("hex")}`;
  const ownsSandbox = options.sandboxProcess === undefined;
  let sandbox: SandboxProcess | undefined;
  let testRedis: TestRedis | undefined;
  let queues: { score: ScoreQueue; dead: DeadLetterQueue } | undefined;
  let stopped: Promise<void> | undefined;

  const stop = () => {
    stopped ??= (async () => {
      await Promise.allSettled(started.map((p) => p.stop(STOP_GRACE_MS)));
      await Promise.allSettled([queues?.score.close(), queues?.dead.close()]);
      await Promise.allSettled([ownsSandbox ? sandbox?.stop() : undefined, testRedis?.cleanup()]);
    })();
    return stopped;
  };

  try {
    [sandbox, testRedis] = await Promise.all([
      options.sandboxProcess ?? startSandbox(options.sandbox ?? {}),
      createTestRedis({ url: options.redisUrl }),
    ]);
    const { prefix, redis } = testRedis;
    const connection = redis;
    queues = {
      score: createScoreQueue({ connection, prefix }),
      dead: createDeadLetterQueue({ connection, prefix }),
    };
    for (const queue of [queues.score, queues.dead]) queue.on("error", () => {});
    const secretKey = newSecretKey();
    const common = sharedAppEnv({
      redisUrl: options.redisUrl ?? "redis://127.0.0.1:6379",
      prefix,
      secretKey,
      sandbox,
      logLevel: options.logLevel,
    });
    const workerEnv = { ...common, ...options.workerEnv };
    let workerCount = 0;
    const addWorker = async () => {
      workerCount += 1;
      const worker = await startAppProcess({
        name: `worker ${workerCount}`,
        ...(options.workerBundle
          ? { script: options.workerBundle.script, cwd: options.workerBundle.cwd, runner: "node" as const }
          : { script: "apps/worker/src/main.ts" }),
        env: workerEnv,
        readyEvent: "worker-ready",
        startTimeoutMs: 40_000,
      });
      started.push(worker);
      return worker;
    };

    const withApi = options.api ?? true;
    const [apiProcess, ...workers] = await Promise.all([
      withApi
        ? startAppProcess({
            name: "api",
            script: "apps/api/src/main.ts",
            env: {
              ...common,
              API_PORT: "0",
              API_HOST: "127.0.0.1",
              RISKQ_API_KEYS: apiKey,
              ...options.apiEnv,
            },
            readyEvent: "listening",
            startTimeoutMs: 40_000,
          }).then((p) => {
            started.push(p);
            return p;
          })
        : Promise.resolve(undefined),
      ...Array.from({ length: options.workers }, addWorker),
    ]);
    const api = apiProcess ? new RiskqApi(String(apiProcess.ready.url), apiKey) : undefined;
    const deadLetters = new DeadLetterStore(queues.score, queues.dead);
    const sandboxProcess = sandbox;
    const onboard = api
      ? (merchantId: string, authCode: string) => api.onboardMerchant(merchantId, authCode)
      : async (merchantId: string, authCode: string) => {
          const client = createAlipayClient({
            endpoint: sandboxProcess.url,
            appId: sandboxProcess.appId,
            appPrivateKey: sandboxProcess.appPrivateKey,
            platformPublicKey: sandboxProcess.platformPublicKey,
            redis,
            prefix,
            secretKey: Buffer.from(secretKey, "base64"),
            logger: pino({ level: "warn" }),
          });
          await client.onboardMerchant(merchantId, authCode);
        };

    return {
      sandbox,
      testRedis,
      prefix,
      scoreQueue: queues.score,
      deadQueue: queues.dead,
      deadLetters,
      get api() {
        if (!api) throw new Error("this stack runs without the API");
        return api;
      },
      apiProcess,
      apiKey,
      secretKey,
      get processes() {
        return [...started];
      },
      workers: workers.filter((w): w is AppProcess => w !== undefined),
      workerEnv,
      addWorker,
      async onboardMerchants(merchantIds) {
        for (const merchantId of merchantIds) {
          const { auth_code } = await sandboxProcess.control.createMerchant(merchantId);
          await onboard(merchantId, auth_code);
        }
      },
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
