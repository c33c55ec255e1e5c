/** Test kit of the worker (`@riskq/worker/testing`) for other workspaces' tests: the worker harness. */
export * from "./test/support/worker-harness";
