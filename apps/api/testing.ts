/**
 * Test kit of the API (`@riskq/api/testing`) for other workspaces' tests: the API built in-process
 * on an isolated Redis prefix, test workers, and a private Redis server a test may stop.
 */
export * from "./test/support/api-harness";
export * from "./test/support/private-redis";
