import type { JobStatus } from "@riskq/contracts";

// The answer schemas live in @riskq/contracts, shared with the API and its OpenAPI document.
export {
  batchAnswerSchema,
  type EnqueuedJob,
  enqueuedJobSchema,
  JOB_STATUSES,
  type JobStatus,
  type JobView,
  jobViewSchema,
} from "@riskq/contracts";

/** Terminal: nothing more will happen to the job unless an operator redrives a dead one. */
export const isSettled = (status: JobStatus): boolean => status === "completed" || status === "dead";
