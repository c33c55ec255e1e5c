import {
  addLedgerRow,
  type Bill,
  checkDay,
  emptyBilled,
  emptyEstimated,
  type LedgerRow,
  type MonthlyBillSimulation,
  readLedger,
  readRecordedTraffic,
  simulateMonthlyBill,
  usdOf,
  utcDayOf,
} from "@riskq/cost";
import { integerFlag, parseCommandArgs, positionals } from "../args";
import { CliError, EXIT_OK, UsageError } from "../cli-errors";
import { type Command, type CommandContext, emit, printUsage, runGroup } from "../command";
import { redisConfig } from "../config";
import { withRedis } from "../connections/redis";
import { plural, table } from "../output/format";

const USAGE = `Usage: riskq cost report [--from <day>] [--to <day>] [--merchant <id>] [--json]
       riskq cost simulate [--threshold <t>] [--batch <n>] [--prefilter on|off]
                           [--from <day>] [--to <day>] [--json]

  report     what Alipay billed, per UTC day, merchant, task and model, from the workers' ledger;
             calls whose answer was lost (client timeout) are estimates, marked ~
  simulate   the monthly bill of the recorded traffic re-priced with another confidence threshold
             (0.05-0.95), batch size (1-100) or pre-filter setting, next to what it cost as
             recorded; the recorded days are projected to 30 (default: the last 30 days)

Days are YYYY-MM-DD (UTC), both ends included. Money is USD to 4 places, as Alipay bills it.

Environment: REDIS_URL, RISKQ_PREFIX (the workers' ones).`;

/** Days of the default simulation window, ending today. */
const DEFAULT_WINDOW_DAYS = 30;
/** The projected month. */
const MONTH_DAYS = 30;

function dayFlag(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    return checkDay(value);
  } catch {
    throw new UsageError(`--${flag} must be a day written YYYY-MM-DD, got ${JSON.stringify(value)}`, USAGE);
  }
}

function rangeFlags(values: { from?: string | undefined; to?: string | undefined }) {
  const from = dayFlag(values.from, "from");
  const to = dayFlag(values.to, "to");
  if (from !== undefined && to !== undefined && from > to)
    throw new UsageError("--from is after --to", USAGE);
  return { from, to };
}

/** Counts as shown: whole when whole, else two decimals (simulated counts are expectations). */
const count = (n: number): number => Math.round(n * 100) / 100;

/** A ledger row (or sum) as `--json` prints it; estimates apart, null when there are none. */
function rowView(row: Pick<LedgerRow, "billed" | "estimated">) {
  const { billed, estimated } = row;
  return {
    calls: billed.calls,
    items: billed.items,
    answered: billed.answered,
    flagged: billed.flagged,
    call_fees_usd: usdOf(billed.callUnits),
    item_fees_usd: usdOf(billed.itemUnits),
    review_fees_usd: usdOf(billed.reviewUnits),
    billed_usd: usdOf(billed.totalUnits),
    estimated:
      estimated.calls === 0
        ? null
        : {
            calls: estimated.calls,
            items: estimated.items,
            flagged: count(estimated.flagged),
            call_fees_usd: usdOf(estimated.callUnits),
            item_fees_usd: usdOf(estimated.itemUnits),
            review_fees_usd: usdOf(estimated.reviewUnits),
            total_usd: usdOf(estimated.totalUnits),
          },
    total_usd: usdOf(billed.totalUnits + estimated.totalUnits),
  };
}

/** `0.0123` or `0.0123 (~0.0040 est.)`. */
function totalCell(row: Pick<LedgerRow, "billed" | "estimated">): string {
  const total = usdOf(row.billed.totalUnits + row.estimated.totalUnits);
  return row.estimated.calls === 0 ? total : `${total} (~${usdOf(row.estimated.totalUnits)} est.)`;
}

