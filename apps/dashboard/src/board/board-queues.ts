import {
  createCallbackQueue,
  createDeadLetterQueue,
  createMaintenanceQueue,
  createScoreQueue,
  type QueueOptions,
} from "@riskq/pipeline";
import type { Queue } from "bullmq";

/** A change an operator may make from the board to a writable queue; anything else is refused. */
export type BoardAction = "pause" | "promote" | "retry" | "run-scheduler";

/** One queue on the board and what the board may do to it. */
export interface BoardQueue {
  queue: Queue;
  /** Bull Board hides every button of the queue and refuses its changes itself (405). */
  readOnly: boolean;
  /** On a writable queue, the only changes allowed (enforced by `boardHooks`). */
  actions: readonly BoardAction[];
  /** Shown under the queue's name. */
  description: string;
}

/**
 * The queues of riskq as the dashboard shows them, with the reason each may or may not be changed.
 * Adding, editing and removing jobs is never allowed: the board only ever sees redacted data, so
 * whatever it wrote back (an edit, a "duplicate") would store `[redacted]` in place of real values.
 */
export function createBoardQueues(options: Pick<QueueOptions, "connection" | "prefix">): BoardQueue[] {
  return [
    {
      queue: createScoreQueue(options),
      readOnly: false,
      // Pausing stops the workers taking new jobs (an incident); promoting wakes delayed jobs early
      // (they meet the shared rate limiter as usual). No retry: a failed score job is a dead letter,
      // and retrying it here would be an unaudited redrive that leaves its dead letter behind. No
      // removal: a kept job id is what makes a duplicate submission a no-op.
      actions: ["pause", "promote"],
      description: "scoring jobs (failed ones are dead letters: redrive them with the API or CLI)",
    },
    {
      queue: createDeadLetterQueue(options),
      // Redrive goes through the API or CLI (DeadLetterStore.redrive), which resets and audits it.
      readOnly: true,
      actions: [],
      description:
        "dead letters, read-only: redrive with POST /v1/dead-letters/redrive or `riskq dlq redrive`",
    },
    {
      queue: createMaintenanceQueue(options),
      readOnly: false,
      // Writable because it helps after an outage: run a token refresh or key health check now, or
      // retry a failed run, instead of waiting for the next tick. Both are safe — maintenance runs
      // are idempotent and hold their own locks (one token refresh per merchant at a time). Schedules
      // are not editable (the scheduler declares them, and a removed one would silently stop until
      // its next restart), nor are their waiting runs promoted (that would shift the schedule).
      actions: ["pause", "retry", "run-scheduler"],
      description: "token refresh, key health, key rotation and drift checks (the scheduler's runs)",
    },
    {
      queue: createCallbackQueue(options),
      // The worker owns deliveries: it retries them with backoff and logs a given-up one.
      readOnly: true,
      actions: [],
      description: "result callbacks waiting to be delivered, read-only",
    },
  ];
}
