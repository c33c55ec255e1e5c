import { withoutControlCharacters } from "@riskq/contracts";
import { z } from "zod";
import type { AlertKind } from "./alert-kinds";
import { scrubSecrets } from "./scrub-secrets";

/**
 * Free text, scrubbed of secrets, on one line, cut to `max` characters (a long stack trace is not
 * news). It may quote caller data (an error naming a model version): a newline there must not
 * become a line of the alert.
 */
const text = (max: number) =>
  z.string().transform((raw) => {
    // One line first: a card number split by line breaks must be whole when the scrubber looks.
    const clean = scrubSecrets(withoutControlCharacters(raw));
    return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
  });

/** A short identifier (group, subject, reason, job id): no secrets, but it may come from a caller. */
const name = z.string().min(1).max(200).transform(withoutControlCharacters);

/**
 * One alert event on the stream, as the alerter reads it. `kind` is any snake_case word, not only
 * the known ones: a newer producer's kind must still be delivered by an older alerter.
 */
export const alertEventSchema = z.object({
  kind: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "a snake_case kind"),
  /** Notifications are grouped by (kind, group): e.g. ("dead_letter", "score-dead/silent_drop"). */
  group: name,
  /** What the alert is about: a queue, a model version, a merchant id. */
  subject: name.optional(),
  reason: name.optional(),
  /** The job this event is about (dead letters): shown as a sample id. */
  job_id: name.optional(),
  /**
   * Identity of the alert inside its group (default: job id, else subject, else group). A new key
   * is news (counted, notified after group_interval); the same key again only keeps the group firing.
   */
  key: z.string().min(1).max(300).optional(),
  message: text(1_000),
  /** The last error behind the alert, e.g. a dead letter's `code: message`. */
  error: text(1_000).optional(),
  /** Epoch ms at the producer. */
  at: z.number().int().nonnegative(),
});

export type AlertEvent = z.output<typeof alertEventSchema>;

/** What a producer publishes: a known kind, and `group`/`at` defaulted. */
export interface AlertEventInput {
  kind: AlertKind;
  /** Default: `subject/reason`, `subject`, or the kind itself. */
  group?: string;
  subject?: string;
  reason?: string;
  job_id?: string;
  key?: string;
  message: string;
  error?: string;
  /** Default: now. */
  at?: number;
}

/** Validates and completes an input into the event that goes on the stream. */
export function toAlertEvent(input: AlertEventInput, now: number): AlertEvent {
  const group = input.group ?? ([input.subject, input.reason].filter(Boolean).join("/") || input.kind);
  return alertEventSchema.parse({ ...input, group, at: input.at ?? now });
}

/** The identity of an event inside its group (see `key`). */
export function alertIdentity(event: AlertEvent): string {
  return event.key ?? event.job_id ?? event.subject ?? event.group;
}
