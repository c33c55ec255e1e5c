/** Test kit of @riskq/client (`@riskq/client/testing`): score requests and answers for tests of the client. */
export * from "./test/support/score-requests";
