import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { type Budget, type BudgetConfig, budgetName, budgetsFor, hasBudgets } from "./budget-config";
import { BudgetExhausted } from "./budget-exhausted";
import { BUDGET_KEEP_AFTER_PERIOD_S, budgetKey } from "./budget-keys";
import { microsToUsd, usdToMicros } from "./budget-money";
import { type BudgetPeriod, periodAt } from "./budget-periods";
import { type BudgetPrices, PUBLISHED_PRICES, worstCaseMicros, worstCaseOf } from "./budget-prices";
import { RESERVE_SCRIPT, runBudgetScript, SETTLE_SCRIPT } from "./budget-scripts";

/** A budget reached a threshold for the first time in its period (once across all workers). */
export interface BudgetCrossing {
  budget: Budget;
  /** "global daily budget", "monthly budget of merchant …". */
  name: string;
  period: BudgetPeriod;
  /** 80 and 90: that share is spent; 100: exhausted, what is left cannot pay for a one-item call. */
  thresholdPct: 80 | 90 | 100;
  spentUsd: number;
  limitUsd: number;
}

/** Where one budget stands (reports, metrics). */
export interface BudgetStatus {
  budget: Budget;
  name: string;
  period: BudgetPeriod;
  limitUsd: number;
  spentUsd: number;
  /** Held by calls in flight (worst-case estimates). */
  reservedUsd: number;
}

export interface BudgetGuardOptions {
  /** A plain ioredis client; the budgets live under `prefix`. */
  redis: Redis;
  /** The riskq key prefix, a `{hash tag}`. */
  prefix: string;
  config: BudgetConfig;
  /** Default: the published prices (contract section 9). */
  prices?: BudgetPrices;
  /** Picks the day and month (UTC) and times reservations (default the system clock). */
  now?: () => number;
  /**
   * A reservation not ended within this time belongs to a worker that died mid-call; its estimate
   * then counts as spent (default 120 s: well past a call's deadline and the breaker's retries).
   */
  reservationTtlMs?: number;
  /** How long `exhaustion()` answers from memory (default 1 s). */
  cacheMs?: number;
  /** Told of each threshold crossed, once per budget, period and threshold across all workers. */
  onCrossing?: (crossing: BudgetCrossing) => void;
  /** Told when ending a reservation failed (the call stands; the reservation expires as spent). */
  onError?: (error: unknown) => void;
}

/** Money held for one call until its outcome is known. End it exactly once; repeats are harmless. */
export interface BudgetReservation {
  /** How many of the batch's items (the first ones) it pays for. */
  readonly items: number;
  /** Why the items beyond `items` may not go now (undefined when all may). */
  readonly rest: BudgetExhausted | undefined;
  /** The call answered: what it billed (`billing.total`) replaces the estimate. */
  billed(totalUsd: number | string): Promise<void>;
  /** The call billed nothing: refused before sending, 429, 5xx, an open circuit. */
  release(): Promise<void>;
  /** Whether it billed is unknown (timeout, connection lost mid-call): the estimate counts as spent. */
  keep(): Promise<void>;
}

export type BudgetGuard = ReturnType<typeof createBudgetGuard>;

const KEEP_ESTIMATE = -1;

/**
 * The budget guard (docs/architecture.md, "Step 4: budget guard, call permit, circuit breaker"): its
 * cached exhaustion check runs before a job joins a batch; once the limiter has granted a call it
 * reserves the call's worst-case cost on every budget that applies, atomically in Redis, so however many workers
 * call at once the budgets are never exceeded; after the call the reservation is settled to the bill.
 */
