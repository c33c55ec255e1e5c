/** Default of RISKQ_FAIR_SHARE_PER_S: items per second per merchant enqueued without a priority. */
export const DEFAULT_FAIR_SHARE_PER_S = 200;

/** Items beyond the fair share per priority step: the first 100 extra get 1, the next 100 get 2… */
const PRIORITY_STEP = 100;
/** BullMQ's largest priority (`Job` refuses more than 2^21). */
const MAX_PRIORITY = 2_097_151;

// The sliding second, as 10 slots of 100 ms: close enough to a true sliding window at O(1) a call.
const SLOT_MS = 100;
const SLOTS = 10;

/** One merchant's enqueues in the last second. */
class MerchantWindow {
  private readonly slotOf = new Array<number>(SLOTS).fill(-1);
  private readonly counts = new Array<number>(SLOTS).fill(0);
  lastSlot = -1;

  recent(slot: number): number {
    let sum = 0;
    for (let i = 0; i < SLOTS; i++) if (this.slotOf[i]! > slot - SLOTS) sum += this.counts[i]!;
    return sum;
  }

  add(slot: number, n: number): void {
    const i = slot % SLOTS;
    if (this.slotOf[i] !== slot) {
      this.slotOf[i] = slot;
      this.counts[i] = 0;
    }
    this.counts[i]! += n;
    this.lastSlot = slot;
  }
}

/**
 * Per API process, who gets ahead in the shared `score` FIFO. BullMQ's worker takes a job from
 * `wait` (jobs added without a priority) and only when `wait` is empty one from `prioritized`
 * (moveToActive-11.lua: `RPOPLPUSH wait active`, then `moveJobFromPrioritizedToActive`). So items
 * of a merchant beyond its fair share in the last second are added with a priority: every other
 * merchant's normal jobs, even later ones, are fetched first, and the burst's tail waits its turn
 * (a longer burst sinks further: priority 1 + floor(excess / 100)). A merchant within its share —
 * normal traffic — adds with priority 0 as before, at no extra cost in Redis.
 *
 * Per process, not global: N API processes let a merchant have up to N shares before it is
 * deprioritised, which is fine for a fairness heuristic and costs no Redis round trip.
 */
export class FairShare {
  private readonly windows = new Map<string, MerchantWindow>();
  private lastSweep = 0;

  /** `perSecond` 0 turns it off (every item priority 0). */
  constructor(private readonly perSecond: number) {}

  /**
   * Counts these items (each one's merchant) as enqueued now and answers their priorities in
   * order, or undefined when all are 0 (the usual case).
   */
  priorities(merchantIds: readonly string[], now: number): number[] | undefined {
    if (this.perSecond <= 0 || merchantIds.length === 0) return undefined;
    const slot = Math.floor(now / SLOT_MS);
    this.sweep(slot);
    // Per merchant of this request: its count in the last second, and its items so far here.
    const counts = new Map<string, { recent: number; added: number }>();
    let result: number[] | undefined;
    merchantIds.forEach((merchantId, index) => {
      let count = counts.get(merchantId);
      if (!count) {
        count = { recent: this.windows.get(merchantId)?.recent(slot) ?? 0, added: 0 };
        counts.set(merchantId, count);
      }
      const excess = count.recent + count.added - this.perSecond;
      count.added += 1;
      if (excess < 0) return;
      result ??= new Array<number>(merchantIds.length).fill(0);
      result[index] = Math.min(MAX_PRIORITY, 1 + Math.floor(excess / PRIORITY_STEP));
    });
    for (const [merchantId, { added }] of counts) {
      let window = this.windows.get(merchantId);
      if (!window) {
        window = new MerchantWindow();
        this.windows.set(merchantId, window);
      }
      window.add(slot, added);
    }
    return result;
  }

  /** Merchants tracked now (tests). */
  get tracked(): number {
    return this.windows.size;
  }

  // Once a second, forget merchants quiet for a second: the map holds only recent senders.
  private sweep(slot: number): void {
    if (slot - this.lastSweep < SLOTS) return;
    this.lastSweep = slot;
    for (const [merchantId, window] of this.windows) {
      if (window.lastSlot <= slot - SLOTS) this.windows.delete(merchantId);
    }
  }
}
