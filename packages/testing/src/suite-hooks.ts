/**
 * Per-file fixtures registered as vitest hooks, so a test file states what it needs in one line
 * instead of repeating its own beforeAll/afterAll/beforeEach/afterEach block.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { type SandboxProcess, type StartSandboxOptions, startSandbox } from "./sandbox-process";
import { createTestRedis, type TestRedis, type TestRedisOptions } from "./test-redis";

/** What `useSandbox` hands back. */
export interface SandboxSuite {
  /** The calling file's sandbox; throws outside its tests and hooks (it only exists between them). */
  readonly sandbox: SandboxProcess;
}

/**
 * Starts one sandbox for the calling test file (or describe block) and resets it before each test,
 * so every test begins from the start state without paying for a new process.
 */
export function useSandbox(options: StartSandboxOptions = {}): SandboxSuite {
  let sandbox: SandboxProcess | undefined;
  const suite: SandboxSuite = {
    get sandbox() {
      return present(sandbox, "useSandbox", "the sandbox starts in beforeAll and stops in afterAll");
    },
  };
  beforeAll(async () => {
    sandbox = await startSandbox(options);
  });
  afterAll(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });
  beforeEach(async () => {
    await suite.sandbox.reset();
  });
  return suite;
}

/** What `useTestRedis` hands back. */
export interface TestRedisSuite {
  /** The current test's Redis prefix; throws outside a test and its beforeEach/afterEach hooks. */
  readonly redis: TestRedis;
}

/**
 * Gives each test of the calling file a fresh Redis prefix and deletes its keys afterwards.
 * Test files pass `{ url: process.env.REDIS_URL }`: this package does not read the environment.
 */
export function useTestRedis(options: TestRedisOptions = {}): TestRedisSuite {
  let redis: TestRedis | undefined;
  beforeEach(async () => {
    redis = await createTestRedis(options);
  });
  afterEach(async () => {
    await redis?.cleanup();
    redis = undefined;
  });
  return {
    get redis() {
      return present(redis, "useTestRedis", "each test gets its own prefix in beforeEach");
    },
  };
}

/** A per-test kit and how to take it down (before the test's Redis prefix is deleted). */
export interface BuiltKit<K> {
  kit: K;
  teardown?: () => Promise<unknown>;
}

/** What `useSandboxKit` hands back: the file's sandbox, the test's Redis prefix and its kit. */
export interface SandboxKitSuite<K> extends SandboxSuite, TestRedisSuite {
  readonly kit: K;
}

/**
 * The set-up many suites share: one sandbox per file (reset before each test) and, per test, a fresh
 * Redis prefix and a kit built on both — torn down after the test, before the prefix is cleaned.
 */
export function useSandboxKit<K>(
  name: string,
  build: (sandbox: SandboxProcess, redis: TestRedis) => BuiltKit<K>,
  options: { sandbox?: StartSandboxOptions; redis?: TestRedisOptions } = {},
): SandboxKitSuite<K> {
  const sandboxSuite = useSandbox(options.sandbox);
  const redisSuite = useTestRedis(options.redis);
  let built: BuiltKit<K> | undefined;
  // Registered after the two above: runs once the sandbox is reset and the prefix exists, and
  // (hooks unwind as a stack) tears down before the prefix's keys are deleted.
  beforeEach(() => {
    built = build(sandboxSuite.sandbox, redisSuite.redis);
  });
  afterEach(async () => {
    await built?.teardown?.();
    built = undefined;
  });
  return {
    get sandbox() {
      return sandboxSuite.sandbox;
    },
    get redis() {
      return redisSuite.redis;
    },
    get kit() {
      return present(built, name, "the kit exists only inside a test").kit;
    },
  };
}

function present<T>(value: T | undefined, helper: string, why: string): T {
  if (value === undefined) {
    throw new Error(`${helper}(): used outside a test — ${why}; read it inside it() or a hook`);
  }
  return value;
}
