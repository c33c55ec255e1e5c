import { randomBytes } from "node:crypto";
import type { ScoreItem } from "@riskq/contracts";
import { generateMerchants, generateTraffic } from "@riskq/synthetic";
import { nextKeyRotation, type SandboxProcess, type TestRedis } from "@riskq/testing";
import { type SandboxKitSuite, useSandboxKit } from "@riskq/testing/vitest";
import { type DestinationStream, type Logger, pino } from "pino";
import { type AlipayClient, type AlipayClientOptions, type Clock, createAlipayClient } from "../../src/index";

/** The model every test pins (released before, and retiring after, the sandbox's t0). */
export const MODEL = "risk-v3-2026-11";

/**
 * The client's view of time, kept in step with the sandbox's virtual clock: token and key
 * lifetimes are judged on the client's clock, so a test that moves one moves the other.
 */
export class ShiftedClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
}

/** Moves the sandbox clock and (unless told otherwise) the client's clock by the same amount. */
export async function advanceBoth(sandbox: SandboxProcess, clock: ShiftedClock, ms: number): Promise<void> {
  await sandbox.control.advanceClock(ms);
  clock.offset += ms;
}

/**
 * Moves both clocks past the next scheduled key rotation when it is less than two hours away, so the
 * client has no reason to fetch the next key early: tests that count calls then see only their own.
 */
export async function awayFromKeyRotation(sandbox: SandboxProcess, clock: ShiftedClock): Promise<void> {
  const { now, at } = nextKeyRotation(await sandbox.control.state());
  if (at - now < 2 * 3_600_000) await advanceBoth(sandbox, clock, at - now + 3_600_000);
}

/**
 * Lets a merchant token expire on the sandbox while the client, whose clock lags by 75 s, still
 * believes it has more than its 60 s minimum left — the setting of the silent drop (docs/alipay-ai-api.md §5.3).
 * The lag stays well inside the AES keys' 5-min grace, so key rotations cannot interfere.
 */
export async function expireTokenBehindClientsBack(
  sandbox: SandboxProcess,
  clock: ShiftedClock,
  sinceGrantMs = 0,
): Promise<void> {
  const ttlMs = 15 * 60_000;
  await sandbox.control.advanceClock(ttlMs + 5_000 - sinceGrantMs);
  clock.offset += ttlMs - 70_000 - sinceGrantMs;
}

/** Log lines captured in memory, so tests can inspect what the client wrote. */
export interface MemoryLog {
  stream: DestinationStream;
  lines: string[];
  text(): string;
}

export function memoryLog(): MemoryLog {
  const lines: string[] = [];
  return {
    stream: {
      write(chunk: string) {
        lines.push(chunk);
      },
    },
    lines,
    text: () => lines.join(""),
  };
}

const silentLogger: Logger = pino({ level: "silent" });

/** What one test needs to build clients against its sandbox and its Redis prefix. */
interface ClientKit {
  clock: ShiftedClock;
  secretKey: Buffer;
  /** A client on this kit's Redis prefix, secret key and clock; options override the defaults. */
  client(overrides?: Partial<AlipayClientOptions>): AlipayClient;
}

function clientKit(sandbox: SandboxProcess, redis: TestRedis): ClientKit {
  const clock = new ShiftedClock();
  const secretKey = randomBytes(32);
  return {
    clock,
    secretKey,
    client: (overrides = {}) =>
      createAlipayClient({
        endpoint: sandbox.url,
        appId: sandbox.appId,
        appPrivateKey: sandbox.appPrivateKey,
        platformPublicKey: sandbox.platformPublicKey,
        redis: redis.redis,
        prefix: redis.prefix,
        secretKey,
        logger: silentLogger,
        clock,
        ...overrides,
      }),
  };
}

/** The current test's sandbox, Redis prefix and client kit (read inside tests and hooks only). */
export type ClientSuite = SandboxKitSuite<ClientKit>;

/**
 * The set-up every client test file shares: one sandbox per file, reset before each test, and per
 * test a fresh Redis prefix (cleaned afterwards) and a fresh client kit on both.
 */
export function useClientKit(): ClientSuite {
  return useSandboxKit("useClientKit", (sandbox, redis) => ({ kit: clientKit(sandbox, redis) }), {
    redis: { url: process.env.REDIS_URL },
  });
}

/** A synthetic merchant (its id is not Luhn-valid, so it never looks like a card number). */
export function syntheticMerchant(seed = 11) {
  const merchant = generateMerchants({ seed, count: 1 })[0];
  if (!merchant) throw new Error("the generator returned no merchant");
  return merchant;
}

/** `count` realistic items of one synthetic merchant, reproducible from the seed. */
export function itemsOf(seed: number, count: number): { merchantId: string; items: ScoreItem[] } {
  const merchant = syntheticMerchant(seed);
  const traffic = generateTraffic({
    seed,
    merchants: [merchant],
    count,
    start: "2026-11-26T08:00:00Z",
  });
  return { merchantId: merchant.merchant_id, items: traffic.map((t) => t.item) };
}

/** Registers the merchant in the sandbox and onboards it through the client. */
export async function onboard(sandbox: SandboxProcess, client: AlipayClient, merchantId: string) {
  const { auth_code } = await sandbox.control.createMerchant(merchantId);
  await client.onboardMerchant(merchantId, auth_code);
  return auth_code;
}

/** The Redis key names the client uses (mirrors the store classes; asserted on by the tests). */
export const redisKeys = {
  aesKeys: (prefix: string) => `${prefix}:alipay:aes-keys`,
  merchantToken: (prefix: string, merchantId: string) => `${prefix}:merchant:${merchantId}:token`,
};
