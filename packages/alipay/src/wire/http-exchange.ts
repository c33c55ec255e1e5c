import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** One HTTP answer, read whole. */
export interface HttpAnswer {
  status: number;
  /** A response header by lower-case name (the first value when repeated). */
  header(name: string): string | undefined;
  body: string;
}

export interface HttpExchange {
  method: "GET" | "POST";
  url: URL;
  headers: Record<string, string>;
  body?: string | undefined;
  signal: AbortSignal;
  /** Largest answer body read (default MAX_ANSWER_BYTES); a larger one rejects with AnswerTooLarge. */
  maxBodyBytes?: number;
}

/**
 * Largest answer body read: a full batch answer is ~50 KB. Without a cap, a broken or hostile
 * endpoint could stream gigabytes into a worker's memory.
 */
export const MAX_ANSWER_BYTES = 5 * 1024 * 1024;

/** The answer's body is over the cap: the request was abandoned without reading the rest. */
export class AnswerTooLarge extends Error {
  override readonly name = "AnswerTooLarge";
  constructor(readonly limitBytes: number) {
    super(`the answer's body exceeds ${limitBytes} bytes`);
  }
}

// Keep-alive: a worker makes hundreds of calls per second to one host; new connections per call
// would cost a handshake each. `fetch` keeps connections too, but costs several times the CPU per
// call of node:http (web streams, header objects), and the client's CPU per call bounds a worker.
const agents = {
  "http:": new HttpAgent({ keepAlive: true, maxSockets: 256 }),
  "https:": new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
};

/**
 * Sends one request with node:http(s) and reads the whole answer as UTF-8. Rejects on a network
 * error, on an answer cut short, and when `signal` aborts (the caller tells a deadline from a
 * failure by the signal).
 */
export function exchange(req: HttpExchange): Promise<HttpAnswer> {
  const secure = req.url.protocol === "https:";
  const headers: Record<string, string | number> = { ...req.headers };
  if (req.body !== undefined) headers["content-length"] = Buffer.byteLength(req.body);
  const limit = req.maxBodyBytes ?? MAX_ANSWER_BYTES;
  return new Promise((resolve, reject) => {
    const send = secure ? httpsRequest : httpRequest;
    const outgoing = send(
      req.url,
      { method: req.method, headers, agent: agents[secure ? "https:" : "http:"], signal: req.signal },
      (res) => {
        const chunks: Buffer[] = [];
        let received = 0;
        // Refused by its declared length at once, else as soon as the bytes read pass the cap;
        // destroying the request drops the socket, so the rest is never read.
        const tooLarge = () => {
          reject(new AnswerTooLarge(limit));
          outgoing.destroy();
        };
        if (Number(res.headers["content-length"] ?? 0) > limit) return tooLarge();
        res.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received > limit) return tooLarge();
          chunks.push(chunk);
        });
        res.on("error", reject);
        res.on("close", () => {
          if (!res.complete) reject(new Error("the answer was cut short"));
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            header: (name) => firstValue(res.headers, name),
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    outgoing.on("error", reject);
    outgoing.end(req.body);
  });
}

function firstValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
