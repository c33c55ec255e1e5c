import { z } from "zod";
import { ApiError } from "../api-error";
import { applyFaultsPatch, faultsPatchSchema } from "../faults";
import type { SandboxState } from "../sandbox-state";
import { zodMessage } from "./payload";

type ControlHandler = (state: SandboxState, body: unknown, params: string[]) => unknown;

interface ControlRoute {
  method: "GET" | "POST";
  pattern: RegExp;
  handle: ControlHandler;
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ApiError(400, "invalid-parameter", zodMessage(result.error));
  return result.data;
}

/** The sandbox-only control API (docs/alipay-ai-api.md §10): plain JSON, unsigned, loopback only. */
const routes: ControlRoute[] = [
  {
    method: "POST",
    pattern: /^\/__sandbox\/merchants$/,
    handle: (state, body) =>
      state.tokens.register(parse(z.object({ merchant_id: z.string().optional() }), body).merchant_id),
  },
  {
    method: "POST",
    pattern: /^\/__sandbox\/merchants\/([^/]+)\/codes$/,
    handle: (state, _body, [merchantId]) => ({ auth_code: state.tokens.newCode(merchantId!) }),
  },
  { method: "GET", pattern: /^\/__sandbox\/state$/, handle: (state) => state.snapshot() },
  {
    method: "POST",
    pattern: /^\/__sandbox\/faults$/,
    handle: (state, body) => {
      state.setFaults(applyFaultsPatch(state.faults, parse(faultsPatchSchema, body)));
      return state.faults;
    },
  },
  {
    method: "POST",
    pattern: /^\/__sandbox\/clock$/,
    handle: (state, body) => {
      const { advance_ms } = parse(z.object({ advance_ms: z.number().int().min(0) }), body);
      return { now: new Date(state.clock.advance(advance_ms)).toISOString() };
    },
  },
  {
    method: "POST",
    pattern: /^\/__sandbox\/keys\/rotate$/,
    handle: (state) => {
      state.keys.rotate(state.clock.now());
      return state.snapshot().keys;
    },
  },
  {
    method: "POST",
    pattern: /^\/__sandbox\/models\/([^/]+)\/retire$/,
    handle: (state, _body, [version]) => {
      const now = state.clock.now();
      if (!state.models.retire(decodeURIComponent(version!), now)) {
        throw new ApiError(404, "invalid-model-version", `unknown model ${version}`);
      }
      return { models: state.models.list(now) };
    },
  },
  {
    method: "POST",
    pattern: /^\/__sandbox\/account$/,
    handle: (state, body) => {
      const { created_at } = parse(z.object({ created_at: z.iso.datetime({ offset: true }) }), body);
      state.accountCreatedAt = Date.parse(created_at);
      return { account_created_at: new Date(state.accountCreatedAt).toISOString() };
    },
  },
  { method: "GET", pattern: /^\/__sandbox\/ledger$/, handle: (state) => state.ledger.toJSON() },
  {
    method: "POST",
    pattern: /^\/__sandbox\/reset$/,
    handle: (state) => {
      state.reset();
      return state.snapshot();
    },
  },
];

/** Runs a control call; throws ApiError for unknown paths, wrong methods and bad bodies. */
export function handleControl(state: SandboxState, method: string, path: string, rawBody: string): unknown {
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.method !== method) throw new ApiError(400, "invalid-method", `use ${route.method} for ${path}`);
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      throw new ApiError(400, "invalid-parameter", "body is not valid JSON");
    }
    return route.handle(state, body, match.slice(1));
  }
  throw new ApiError(400, "invalid-method", `unknown control path ${path}`);
}
