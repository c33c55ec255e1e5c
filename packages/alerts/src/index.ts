/**
 * Alerts: producers build an event with the builder of its kind (`deadLetterAlert`,
 * `budgetThresholdAlert`, `modelFlatlineAlert`, …) and publish it to a Redis stream (`publishAlert`); alerters (`createAlerter`, any
 * number of replicas) group them Alertmanager-style and deliver Slack-compatible webhooks through
 * a Redis outbox, exactly one replica per notification, retried until a receiver accepts; and,
 * given Alertmanager URLs, keep each group posted there as an alert until it is over.
 */
export * from "./alert-event";
export { ALERTER_GROUP, alertKeys } from "./alert-keys";
export * from "./alert-kinds";
export type { AlertNotification } from "./alert-notification";
export * from "./alerter";
export { type AlertmanagerAlert, alertmanagerAlert } from "./alertmanager-alert";
export type { AlertmanagerSyncReport } from "./alertmanager-sync";
export * from "./budget-threshold-alert";
export * from "./circuit-open-alert";
export * from "./dead-letter-alert";
export * from "./key-rejected-alert";
export * from "./merchant-reauth-alert";
export * from "./model-expiring-alert";
export * from "./model-flatline-alert";
export * from "./model-recovered-alert";
export * from "./model-retired-alert";
export * from "./publish-alert";
export { scrubSecrets } from "./scrub-secrets";
export { boardLink, type SlackMessage, slackMessage } from "./slack-message";
