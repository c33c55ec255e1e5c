import type { ApiKeyRole, MerchantScope } from "@riskq/config";
import type { FastifyRequest } from "fastify";
import { ApiError } from "./api-error";

/** Who sent a request: the key it authenticated with, by name, and what that key may do. */
export interface ApiCaller {
  /** The key's name (never the key): audit lines and jobs' `submitted_by` carry it. */
  name: string;
  role: ApiKeyRole;
  merchants: MerchantScope;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the bearer check of every /v1 route, before the route runs. */
    caller?: ApiCaller;
  }
}

/** The authenticated caller of a /v1 request (the bearer hook has run; without it this is a bug). */
export function callerOf(request: FastifyRequest): ApiCaller {
  if (!request.caller) throw new Error("callerOf: the request went past the bearer check unauthenticated");
  return request.caller;
}

/** True when the caller's key may act for this merchant. */
export const actsFor = (caller: ApiCaller, merchantId: string): boolean =>
  caller.merchants === "*" || caller.merchants.includes(merchantId);

/** Operators see every job's callback URL; other keys only those of the jobs they submitted. */
export const seesCallbackOf = (caller: ApiCaller, submittedBy: string | undefined): boolean =>
  caller.role === "operator" || (submittedBy !== undefined && submittedBy === caller.name);

/** 403 unless the caller's key has the operator role (dead letters, onboarding). */
export function requireOperator(caller: ApiCaller, what: string): void {
  if (caller.role === "operator") return;
  throw new ApiError(403, {
    error: "forbidden",
    message: `${what} needs an API key with the "operator" role; key "${caller.name}" is a ${caller.role}`,
    required_role: "operator",
  });
}

/** 403 naming the field whose merchant the caller's key may not act for. */
export function merchantForbidden(caller: ApiCaller, field: string, merchantId: string): ApiError {
  return new ApiError(403, {
    error: "forbidden",
    message: `key "${caller.name}" may not act for merchant ${merchantId} (${field}): use a key of that merchant`,
    field,
  });
}
