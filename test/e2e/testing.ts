/**
 * The end-to-end stack for other workspaces' tests (`@riskq/repo-tests/e2e`): the apps as real
 * processes on a sandbox and an isolated Redis, and the environment they share.
 */
export * from "./support/app-env";
export * from "./support/stack";
