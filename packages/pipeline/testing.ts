/** Test kit of @riskq/pipeline (`@riskq/pipeline/testing`): a callback receiver that verifies signatures. */
export * from "./test/fixtures/callback-receiver";
