import { QUEUES } from "@riskq/contracts";
import { connectRedis } from "@riskq/redis";
import { QueueEvents } from "bullmq";

/** The score queue's event stream, and the connection that is its own. */
export interface OutcomeEvents {
  events: QueueEvents;
  close(): Promise<void>;
}

/**
 * Reads the score queue's event stream on a connection of its own: a blocking XREAD must never sit
 * on the API's fail-fast connection, where it would hold every other command behind it (BullMQ
 * uses a connection instance it is given as is). Events are read from now on: waits that began
 * earlier are covered by their polls. Connection trouble is left to the polls too (they answer 503
 * at once), so its errors are swallowed here, never fatal.
 */
export function createOutcomeEvents(options: { redisUrl: string; prefix: string }): OutcomeEvents {
  // BullMQ requires blocking connections to retry forever (maxRetriesPerRequest: null).
  const connection = connectRedis(options.redisUrl, { maxRetriesPerRequest: null });
  connection.on("error", () => {});
  const events = new QueueEvents(QUEUES.score, { connection, prefix: options.prefix });
  events.on("error", () => {});
  return {
    events,
    async close() {
      await events.close().catch(() => {});
      connection.disconnect();
    },
  };
}
