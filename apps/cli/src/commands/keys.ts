import { type KnownKey, pickKey } from "@riskq/alipay";
import { parseCommandArgs, positionals } from "../args";
import { EXIT_OK } from "../cli-errors";
import { type Command, type CommandContext, emit, printUsage, runGroup } from "../command";
import { alipayConfig } from "../config";
import { callAlipay, openAlipay } from "../connections/alipay";
import { withRedis } from "../connections/redis";
import { isoTime, keyValues, table, timeWithDistance } from "../output/format";

const USAGE = `Usage: riskq keys status [--json]
       riskq keys rotate [--json]

  status   the AES keys riskq holds in Redis: the key in use, its not_before/expires_at, and every
           known key (ids and windows only, never key material)
  rotate   fetch the key list from Alipay now and store it (what the scheduler does at a rotation
           or when the key-health probe fails), then show the key in use

Environment: REDIS_URL, RISKQ_PREFIX, RISKQ_SECRET_KEY (the workers' one: keys are sealed with it)
and the ALIPAY_* variables.`;

type KeyState = "current" | "next" | "in force" | "expired";

/** A key as shown: its id and window, never its material. */
interface KeyView {
  key_id: string;
  not_before: string;
  expires_at: string;
  state: KeyState;
}

function viewOf(key: KnownKey, current: KnownKey | undefined, now: number): KeyView {
  const state: KeyState =
    key.keyId === current?.keyId
      ? "current"
      : key.notBefore > now
        ? "next"
        : key.expiresAt <= now
          ? "expired"
          : "in force";
  return { key_id: key.keyId, not_before: isoTime(key.notBefore), expires_at: isoTime(key.expiresAt), state };
}

function report(keys: readonly KnownKey[], current: KnownKey | undefined, now: number) {
  return {
    current: current === undefined ? null : viewOf(current, current, now),
    keys: keys.map((key) => viewOf(key, current, now)),
  };
}

function describe(view: ReturnType<typeof report>, now: number, empty: string): string {
  if (view.keys.length === 0) return empty;
  const current = view.current;
  return [
    current === null
      ? "no key is usable now"
      : keyValues([
          ["current key", current.key_id],
          ["not before", current.not_before],
          ["expires at", timeWithDistance(Date.parse(current.expires_at), now)],
        ]),
    "",
    table(
      ["KEY ID", "NOT BEFORE", "EXPIRES AT", "STATE"],
      view.keys.map((k) => [k.key_id, k.not_before, k.expires_at, k.state]),
    ),
  ].join("\n");
}

async function status(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseCommandArgs(args, {}, USAGE);
  if (values.help) return printUsage(ctx, USAGE);
  positionals(given, [], USAGE);
  const config = alipayConfig(ctx.warn);
  const now = ctx.now();
  // Read from Redis only: a status must not itself fetch keys from Alipay.
  const keys = await withRedis(config.REDIS_URL, (redis) => openAlipay(config, redis, ctx.io).knownKeys());
  const view = report(keys, pickKey(keys, now), now);
  emit(ctx, values.json === true, view, () =>
    describe(
      view,
      now,
      `no AES keys stored under ${config.RISKQ_PREFIX} yet: workers fetch them at their first call; \`riskq keys rotate\` fetches them now`,
    ),
  );
  return EXIT_OK;
}

async function rotate(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseCommandArgs(args, {}, USAGE);
  if (values.help) return printUsage(ctx, USAGE);
  positionals(given, [], USAGE);
  const config = alipayConfig(ctx.warn);
  const { previous, current, keys } = await withRedis(config.REDIS_URL, async (redis) => {
    const alipay = openAlipay(config, redis, ctx.io);
    const before = await alipay.knownKeys();
    const inUse = await callAlipay(config, () => alipay.rotateKeys());
    return { previous: pickKey(before, ctx.now()), current: inUse, keys: await alipay.knownKeys() };
  });
  const now = ctx.now();
  const view = { previous_key_id: previous?.keyId ?? null, ...report(keys, current, now) };
  emit(ctx, values.json === true, view, () =>
    [
      `fetched the key list from Alipay at ${config.ALIPAY_ENDPOINT}; key in use before: ${view.previous_key_id ?? "none"}`,
      "",
      describe(view, now, "Alipay listed no keys"),
    ].join("\n"),
  );
  return EXIT_OK;
}

export const keysCommand: Command = {
  name: "keys",
  usage: USAGE,
  run: (args, ctx) => runGroup(args, ctx, { name: "keys", usage: USAGE, subcommands: { status, rotate } }),
};
