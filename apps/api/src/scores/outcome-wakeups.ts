import type { OutcomeEvents } from "./outcome-events";

/** Registers `onEnd` for jobs (called with the id of each that ends); returns what removes it. */
export type WatchEnds = (ids: readonly string[], onEnd: (jobId: string) => void) => () => void;

/**
 * Wakes waiting requests the moment one of their jobs ends, from the one event reader of the API
 * process (a single blocking XREAD on the score queue's event stream, however many callers wait;
 * outcome-events.ts). Polls remain the source of truth: an event only says "read now". An event may
 * be of an earlier run under the same id (a redriven job), and an event missed while the stream was
 * unreachable is caught by the next poll, so waiters never depend on events alone.
 */
export class OutcomeWakeups {
  private readonly watchers = new Map<string, Set<(jobId: string) => void>>();

  constructor(events: Pick<OutcomeEvents, "onEnd">) {
    events.onEnd((jobId) => this.wake(jobId));
  }

  readonly watch: WatchEnds = (ids, onEnd) => {
    for (const id of ids) {
      let set = this.watchers.get(id);
      if (!set) {
        set = new Set();
        this.watchers.set(id, set);
      }
      set.add(onEnd);
    }
    return () => {
      for (const id of ids) {
        const set = this.watchers.get(id);
        set?.delete(onEnd);
        if (set?.size === 0) this.watchers.delete(id);
      }
    };
  };

  /** Jobs someone waits on (leaks would show here). */
  get watched(): number {
    return this.watchers.size;
  }

  private wake(jobId: string): void {
    for (const onEnd of this.watchers.get(jobId) ?? []) onEnd(jobId);
  }
}
