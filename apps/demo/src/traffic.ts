import { setTimeout as sleep } from "node:timers/promises";
import type { RiskqClient } from "@riskq/client";
import type { ScoreRequestBody } from "@riskq/contracts";
import { generateTraffic, type MerchantProfile } from "@riskq/synthetic";
import { TASK } from "./demo-settings";

/**
 * `count` labelled synthetic payments of `merchants` as score requests (unique item ids per seed),
 * without `deadline_ms`: like a payment path, each gets the default 2-s deadline.
 */
export function scoreRequests(
  seed: number,
  merchants: readonly MerchantProfile[],
  count: number,
): ScoreRequestBody[] {
  // In the recent past, one item every 20 ms: what a busy shop sends.
  const traffic = generateTraffic({ seed, merchants, count, start: Date.now() - count * 20, spacingMs: 20 });
  return traffic.map(({ item }) => ({ ...item, task: TASK }));
}

/** What the producer has done so far. */
export interface TrafficCounts {
  /** Jobs the API acknowledged (each item id once: the demo's ids are unique). */
  enqueued: number;
  /** Batch requests that failed after the SDK's retries; their items are sent again. */
  failedRequests: number;
  lastError: string | undefined;
}

const TICK_MS = 250;

/**
 * A producer offering `rate` jobs per second through `POST /v1/scores/batch` (@riskq/client), one
 * batch request every 250 ms, as a payment service would. A request that failed is sent again (the
 * job ids make that safe: what the API had created comes back as a duplicate), so `enqueued` is
 * exactly the jobs that exist. It falls behind rather than piling requests up when the API is slow.
 */
export class TrafficStream {
  readonly counts: TrafficCounts = { enqueued: 0, failedRequests: 0, lastError: undefined };
  /** Ends the loop; requests in flight finish, so every job created is counted. */
  private readonly ending = new AbortController();
  /** Abandons requests in flight too (Ctrl-C: nothing is counted any more). */
  private readonly halting = new AbortController();
  private running: Promise<void> | undefined;
  private readonly bursts = new Set<Promise<void>>();
  private retry: ScoreRequestBody[] = [];
  private next = 0;

  constructor(
    private readonly client: RiskqClient,
    private readonly requests: readonly ScoreRequestBody[],
    private readonly rate: number,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops offering requests, finishing those in flight and sending again any that failed. */
  async stop(): Promise<void> {
    this.ending.abort();
    await this.running;
    await Promise.all(this.bursts);
    for (let i = 0; i < 5 && this.retry.length > 0 && !this.halting.signal.aborted; i++) {
      await this.send(this.retry.splice(0));
    }
  }

  /** Stops at once, abandoning requests in flight. */
  async halt(): Promise<void> {
    this.halting.abort();
    await this.stop();
  }

  /** Enqueues `requests` now, besides the stream. */
  burst(requests: readonly ScoreRequestBody[]): void {
    const sent = this.send(requests);
    this.bursts.add(sent);
    void sent.finally(() => this.bursts.delete(sent));
  }

  private async loop(): Promise<void> {
    const started = Date.now();
    const signal = this.ending.signal;
    while (!signal.aborted && this.next < this.requests.length) {
      const due = Math.min(this.requests.length, Math.floor(((Date.now() - started) / 1_000) * this.rate));
      const part = [...this.retry.splice(0), ...this.requests.slice(this.next, Math.max(this.next, due))];
      this.next = Math.max(this.next, due);
      await this.send(part);
      await sleep(TICK_MS, undefined, { signal }).catch(() => {});
    }
  }

  private async send(requests: readonly ScoreRequestBody[]): Promise<void> {
    if (requests.length === 0 || this.halting.signal.aborted) return;
    try {
      const jobs = await this.client.enqueueScores(requests, { signal: this.halting.signal });
      this.counts.enqueued += jobs.length;
    } catch (error) {
      if (this.halting.signal.aborted) return;
      this.counts.failedRequests += 1;
      this.counts.lastError = (error as Error).message;
      this.retry.push(...requests);
    }
  }
}
