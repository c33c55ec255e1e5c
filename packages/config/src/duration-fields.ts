import { field } from "./field";

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Bounds (ms) and default (ms) of a duration field. */
export interface DurationOptions {
  minMs: number;
  maxMs?: number;
  defaultMs: number;
}

/**
 * A length of time, in milliseconds: whole seconds (`86400`) or a number with a unit
 * (`500ms`, `90s`, `15m`, `24h`, `7d`). Bounds are checked on the result.
 */
export function duration(options: DurationOptions) {
  const { minMs, maxMs } = options;
  const expected = `a duration: seconds (86400) or a number with ms, s, m, h or d (24h), of at least ${minMs / 1_000} s${
    maxMs === undefined ? "" : ` and at most ${maxMs / 1_000} s`
  }`;
  return field(expected, (raw) => {
    const match = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(raw.trim());
    if (!match) return { ok: false };
    const ms = Number(match[1]) * UNIT_MS[(match[2] ?? "s") as keyof typeof UNIT_MS];
    if (ms < minMs || (maxMs !== undefined && ms > maxMs)) return { ok: false };
    return { ok: true, value: ms };
  }).default(options.defaultMs);
}
