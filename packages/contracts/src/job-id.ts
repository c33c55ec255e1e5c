/**
 * What a score job id can look like: `scoreJobId(merchant_id, item_id)` (16 digits, '-', 1–64 of
 * A-Z a-z 0-9 _ -), or that followed by `.audit` for an audit re-score (apps/worker). Anything else
 * read as a job id would reach BullMQ's own keys (`meta`, `events`, `id`…) and read or delete them:
 * check ids from outside against this before they touch a queue.
 */
const SCORE_JOB_ID = /^\d{16}-[A-Za-z0-9_-]{1,64}(\.audit)?$/;

/** True when `id` can be the id of a score job (and so of its dead letter). */
export const isScoreJobId = (id: string): boolean => SCORE_JOB_ID.test(id);

/** How a valid job id reads, for error messages. */
export const SCORE_JOB_ID_SHAPE = "<merchant_id>-<item_id> (16 digits, '-', 1–64 of A-Z a-z 0-9 _ -)";

/**
 * The merchant a score job (or its dead letter) belongs to: the 16 digits its id starts with
 * (`scoreJobId` puts them there). Undefined for an id no score job can have.
 */
export const merchantOfJobId = (id: string): string | undefined =>
  isScoreJobId(id) ? id.slice(0, 16) : undefined;
