/**
 * TEST DOUBLE OF RISKQ'S OWN API — for the SDK's retry/timeout/error-mapping logic only.
 *
 * The real API cannot be made to answer 503 twice then 202, or to hang, on demand; this tiny
 * `node:http` server answers from a script so those paths can be driven exactly. It stands in for
 * nothing external (not Redis, not Alipay): everything else is tested against the real API.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
  /** performance.now() when the request arrived. */
  at: number;
}

/** What the double does with call number `n` (0-based): answer, never answer, or drop the connection. */
export type ScriptedAnswer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | "hang"
  | "destroy";

export interface RiskqDouble extends AsyncDisposable {
  baseUrl: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : JSON.parse(text);
}

export async function startRiskqDouble(
  script: (call: RecordedCall, n: number) => ScriptedAnswer,
): Promise<RiskqDouble> {
  const calls: RecordedCall[] = [];
  const server = createServer(async (req, res) => {
    const at = performance.now();
    const call: RecordedCall = {
      method: req.method ?? "",
      url: req.url ?? "",
      authorization: req.headers.authorization,
      body: await readBody(req),
      at,
    };
    const n = calls.push(call) - 1;
    const answer = script(call, n);
    if (answer === "hang") return; // closed by closeAllConnections() at the end
    if (answer === "destroy") {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
    res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  let closed = false;
  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return { baseUrl: `http://127.0.0.1:${port}`, calls, close, [Symbol.asyncDispose]: close };
}