export function createBudgetGuard(options: BudgetGuardOptions) {
  const { redis, prefix, config } = options;
  const now = options.now ?? Date.now;
  const worst = worstCaseOf(options.prices ?? PUBLISHED_PRICES);
  const oneItem = worstCaseMicros(worst, 1);
  const ttlMs = options.reservationTtlMs ?? 120_000;
  const cacheMs = options.cacheMs ?? 1_000;
  const enabled = hasBudgets(config);
  const cache = new Map<string, { at: number; value: BudgetExhausted | undefined }>();

  interface Applied {
    budget: Budget;
    name: string;
    period: BudgetPeriod;
    key: string;
    limit: number;
  }
  const applying = (merchantId: string, at: number): Applied[] =>
    budgetsFor(config, merchantId).map((budget) => {
      const period = periodAt(budget.period, at);
      return {
        budget,
        name: budgetName(budget),
        period,
        key: budgetKey(prefix, budget, period),
        limit: usdToMicros(budget.limitUsd),
      };
    });

  const report = (applied: Applied, mask: number, spent: number) => {
    if (!options.onCrossing || mask === 0) return;
    for (const [bit, thresholdPct] of [
      [1, 80],
      [2, 90],
      [4, 100],
    ] as const) {
      if ((mask & bit) === 0) continue;
      options.onCrossing({
        budget: applied.budget,
        name: applied.name,
        period: applied.period,
        thresholdPct,
        spentUsd: microsToUsd(spent),
        limitUsd: microsToUsd(applied.limit),
      });
    }
  };

  const exhaustedError = (applied: Applied[], spent: (i: number) => number) => {
    const out = applied.filter((a, i) => spent(i) + oneItem > a.limit);
    return new BudgetExhausted({
      exhausted: true,
      resetsAt: Math.max(...out.map((a) => a.period.end)),
      budgets: out.map((a) => a.name),
    });
  };

  const ended = (applied: Applied[], id: string) => async (billed: number) => {
    try {
      const reply = await runBudgetScript(
        redis,
        SETTLE_SCRIPT,
        applied.map((a) => a.key),
        [id, billed, worst.callMicros, worst.perItemMicros, ...applied.map((a) => a.limit)],
      );
      applied.forEach((a, i) => {
        report(a, reply[2 * i + 1] ?? 0, reply[2 * i] ?? 0);
      });
    } catch (err) {
      options.onError?.(err);
    }
  };

  /**
   * Why calls for `merchantId` may not go now (`exhausted`: not even a one-item call fits a budget
   * that applies), or undefined. Answers from memory for `cacheMs`: cheap enough to ask per job,
   * e.g. to skip the batcher, or for a local fallback to take over while the budget is out.
   */
  async function exhaustion(merchantId: string): Promise<BudgetExhausted | undefined> {
    const at = now();
    const cached = cache.get(merchantId);
    if (cached && at - cached.at < cacheMs) return cached.value;
    const applied = applying(merchantId, at);
    let value: BudgetExhausted | undefined;
    if (applied.length > 0) {
      const spent = (await Promise.all(applied.map((a) => redis.hget(a.key, "spent")))).map(Number);
      if (applied.some((a, i) => (spent[i] ?? 0) + oneItem > a.limit)) {
        value = exhaustedError(applied, (i) => spent[i] ?? 0);
      }
    }
    // Bounded: a cache of every merchant ever seen is not worth a leak.
    if (cache.size >= 10_000) cache.clear();
    cache.set(merchantId, { at, value });
    return value;
  }

  return {
    /** Whether any budget is configured (without one, reservations are free and touch no Redis). */
    enabled,

    /**
     * Reserves the worst case of a call of `items` items for `merchantId` on every budget that
     * applies. Resolves with a reservation for all of them, or for the first `reservation.items`
     * when only those fit what is left; throws `BudgetExhausted` when not even one item may go.
     */
    async reserve(merchantId: string, items: number): Promise<BudgetReservation> {
      const at = now();
      const applied = applying(merchantId, at);
      if (applied.length === 0) return FREE(items);
      const id = randomUUID();
      const reply = await runBudgetScript(
        redis,
        RESERVE_SCRIPT,
        applied.map((a) => a.key),
        [
          at,
          id,
          items,
          worst.callMicros,
          worst.perItemMicros,
          ttlMs,
          // A time to live, not an EXPIREAT: relative to the same clock that picked the period.
          ...applied.flatMap((a) => [
            a.limit,
            Math.ceil((a.period.end - at) / 1000) + BUDGET_KEEP_AFTER_PERIOD_S,
          ]),
        ],
      );
      const [status = 0, granted = 0, amount = 0] = reply;
      const spent = (i: number) => reply[3 + 3 * i] ?? 0;
      const reserved = (i: number) => reply[4 + 3 * i] ?? 0;
      applied.forEach((a, i) => {
        report(a, reply[5 + 3 * i] ?? 0, spent(i));
      });

      if (status === 0) {
        const error = exhaustedError(applied, spent);
        cache.set(merchantId, { at, value: error });
        throw error;
      }
      if (status === -1) {
        throw new BudgetExhausted({
          exhausted: false,
          budgets: applied.filter((a, i) => spent(i) + reserved(i) + amount > a.limit).map((a) => a.name),
        });
      }
      const end = ended(applied, id);
      const rest =
        granted < items
          ? new BudgetExhausted({
              exhausted: false,
              budgets: applied
                .filter((a, i) => spent(i) + worstCaseMicros(worst, items) > a.limit)
                .map((a) => a.name),
            })
          : undefined;
      return {
        items: granted,
        rest,
        billed: (totalUsd) => end(usdToMicros(totalUsd)),
        release: () => end(0),
        keep: () => end(KEEP_ESTIMATE),
      };
    },

    /** Why calls for `merchantId` may not go now, or undefined (cached; see the function). */
    exhaustion,

    /** Whether a budget that applies to `merchantId` is exhausted now (cached, see `exhaustion`). */
    async isExhausted(merchantId: string): Promise<boolean> {
      return (await exhaustion(merchantId)) !== undefined;
    },

    /** The current period of every global budget, and of `merchantId`'s own ones when given. */
    async status(merchantId?: string): Promise<BudgetStatus[]> {
      const applied = applying(merchantId ?? "", now()).filter(
        (a) => merchantId !== undefined || a.budget.scope === "global",
      );
      return Promise.all(
        applied.map(async (a) => {
          const [spent, reserved] = await redis.hmget(a.key, "spent", "reserved");
          return {
            budget: a.budget,
            name: a.name,
            period: a.period,
            limitUsd: a.budget.limitUsd,
            spentUsd: microsToUsd(Number(spent ?? 0)),
            reservedUsd: microsToUsd(Number(reserved ?? 0)),
          };
        }),
      );
    },
  };
}

/** The reservation of a call no budget applies to. */
const FREE = (items: number): BudgetReservation => ({
  items,
  rest: undefined,
  billed: async () => {},
  release: async () => {},
  keep: async () => {},
});
