/**
 * Test fixtures for riskq: isolated real Redis, a real sandbox process with its control API, the
 * official SDK wired to it, a hand-signed request for what the SDK will not send, the CLI run as a
 * child process, and vitest hooks that set the sandbox and Redis up per test file.
 */
export * from "./alertmanager-process";
export * from "./app-env";
export * from "./app-process";
export * from "./cli-process";
export * from "./current-aes-key";
export * from "./free-port";
export * from "./merchant-onboarding";
export * from "./monitoring-binaries";
export * from "./repo-root";
export * from "./sandbox-control";
export * from "./sandbox-process";
export * from "./sdk";
export * from "./signed-request";
export * from "./slow-client";
export * from "./tampering-proxy";
export * from "./test-redis";
