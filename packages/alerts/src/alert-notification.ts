import { z } from "zod";

const epochMs = z.coerce.number().int();

/**
 * One notification as claimed: a snapshot of its group at the moment it became due, written to the
 * outbox by the claim script (Redis hash fields, hence strings coerced here). Delivery renders it.
 */
export const alertNotificationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  group: z.string(),
  /** firing: the group's first notice · update: new alerts since the last one · repeat: still firing. */
  status: z.enum(["firing", "update", "repeat"]),
  /** Distinct alerts (identities) in the group since it started firing. */
  count: z.coerce.number().int(),
  /** Of those, how many are new since the previous notice. */
  new: z.coerce.number().int(),
  /** Events folded into the group, repeats included. */
  events: z.coerce.number().int(),
  // cjson writes an empty Lua table as {}: no samples.
  samples: z.preprocess((v) => (Array.isArray(v) ? v : []), z.array(z.string())),
  subject: z.string().optional(),
  reason: z.string().optional(),
  message: z.string(),
  last_error: z.string().optional(),
  first_seen: epochMs,
  last_seen: epochMs,
  notified_at: epochMs,
  previous_notice_at: epochMs.optional(),
});

export type AlertNotification = z.output<typeof alertNotificationSchema>;
