import { parseCommandArgs, positionals } from "../args";
import { CliError, EXIT_OK, UsageError } from "../cli-errors";
import { type Command, type CommandContext, emit, printUsage, runGroup } from "../command";
import { alipayConfig, apiConfig } from "../config";
import { openAlipay } from "../connections/alipay";
import { callApi, openApi } from "../connections/api";
import { withRedis } from "../connections/redis";
import { isoTime, keyValues, plural, table, timeWithDistance } from "../output/format";

const USAGE = `Usage: riskq merchants add <merchant_id> --auth-code <code> [--json]
       riskq merchants list [--json]

  add    onboard a merchant through the API (POST /v1/merchants): its one-time auth code is
         exchanged for tokens, stored encrypted in Redis for the workers
  list   onboarded merchants from Redis: state (active, or reauth_required and why) and when the
         access token expires; tokens are never shown

Environment: add: RISKQ_API_URL, RISKQ_API_KEY. list: REDIS_URL, RISKQ_PREFIX, RISKQ_SECRET_KEY
(the workers' one: tokens are sealed with it) and the ALIPAY_* variables.`;

async function add(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseCommandArgs(args, { "auth-code": { type: "string" } }, USAGE);
  if (values.help) return printUsage(ctx, USAGE);
  const [merchantId] = positionals(given, ["merchant_id"], USAGE);
  const authCode = values["auth-code"];
  if (authCode === undefined || authCode === "") throw new UsageError("missing --auth-code <code>", USAGE);
  const api = openApi(apiConfig(ctx.warn));
  const merchant = await callApi(api, () => api.admin.onboardMerchant(merchantId!, authCode));
  emit(ctx, values.json === true, merchant, () =>
    keyValues([
      ["merchant", merchant.merchant_id],
      ["status", merchant.status],
      ["token expires", timeWithDistance(Date.parse(merchant.token_expires_at), ctx.now())],
    ]),
  );
  return EXIT_OK;
}

/** One merchant as `list` shows it: never a token, only its state and expiry. */
interface MerchantRow {
  merchant_id: string;
  state: "active" | "reauth_required";
  token_expires_at: string | null;
  reauth_reason?: string;
  reauth_since?: string;
}

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseCommandArgs(args, {}, USAGE);
  if (values.help) return printUsage(ctx, USAGE);
  positionals(given, [], USAGE);
  const config = alipayConfig(ctx.warn);
  const rows = await withRedis(config.REDIS_URL, async (redis) => {
    const alipay = openAlipay(config, redis, ctx.io);
    const found: MerchantRow[] = [];
    for (const merchantId of await alipay.listMerchants()) {
      const status = await alipay.merchantStatus(merchantId);
      const expiresAt = await alipay.tokenExpiry(merchantId).catch(() => {
        throw new CliError(
          `the stored token of merchant ${merchantId} cannot be opened: RISKQ_SECRET_KEY must be the workers' one`,
          "secret_key_mismatch",
        );
      });
      found.push({
        merchant_id: merchantId,
        state: status.state,
        token_expires_at: expiresAt === undefined ? null : isoTime(expiresAt),
        ...(status.state === "reauth_required"
          ? { reauth_reason: status.reason, reauth_since: isoTime(status.since) }
          : {}),
      });
    }
    return found;
  });
  emit(ctx, values.json === true, { merchants: rows }, () => {
    if (rows.length === 0) return `no merchants onboarded under ${config.RISKQ_PREFIX}`;
    const now = ctx.now();
    return [
      table(
        ["MERCHANT", "STATE", "TOKEN EXPIRES", "NOTE"],
        rows.map((row) => [
          row.merchant_id,
          row.state,
          row.token_expires_at === null ? "-" : timeWithDistance(Date.parse(row.token_expires_at), now),
          row.reauth_reason === undefined
            ? ""
            : `since ${row.reauth_since}: ${row.reauth_reason}; onboard again with a new auth code`,
        ]),
      ),
      "",
      plural(rows.length, "merchant"),
    ].join("\n");
  });
  return EXIT_OK;
}

export const merchantsCommand: Command = {
  name: "merchants",
  usage: USAGE,
  run: (args, ctx) => runGroup(args, ctx, { name: "merchants", usage: USAGE, subcommands: { add, list } }),
};
