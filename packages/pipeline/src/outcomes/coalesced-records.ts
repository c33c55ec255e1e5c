import type { OutcomeRecord } from "./outcome-encoding";
import type { OutcomeRecords } from "./outcome-records";

/** Writes one job's record; resolves once it is stored. */
export type RememberOne = (id: string, record: OutcomeRecord, finishedAt: number) => Promise<void>;

interface Pending {
  id: string;
  record: OutcomeRecord;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The records of jobs that finish together written in one script call: a batch's answer settles
 * all its jobs in one turn of the event loop, so their records leave together on the next one,
 * one round trip per batch instead of one per job (the worker's hot path). Each caller still waits
 * for its own record to be stored before its job may complete.
 */
export function coalescedRecords(outcomes: Pick<OutcomeRecords, "remember">): RememberOne {
  let pending: Pending[] = [];
  let latest = 0;
  const flush = () => {
    const group = pending;
    const at = latest;
    pending = [];
    outcomes
      .remember(
        group.map(({ id, record }) => ({ id, record })),
        at,
      )
      .then(
        () => {
          for (const p of group) p.resolve();
        },
        (err: unknown) => {
          for (const p of group) p.reject(err);
        },
      );
  };
  return (id, record, finishedAt) =>
    new Promise<void>((resolve, reject) => {
      if (pending.length === 0) {
        latest = finishedAt;
        setImmediate(flush);
      }
      latest = Math.max(latest, finishedAt);
      pending.push({ id, record, resolve, reject });
    });
}
