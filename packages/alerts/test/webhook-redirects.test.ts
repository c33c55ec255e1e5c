/** Alert webhooks never follow redirects (issue 14): a 3xx is a failed delivery, the target unseen. */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { postWebhook } from "../src/webhook-delivery";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A local server answering with `answer`; returns its URL and the requests it got. */
async function serve(answer: (res: ServerResponse) => void) {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    answer(res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hits };
}

describe("webhook redirects", () => {
  it.each([301, 302, 307, 308])("a %i is a failure and its Location is never visited", async (status) => {
    const target = await serve((res) => res.end("ok"));
    const receiver = await serve((res) => res.writeHead(status, { location: target.url }).end());
    const result = await postWebhook(receiver.url, { text: "alert" }, 5_000);
    expect(result).toEqual({ ok: false, error: `HTTP ${status} (redirects are not followed)` });
    expect(receiver.hits).toEqual(["POST /hook"]);
    expect(target.hits).toEqual([]);
  });

  it("a 2xx is still a delivery", async () => {
    const receiver = await serve((res) => res.end("ok"));
    expect(await postWebhook(receiver.url, { text: "alert" }, 5_000)).toEqual({ ok: true });
  });
});
