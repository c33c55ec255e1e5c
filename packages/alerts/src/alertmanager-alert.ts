import { withoutControlCharacters } from "@riskq/contracts";
import { alertKindInfo } from "./alert-kinds";
import { scrubSecrets } from "./scrub-secrets";
import { boardLink } from "./slack-message";

/** One alert of Alertmanager's v2 API (`POST /api/v2/alerts` takes an array of them). */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/** What a group's state (its Redis hash) tells an Alertmanager alert; all strings, as stored. */
export type GroupState = Record<string, string>;

/** The runbook section of the kinds without one of their own. */
const OTHER_SECTION = "other-alerter-notifications";

/**
 * How Alertmanager sees each kind: its alertname, severity and runbook section. The names match the
 * Prometheus rules' where the condition is the same (a circuit open), so one Alertmanager route
 * and one runbook section serve both. Unknown kinds (a newer producer) still get a name.
 */
const KIND_ALERTS: Record<string, { alertname: string; severity: string; runbook: string }> = {
  dead_letter: { alertname: "RiskqDeadLetter", severity: "warning", runbook: "riskqdeadlettersrising" },
  circuit_open: { alertname: "RiskqCircuitOpen", severity: "critical", runbook: "riskqcircuitopen" },
  merchant_reauth_required: {
    alertname: "RiskqMerchantReauthRequired",
    severity: "critical",
    runbook: "riskqmerchanttokennearexpiry",
  },
  key_health_failed: {
    alertname: "RiskqAesKeyRejected",
    severity: "critical",
    runbook: "riskqaeskeynearexpiry",
  },
  model_recovered: { alertname: "RiskqModelRecovered", severity: "info", runbook: OTHER_SECTION },
};

const LABEL_MAX = 200;
const ANNOTATION_MAX = 1_000;

export interface AlertmanagerAlertOptions {
  /** Where the dashboard is reached: the alert's generatorURL points into its Bull Board. */
  dashboardUrl: string;
  /** The runbook the sections are anchors of (e.g. `docs/runbook.md`, or its URL in your wiki). */
  runbookUrl: string;
  endsAt: number;
}

/**
 * A group as one Alertmanager alert: labels that identify it (alertname, severity, kind, and the
 * group's queue or subject and reason), annotations that explain it, and its window. Every value
 * is scrubbed of secrets, put on one line and cut short: Alertmanager forwards them to chat and
 * mail, and the body of a post stays bounded whatever a producer wrote.
 */
export function alertmanagerAlert(state: GroupState, options: AlertmanagerAlertOptions): AlertmanagerAlert {
  const kind = state.kind ?? "unknown";
  const known = KIND_ALERTS[kind];
  const info = alertKindInfo(kind);
  const alertname = known?.alertname ?? `Riskq${camel(kind)}`;
  const severity = known?.severity ?? "warning";
  const isDeadLetter = kind === "dead_letter";

  const labels: Record<string, string> = { alertname, severity, service: "riskq", kind };
  if (state.group) labels.group = state.group;
  if (state.subject) labels[isDeadLetter ? "queue" : "subject"] = state.subject;
  if (state.reason) labels.reason = state.reason;

  const about = isDeadLetter
    ? [state.reason, state.subject && `in ${state.subject}`]
    : [state.subject, state.reason];
  const count = Number(state.count ?? 0);
  const description = [
    `${count} ${count === 1 ? info.noun : `${info.noun}s`} since ${iso(Number(state.first_seen))}`,
    state.message && `latest: ${state.message}`,
    state.last_error && `last error: ${state.last_error}`,
  ]
    .filter(Boolean)
    .join("; ");
  const annotations = {
    summary: [info.title, about.filter(Boolean).join(" ")].filter(Boolean).join(": "),
    description,
    runbook_url: `${options.runbookUrl}#${known?.runbook ?? OTHER_SECTION}`,
  };
  return {
    labels: mapValues(labels, (v) => clean(v, LABEL_MAX)),
    annotations: mapValues(annotations, (v) => clean(v, ANNOTATION_MAX)),
    startsAt: iso(Number(state.first_seen ?? state.created_at)),
    endsAt: iso(options.endsAt),
    generatorURL: boardLink(options.dashboardUrl, isDeadLetter ? state.subject : undefined),
  };
}

/** One line, no secret, at most `max` characters. */
function clean(value: string, max: number): string {
  const text = scrubSecrets(withoutControlCharacters(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function mapValues(record: Record<string, string>, f: (v: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

const iso = (ms: number) => new Date(Number.isFinite(ms) ? ms : 0).toISOString();
const camel = (kind: string) =>
  kind
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
