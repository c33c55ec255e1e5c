/**
 * Where alert state lives. Every key starts with the riskq prefix (a `{hash tag}`), so all of them
 * share one Redis Cluster slot and one Lua script may touch any of them.
 */
export function alertKeys(prefix: string) {
  const base = `${prefix}:alerts`;
  return {
    /** The capped stream producers append events to. */
    events: `${base}:events`,
    /** Group key → epoch ms when the group must next be looked at (first notice, update, repeat). */
    due: `${base}:due`,
    /** Group key → the alert last posted to Alertmanager as firing (JSON), until its resolution is. */
    alertmanager: `${base}:alertmanager`,
    /** Notification id → epoch ms of its next delivery attempt. */
    outbox: `${base}:outbox`,
    /** A group's state (hash), the alert identities it has seen (set), its recent job ids (list). */
    group: (groupKey: string) => {
      const key = `${base}:group:${groupKey}`;
      return { state: key, seen: `${key}:seen`, samples: `${key}:samples` };
    },
    /** A notification waiting to be delivered: its snapshot, attempts, the receivers that have it. */
    notification: (id: string) => `${base}:outbox:${id}`,
  };
}

export type AlertKeys = ReturnType<typeof alertKeys>;

/** The consumer group every alerter replica reads the events stream in. */
export const ALERTER_GROUP = "alerter";

/** The group key of an event: (kind, group). */
export const groupKeyOf = (event: { kind: string; group: string }) => `${event.kind}|${event.group}`;
