import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { aesEncrypt } from "@riskq/wire";
import { ApiError } from "../api-error";
import { sampleLatencyMs } from "../faults";
import { authenticate } from "../routes/authenticate";
import { handleControl } from "../routes/control";
import { keyRoutes } from "../routes/keys";
import { pricingRoutes } from "../routes/pricing";
import type { Route, RouteAnswer } from "../routes/route";
import { scoringRoutes } from "../routes/score";
import { tokenRoutes } from "../routes/token";
import type { SandboxState } from "../sandbox-state";
import { readBody } from "./read-body";
import { errorBody, sendJson, sendSigned } from "./signed-response";

const ROUTES: Record<string, Route> = { ...scoringRoutes, ...tokenRoutes, ...keyRoutes, ...pricingRoutes };
const CONTROL_PREFIX = "/__sandbox/";

const isLoopback = (address: string | undefined) =>
  !!address && (address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127."));

/**
 * The sandbox's HTTP server: plain node:http, because the sandbox must cost little next to the
 * RSA and AES work every call needs anyway (the bench compares it with a bare crypto server).
 */
export function createSandboxServer(state: SandboxState, onInternalError: (err: unknown) => void): Server {
  return createServer((req, res) => {
    handle(state, req, res).catch((err) => {
      onInternalError(err);
      if (!res.headersSent)
        sendSigned(res, state.platformPrivateKey, 500, errorBody("unknow-error", "internal error"));
    });
  });
}

async function handle(state: SandboxState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  const path = url.split("?")[0] ?? "/";
  const method = req.method ?? "GET";

  if (path.startsWith(CONTROL_PREFIX)) return handleControlRequest(state, req, res, method, path);

  let status = 200;
  let code: string | undefined;
  let text: string;
  let headers: Record<string, string> = {};
  try {
    const body = await readBody(req);
    const route = ROUTES[path];
    if (!route || route.method !== method)
      throw new ApiError(400, "invalid-method", `invalid method ${method} ${path}`);
    authenticate(state, req, body, route);
    const answer: RouteAnswer = route.handle({
      state,
      method,
      pathWithQuery: url,
      headers: req.headers,
      body,
    });
    text = JSON.stringify(answer.body);
    if (answer.encryptWith) {
      text = aesEncrypt(text, answer.encryptWith);
      headers["content-type"] = "text/plain; charset=utf-8";
    }
    headers = { ...headers, ...answer.headers };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    status = err.status;
    code = err.code;
    text = errorBody(err.code, err.message);
    headers = {};
  }

  const isV3 = path.startsWith("/v3/");
  if (isV3) state.ledger.recordResponse(status, code);
  // Latency comes after the decision (docs/alipay-ai-api.md §8): a client that gives up still got billed.
  if (isV3) {
    const delay = sampleLatencyMs(
      state.faults,
      () => state.latencyRng.next(),
      () => state.latencyRng.normal(),
    );
    if (delay >= 1) await sleep(delay);
  }
  sendSigned(res, state.platformPrivateKey, status, text, headers);
}

async function handleControlRequest(
  state: SandboxState,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  path: string,
): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress)) {
    return sendJson(res, 403, {
      code: "forbidden",
      message: "the control API answers loopback clients only",
    });
  }
  try {
    const body = await readBody(req);
    sendJson(res, 200, handleControl(state, method, path, body));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    sendJson(res, err.status, { code: err.code, message: err.message });
  }
}
