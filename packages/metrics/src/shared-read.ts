/**
 * One read shared by every caller while it is in flight. prom-client runs the `collect()` of all
 * metrics of a scrape at once, so two gauges fed by the same Redis read share it this way.
 */
export function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let inflight: Promise<T> | undefined;
  return () => {
    inflight ??= read().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };
}
