/**
 * Every kind of alert riskq sends, with how a notification names it. Open by design: a new kind
 * (budget thresholds, say) is one line here, and an alerter that meets a kind it does not know (a
 * newer producer during a rolling deploy) still delivers it under a generic title.
 */
export const ALERT_KINDS = {
  dead_letter: { title: "Dead letters", noun: "dead letter" },
  circuit_open: { title: "Circuit open", noun: "open circuit" },
  model_flatline: { title: "Model flatline", noun: "flatline" },
  model_recovered: { title: "Model recovered", noun: "recovery" },
  model_expiring: { title: "Model expiring", noun: "model" },
  model_retired: { title: "Model retired", noun: "model" },
  merchant_reauth_required: { title: "Merchant must re-authorise", noun: "merchant" },
  key_health_failed: { title: "AES key rejected", noun: "rejected key" },
  budget_threshold: { title: "Budget threshold", noun: "threshold" },
} as const satisfies Record<string, AlertKindInfo>;

export interface AlertKindInfo {
  /** Headline of a notification. */
  title: string;
  /** What one distinct alert of the kind is, for counts ("12 dead letters"). */
  noun: string;
}

export type AlertKind = keyof typeof ALERT_KINDS;

/** How a kind is shown; unknown kinds get their own name as the title. */
export function alertKindInfo(kind: string): AlertKindInfo {
  return (
    (ALERT_KINDS as Record<string, AlertKindInfo>)[kind] ?? {
      title: kind.replaceAll("_", " "),
      noun: "event",
    }
  );
}