async function report(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseCommandArgs(
    args,
    { from: { type: "string" }, to: { type: "string" }, merchant: { type: "string" } },
    USAGE,
  );
  if (values.help) return printUsage(ctx, USAGE);
  positionals(given, [], USAGE);
  const range = rangeFlags(values);
  const merchantId = values.merchant;
  if (merchantId !== undefined && !/^\d{16}$/.test(merchantId)) {
    throw new UsageError("--merchant must be a merchant id (16 digits)", USAGE);
  }
  const config = redisConfig(ctx.warn);
  const rows = await withRedis(config.REDIS_URL, (redis) =>
    readLedger(redis, config.RISKQ_PREFIX, { ...range, merchantId }),
  );
  const sum = { billed: emptyBilled(), estimated: emptyEstimated() };
  for (const row of rows) addLedgerRow(sum, row);
  const days = new Set(rows.map((r) => r.day));
  const view = {
    from: range.from ?? null,
    to: range.to ?? null,
    merchant_id: merchantId ?? null,
    currency: "USD",
    rows: rows.map((r) => ({
      day: r.day,
      merchant_id: r.merchantId,
      task: r.task,
      model_version: r.modelVersion,
      ...rowView(r),
    })),
    total: rowView(sum),
  };
  emit(ctx, values.json === true, view, () => {
    if (rows.length === 0) return "No calls booked in the ledger for this selection.";
    const cells = rows.map((r) => [
      r.day,
      r.merchantId,
      r.task,
      r.modelVersion,
      r.estimated.calls === 0 ? String(r.billed.calls) : `${r.billed.calls} + ~${r.estimated.calls}`,
      String(r.billed.items + r.estimated.items),
      r.estimated.calls === 0
        ? String(r.billed.flagged)
        : `${r.billed.flagged} + ~${count(r.estimated.flagged)}`,
      usdOf(r.billed.callUnits + r.estimated.callUnits),
      usdOf(r.billed.itemUnits + r.estimated.itemUnits),
      usdOf(r.billed.reviewUnits + r.estimated.reviewUnits),
      totalCell(r),
    ]);
    const lines = [
      table(
        [
          "DAY",
          "MERCHANT",
          "TASK",
          "MODEL",
          "CALLS",
          "ITEMS",
          "FLAGGED",
          "CALL FEES",
          "ITEM FEES",
          "REVIEW FEES",
          "TOTAL USD",
        ],
        cells,
      ),
      "",
      `Total ${totalCell(sum)} USD over ${plural(days.size, "day")}, ${plural(sum.billed.calls + sum.estimated.calls, "call")}.`,
    ];
    if (sum.estimated.calls > 0) {
      lines.push(
        `~ estimated: ${plural(sum.estimated.calls, "call")} whose answer was lost (client timeout); Alipay may have billed them. ` +
          "Estimate = call fee + items × item fee + the flagged share seen that day × review fee (all flagged before any answer).",
      );
    }
    return lines.join("\n");
  });
  return EXIT_OK;
}

function thresholdFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = /^(\d+(\.\d{1,4})?|\.\d{1,4})$/.test(value) ? Number(value) : Number.NaN;
  if (!(t >= 0.05 && t <= 0.95)) {
    throw new UsageError("--threshold must be a number from 0.05 to 0.95 (at most 4 decimals)", USAGE);
  }
  return t;
}

function prefilterFlag(value: string | undefined): "on" | "off" | undefined {
  if (value === undefined || value === "on" || value === "off") return value;
  throw new UsageError(`--prefilter must be on or off, got ${JSON.stringify(value)}`, USAGE);
}

/** A bill as `--json` prints it. */
function billView(bill: Bill) {
  return {
    calls: count(bill.calls),
    items_sent: count(bill.itemsSent),
    items_billed: count(bill.itemsBilled),
    flagged: count(bill.flagged),
    call_fees_usd: usdOf(bill.callUnits),
    item_fees_usd: usdOf(bill.itemUnits),
    review_fees_usd: usdOf(bill.reviewUnits),
    total_usd: usdOf(bill.totalUnits),
  };
}

/** Proposed against current, in percent (one decimal); null when nothing was billed. */
function changePercent(sim: MonthlyBillSimulation): number | null {
  const { current, proposed } = sim.monthly;
  if (current.totalUnits === 0) return null;
  return Math.round((proposed.totalUnits / current.totalUnits - 1) * 1000) / 10;
}

