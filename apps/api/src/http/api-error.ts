import type { RiskqErrorBody } from "@riskq/contracts";

/**
 * The JSON body of every error answer, as routes throw it: @riskq/contracts' `riskqErrorBodySchema`
 * (what the OpenAPI document shows) less the `request_id` the error handler adds.
 */
export type ApiErrorBody = Omit<RiskqErrorBody, "request_id">;

/**
 * An answer other than success, thrown by a route and written by the error handler. Routes throw
 * rather than reply so that every error goes through one place that knows the body shapes.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
    this.name = "ApiError";
  }
}

/** 404 `{error: "not_found"}`. */
export const notFound = (message = "no such resource") => new ApiError(404, { error: "not_found", message });
