import {
  createRiskqAdminClient,
  createRiskqClient,
  type RiskqAdminClient,
  RiskqBacklogFull,
  type RiskqClient,
  RiskqHttpError,
  RiskqRequestInvalid,
  RiskqTimeout,
  RiskqUnauthorized,
  RiskqUnavailable,
} from "@riskq/client";
import { CliError } from "../cli-errors";
import type { ApiConfig } from "../config";

/** The API as the CLI reaches it: producer and operator clients on one URL and key. */
export interface ApiClients {
  url: string;
  client: RiskqClient;
  admin: RiskqAdminClient;
}

// An operator waits at the terminal: give up on an unreachable API within a couple of seconds
// rather than the SDK's default patience for services.
const CLI_RETRIES = { attempts: 3, baseMs: 200, capMs: 2_000 };
// A 1 000-item batch on a busy API may take a while; that is not a failure.
const CLI_TIMEOUT_MS = 15_000;

export function openApi(config: ApiConfig): ApiClients {
  const options = {
    baseUrl: config.RISKQ_API_URL,
    apiKey: config.RISKQ_API_KEY,
    retries: CLI_RETRIES,
    timeoutMs: CLI_TIMEOUT_MS,
  };
  return {
    url: config.RISKQ_API_URL,
    client: createRiskqClient(options),
    admin: createRiskqAdminClient(options),
  };
}

/** An SDK error as a CliError that says what to do about it; other errors are returned as they are. */
export function explainApiError(error: unknown, url: string): unknown {
  if (error instanceof RiskqUnavailable) {
    if (error.cause !== undefined) {
      return new CliError(
        `the riskq API at ${url} is not reachable: start it with \`pnpm api\` or set RISKQ_API_URL`,
        "api_unreachable",
      );
    }
    return new CliError(`${error.message} (API at ${url})`, "api_unavailable");
  }
  if (error instanceof RiskqUnauthorized) {
    return new CliError(
      `the riskq API at ${url} refused the key (401): set RISKQ_API_KEY to one of the API's RISKQ_API_KEYS`,
      "unauthorized",
    );
  }
  if (error instanceof RiskqTimeout) {
    return new CliError(
      `the riskq API at ${url} did not answer within ${error.timeoutMs} ms; check ${url}/readyz and retry`,
      "timeout",
    );
  }
  if (error instanceof RiskqBacklogFull) {
    return new CliError(
      `${error.message}: the workers are behind; wait, or start more with \`pnpm worker\``,
      "backlog_full",
    );
  }
  if (error instanceof RiskqRequestInvalid) return new CliError(error.message, error.code);
  if (error instanceof RiskqHttpError) {
    const hint = error.status === 404 ? "; is RISKQ_API_URL the riskq API, and is that API up to date?" : "";
    return new CliError(`${error.message}${hint}`, error.serverCode ?? "http_error");
  }
  return error;
}

/** Runs an API call, turning SDK errors into CliErrors with advice. */
export async function callApi<T>(api: ApiClients, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw explainApiError(error, api.url);
  }
}
