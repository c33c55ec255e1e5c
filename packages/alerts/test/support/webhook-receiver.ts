import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** What the receiver answers to its n-th request (0-based): a status, or "hang" (never answer). */
export type Responder = (n: number) => number | "hang";

interface ReceivedRequest {
  n: number;
  status: number | "hang";
  body: unknown;
}

/**
 * A local Slack-style webhook receiver (node:http): records every request with what it answered.
 * `accepted` are the bodies it answered 2xx to — what a Slack channel would show.
 */
export async function startWebhookReceiver(respond: Responder = () => 200) {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const server = createServer(async (req, res) => {
    const n = requests.length;
    const status = respond(n);
    const request: ReceivedRequest = { n, status, body: undefined };
    requests.push(request);
    try {
      request.body = JSON.parse(await readBody(req));
    } catch (err) {
      // A sender killed mid-request (the restart tests do that) leaves a cut body.
      request.body = { unreadable: String(err) };
    }
    for (const wake of waiters) wake();
    if (status === "hang") return;
    res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "failed");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const accepted = () =>
    requests.filter((r) => typeof r.status === "number" && r.status < 300).map((r) => r.body);
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/not-a-real-token`,
    requests,
    accepted,
    /** Resolves once `predicate` holds over the requests so far (checked on every request). */
    async until(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
      if (predicate()) return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `webhook receiver: condition not met within ${timeoutMs} ms (${requests.length} requests)`,
            ),
          );
        }, timeoutMs);
        const check = () => {
          if (!predicate()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  req.setEncoding("utf8");
  for await (const chunk of req) body += chunk;
  return body;
}

/** The first line of a delivered Slack body's `text`: status, title, counts. */
export function headline(body: unknown): string {
  return String((body as { text: string }).text).split("\n")[0]!;
}
