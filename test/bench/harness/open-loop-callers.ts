import { setTimeout as sleep } from "node:timers/promises";
import type { ScoreRequestBody } from "@riskq/contracts";
import { type ApiTarget, type CallRecord, callScore } from "./payment-calls";

export interface OpenLoopOptions {
  target: ApiTarget;
  /** Each merchant's requests, sent in order. */
  streams: ReadonlyArray<readonly ScoreRequestBody[]>;
  /** Requests per second per merchant. */
  perSecond: number;
  /** ms since the traffic's start, the clock every record is on. */
  now: () => number;
  /**
   * A guard, not a limit the load should reach: past this many requests waiting for an answer,
   * due requests are counted as skipped instead of sent (a stalled API must not exhaust sockets).
   */
  maxInFlight?: number;
  /**
   * A request due longer ago than this is skipped, not sent: after the bench's own process stalled
   * (a busy machine), sending everything overdue at once would be a burst no real callers make.
   */
  maxLateMs?: number;
}

/** How often the schedule is looked at: a request goes out at most this late (plus event-loop lag). */
const TICK_MS = 2;

/**
 * Payment services calling riskq synchronously: each merchant sends its next request on a fixed
 * schedule (open loop) whatever the answers before it are doing, so a slow riskq meets more
 * requests in flight, as it would in production, rather than a politely slowed caller. The
 * merchants' schedules are staggered within one period so they do not all fire at once.
 */
export class OpenLoopCallers {
  readonly records: CallRecord[] = [];
  /** Requests that were due while `maxInFlight` were waiting: never sent. */
  skippedInFlight = 0;
  /** Requests the schedule reached more than `maxLateMs` late (the bench's process was stalled): never sent. */
  skippedLate = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly next: number[];
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: OpenLoopOptions) {
    this.next = options.streams.map(() => 0);
  }

  /** Starts the schedule at the clock's now (its zero, normally). */
  start(): void {
    this.loop ??= this.run(this.options.now());
  }

  /** Stops sending and waits for every request in flight to be answered or to time out. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await Promise.all(this.inFlight);
  }

  get pending(): number {
    return this.inFlight.size;
  }

  private async run(startedAt: number): Promise<void> {
    const { streams, perSecond, now } = this.options;
    const periodMs = 1_000 / perSecond;
    const maxInFlight = this.options.maxInFlight ?? 2_000;
    const maxLateMs = this.options.maxLateMs ?? 1_000;
    while (!this.stopped) {
      const elapsed = now() - startedAt;
      streams.forEach((stream, merchant) => {
        const offset = (merchant / streams.length) * periodMs;
        for (;;) {
          const index = this.next[merchant]!;
          const scheduledAt = startedAt + offset + index * periodMs;
          if (index >= stream.length || scheduledAt > startedAt + elapsed) break;
          this.next[merchant] = index + 1;
          if (startedAt + elapsed - scheduledAt > maxLateMs) {
            this.skippedLate += 1;
            continue;
          }
          if (this.inFlight.size >= maxInFlight) {
            this.skippedInFlight += 1;
            continue;
          }
          this.send(stream[index]!, merchant, scheduledAt);
        }
      });
      await sleep(TICK_MS);
    }
  }

  private send(body: ScoreRequestBody, merchant: number, scheduledAt: number): void {
    const call = callScore(this.options.target, body, { merchant, scheduledAt, now: this.options.now }).then(
      (record) => {
        this.records.push(record);
        this.inFlight.delete(call);
      },
    );
    this.inFlight.add(call);
  }
}
