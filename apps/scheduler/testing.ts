/**
 * Test kit of the scheduler (`@riskq/scheduler/testing`) for other workspaces' tests: the drift jobs,
 * to call directly, and a logger whose JSON lines a test can read.
 */
export { driftCheckJob } from "./src/jobs/drift-check";
export { rescoreDegraded } from "./src/jobs/rescore-degraded";
export { memoryLogger } from "./test/support/scheduler-harness";
