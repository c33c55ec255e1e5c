/** The JSON body of every error answer: a stable `error` code and, usually, a readable message. */
export interface ApiErrorBody {
  error: string;
  message?: string;
  [detail: string]: unknown;
}

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
    super(body.message ?? body.error);
    this.name = "ApiError";
  }
}

/** 404 `{error: "not_found"}`. */
export const notFound = (message = "no such resource") => new ApiError(404, { error: "not_found", message });