async function simulate(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseCommandArgs(
    args,
    {
      threshold: { type: "string" },
      batch: { type: "string" },
      prefilter: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
    },
    USAGE,
  );
  if (values.help) return printUsage(ctx, USAGE);
  positionals(given, [], USAGE);
  const settings = {
    threshold: thresholdFlag(values.threshold),
    batchSize: integerFlag(values.batch, "batch", { min: 1, max: 100 }, USAGE),
    prefilter: prefilterFlag(values.prefilter),
  };
  // Neither end given: the last 30 days up to today (UTC); one end given: open on the other side.
  const asked = rangeFlags(values);
  const none = asked.from === undefined && asked.to === undefined;
  const range = {
    from: none ? utcDayOf(ctx.now() - (DEFAULT_WINDOW_DAYS - 1) * 86_400_000) : asked.from,
    to: none ? utcDayOf(ctx.now()) : asked.to,
  };
  const config = redisConfig(ctx.warn);
  const recorded = await withRedis(config.REDIS_URL, (redis) =>
    readRecordedTraffic(redis, config.RISKQ_PREFIX, range),
  );
  if (recorded.days.length === 0) {
    throw new CliError(
      `cost simulate: no traffic recorded from ${range.from ?? "the oldest day kept"} to ${range.to ?? "today"}: ` +
        "nothing to re-price (workers record every call they make; see docs/budget-and-cost.md#cost)",
      "no_traffic",
    );
  }
  const sim = simulateMonthlyBill(recorded, { ...settings, monthDays: MONTH_DAYS });
  const change = changePercent(sim);
  const view = {
    days: sim.days,
    month_days: MONTH_DAYS,
    scale: sim.scale,
    settings: sim.settings,
    current: billView(sim.monthly.current),
    proposed: billView(sim.monthly.proposed),
    change_percent: change,
    period: { current: billView(sim.period.current), proposed: billView(sim.period.proposed) },
    unmeasured_items: sim.unmeasuredItems,
    notes: sim.notes,
  };
  emit(ctx, values.json === true, view, () => {
    const asRecorded = "as recorded";
    const { current, proposed } = sim.monthly;
    const whole = (n: number) => String(Math.round(n));
    const rows: string[][] = [
      [
        "threshold",
        asRecorded,
        sim.settings.threshold === null ? asRecorded : String(sim.settings.threshold),
      ],
      [
        "batch size",
        asRecorded,
        sim.settings.batchSize === null ? asRecorded : String(sim.settings.batchSize),
      ],
      ["pre-filter", asRecorded, sim.settings.prefilter ?? asRecorded],
      ["calls", whole(current.calls), whole(proposed.calls)],
      ["items sent", whole(current.itemsSent), whole(proposed.itemsSent)],
      ["flagged", whole(current.flagged), whole(proposed.flagged)],
      ["call fees", usdOf(current.callUnits), usdOf(proposed.callUnits)],
      ["item fees", usdOf(current.itemUnits), usdOf(proposed.itemUnits)],
      ["review fees", usdOf(current.reviewUnits), usdOf(proposed.reviewUnits)],
      [
        "total USD",
        usdOf(current.totalUnits),
        `${usdOf(proposed.totalUnits)}${change === null ? "" : ` (${change >= 0 ? "+" : ""}${change}%)`}`,
      ],
    ];
    const first = sim.days[0];
    const last = sim.days.at(-1);
    const lines = [
      `Per month (${MONTH_DAYS} days), from ${plural(sim.days.length, "recorded day")} (${first}${first === last ? "" : ` to ${last}`}) × ${count(sim.scale)}:`,
      "",
      table(["", "CURRENT (RECORDED)", "PROPOSED"], rows),
    ];
    if (sim.notes.length > 0) lines.push("", "Notes:", ...sim.notes.map((n) => `- ${n}`));
    return lines.join("\n");
  });
  return EXIT_OK;
}

export const costCommand: Command = {
  name: "cost",
  usage: USAGE,
  run: (args, ctx) =>
    runGroup(args, ctx, {
      name: "cost",
      usage: USAGE,
      subcommands: { report, simulate },
    }),
};
