/**
 * Alerts: producers publish events to a Redis stream (`publishAlert`); alerters (`createAlerter`, any
 * number of replicas) group them Alertmanager-style and deliver Slack-compatible webhooks through
 * a Redis outbox, exactly one replica per notification, retried until a receiver accepts; and,
 * given Alertmanager URLs, keep each group posted there as an alert until it is over.
 */
export * from "./alert-event";
export { ALERTER_GROUP, alertKeys } from "./alert-keys";
export * from "./alert-kinds";
export type { AlertLogger } from "./alert-logger";
export type { AlertNotification } from "./alert-notification";
export * from "./alerter";
export { type AlertmanagerAlert, alertmanagerAlert } from "./alertmanager-alert";
export type { AlertmanagerSyncReport } from "./alertmanager-sync";
export * from "./circuit-open-alert";
export * from "./dead-letter-alert";
export * from "./key-rejected-alert";
export * from "./publish-alert";
export { scrubSecrets } from "./scrub-secrets";
export { boardLink, type SlackMessage, slackMessage } from "./slack-message";
