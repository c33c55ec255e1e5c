/**
 * The recent median time of this process's Alipay calls: a call is not started for items with less
 * time left than that (its answer would most likely come too late to be used, and it would still be
 * billed). Starts at `initialMs` until enough calls were timed.
 */
export function createCallLatency(options: { initialMs: number; window?: number }) {
  const size = options.window ?? 64;
  const samples: number[] = [];
  let next = 0;
  let median = options.initialMs;
  return {
    /** A call that was answered took `ms`. */
    record(ms: number): void {
      if (samples.length < size) samples.push(ms);
      else samples[next] = ms;
      next = (next + 1) % size;
      if (samples.length >= 8) {
        const sorted = [...samples].sort((a, b) => a - b);
        median = sorted[Math.floor(sorted.length / 2)]!;
      }
    },
    medianMs: (): number => median,
  };
}
export type CallLatency = ReturnType<typeof createCallLatency>;
