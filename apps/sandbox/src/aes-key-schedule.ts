import { createHmac } from "node:crypto";

/** One AES key with its validity window (docs/alipay-ai-api.md §4). Instants in epoch ms. */
export interface ScheduledKey {
  keyId: string;
  aesKey: string;
  notBefore: number;
  expiresAt: number;
}

export interface KeyScheduleOptions {
  seed: number;
  lifetimeMs: number;
  graceMs: number;
  /** Keys are listed this long before their not_before (docs/alipay-ai-api.md §4: 60 min). */
  publishAheadMs?: number;
}

// Daily rotation at 02:30 Asia/Shanghai = 18:30 UTC (Shanghai has no DST).
const ROTATION_ANCHOR = Date.UTC(2026, 0, 1, 18, 30);
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The key history as a pure function of (seed, forced rotations, instant): keys form a contiguous
 * chain (each key's expires_at is the next key's not_before), regular from the anchor, restarted at
 * each forced rotation. So a client may jump the virtual clock anywhere and find a consistent past.
 */
export class AesKeySchedule {
  private forced: number[] = [];
  private readonly idCache = new Map<number, string>();
  private readonly materialCache = new Map<number, string>();
  private readonly publishAheadMs: number;

  constructor(private readonly options: KeyScheduleOptions) {
    this.publishAheadMs = options.publishAheadMs ?? 3_600_000;
  }

  /** Forced rotation (docs/alipay-ai-api.md §10): a new key from `nowMs`, the current one expires now (grace still applies). */
  rotate(nowMs: number): void {
    this.forced = this.forced.filter((f) => f < nowMs);
    this.forced.push(nowMs);
    this.idCache.clear();
  }

  reset(): void {
    this.forced = [];
    this.idCache.clear();
  }

  /** The key in force at `t`. */
  keyAt(t: number): ScheduledKey {
    const { notBefore, expiresAt } = this.windowAt(t);
    return this.materialise(notBefore, expiresAt);
  }

  private windowAt(t: number): { notBefore: number; expiresAt: number } {
    const { lifetimeMs } = this.options;
    const segment = this.segmentAt(t);
    const notBefore = segment.base + Math.floor((t - segment.base) / lifetimeMs) * lifetimeMs;
    return { notBefore, expiresAt: Math.min(notBefore + lifetimeMs, segment.end) };
  }

  /** Keys the key-management endpoint lists at `t`: the current one and, within the hour before, the next. */
  listedAt(t: number): ScheduledKey[] {
    const current = this.keyAt(t);
    const listed = [current];
    if (current.expiresAt - t <= this.publishAheadMs) listed.push(this.keyAt(current.expiresAt));
    // Order is not part of the contract: vary it so clients never rely on position.
    if (listed.length === 2 && hashInt(this.options.seed, current.notBefore) % 2 === 1) listed.reverse();
    return listed;
  }

  /** Keys the server decrypts with at `t`: not_before ≤ t < expires_at + grace. */
  acceptedAt(t: number): ScheduledKey[] {
    const current = this.keyAt(t);
    const accepted = [current];
    // Walk back through predecessors still inside their grace (more than one when lifetimes are short).
    let previous = current;
    while (previous.notBefore > 0) {
      previous = this.keyAt(previous.notBefore - 1);
      if (t >= previous.expiresAt + this.options.graceMs) break;
      accepted.push(previous);
    }
    return accepted;
  }

  private segmentAt(t: number): { base: number; end: number } {
    // Before any forced rotation the chain is the regular one through the anchor (k may be negative).
    let base = ROTATION_ANCHOR;
    let end = Number.POSITIVE_INFINITY;
    for (const f of this.forced) {
      if (f <= t) base = f;
      else {
        end = f;
        break;
      }
    }
    return { base, end };
  }

  private materialise(notBefore: number, expiresAt: number): ScheduledKey {
    // Every call looks up its keys: derive each key's material once.
    let aesKey = this.materialCache.get(notBefore);
    if (aesKey === undefined) {
      const material = createHmac("sha256", `riskq-sandbox-aes-${this.options.seed}`)
        .update(String(notBefore))
        .digest();
      aesKey = material.subarray(0, 16).toString("base64");
      if (this.materialCache.size > 4096) this.materialCache.clear();
      this.materialCache.set(notBefore, aesKey);
    }
    return { keyId: this.keyId(notBefore), aesKey, notBefore, expiresAt };
  }

  /** `k-<Shanghai date of not_before>-<sequence within that date>`, e.g. k-20261126-01. */
  private keyId(notBefore: number): string {
    const cached = this.idCache.get(notBefore);
    if (cached) return cached;
    const local = notBefore + SHANGHAI_OFFSET_MS;
    const dayStart = local - (((local % DAY_MS) + DAY_MS) % DAY_MS) - SHANGHAI_OFFSET_MS;
    let sequence = 1;
    // Count the chain's keys that start earlier on the same Shanghai day.
    let cursor = this.windowAt(dayStart).notBefore;
    while (cursor < notBefore) {
      if (cursor >= dayStart) sequence += 1;
      cursor = this.windowAt(cursor).expiresAt;
    }
    // Keys after the i-th forced rotation count from 10·i + 1, so an id never names both a key the
    // rotation cancelled and the key that replaced it (their material differs).
    const forcedBefore = this.forced.filter((f) => f <= notBefore).length;
    sequence += 10 * forcedBefore;
    const date = new Date(local).toISOString().slice(0, 10).replaceAll("-", "");
    const id = `k-${date}-${String(sequence).padStart(2, "0")}`;
    this.idCache.set(notBefore, id);
    return id;
  }
}

function hashInt(seed: number, n: number): number {
  return createHmac("sha256", String(seed)).update(String(n)).digest().readUInt32BE(0);
}
