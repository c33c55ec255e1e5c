import type { SandboxLedger } from "@riskq/testing";

/** What the sandbox answered between two ledger reads. */
export interface LedgerWindow {
  seconds: number;
  /** Every /v3 call, scoring and token calls alike. */
  calls: number;
  /** Scoring calls: all calls minus token grants and refreshes. */
  scoringCalls: number;
  /** Calls answered 429 (either bucket). */
  throttled: number;
  items: number;
  /** Accepted scoring calls per second. */
  acceptedScoringPerS: number;
  /** Share of calls answered 429. */
  throttledShare: number;
}

/** The difference of two ledger snapshots taken `seconds` apart. */
export function ledgerWindow(before: SandboxLedger, after: SandboxLedger, seconds: number): LedgerWindow {
  const calls = after.calls - before.calls;
  const tokenCalls =
    after.token_grants - before.token_grants + (after.token_refreshes - before.token_refreshes);
  const throttled = (after.by_status["429"] ?? 0) - (before.by_status["429"] ?? 0);
  const scoringCalls = calls - tokenCalls;
  return {
    seconds,
    calls,
    scoringCalls,
    throttled,
    items: after.items - before.items,
    acceptedScoringPerS: seconds > 0 ? (scoringCalls - throttled) / seconds : 0,
    throttledShare: calls > 0 ? throttled / calls : 0,
  };
}

export function formatLedgerWindow(w: LedgerWindow): string {
  return (
    `${w.seconds.toFixed(1)} s: ${w.scoringCalls} scoring calls (${(w.scoringCalls / w.seconds).toFixed(2)}/s sent, ` +
    `${w.acceptedScoringPerS.toFixed(2)}/s accepted), ${w.throttled} answered 429 ` +
    `(${(w.throttledShare * 100).toFixed(2)}%), ${w.items} items billed`
  );
}
