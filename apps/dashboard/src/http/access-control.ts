import type { FastifyInstance } from "fastify";
import { basicAuthChecker, type Credentials } from "./basic-auth";
import { crossSiteReason } from "./same-origin";

/**
 * Guards every route of `app` — the board's pages, its API, its static files and unknown paths:
 * no valid Basic credentials → 401 with a `WWW-Authenticate` challenge; a state-changing request
 * from another site → 403. Runs on `onRequest`, before any body is read or any route is matched.
 */
export function installAccessControl(app: FastifyInstance, credentials: Credentials): void {
  const authorized = basicAuthChecker(credentials);
  app.addHook("onRequest", async (request, reply) => {
    if (!authorized(request.headers.authorization)) {
      return reply
        .code(401)
        .header("www-authenticate", 'Basic realm="riskq dashboard", charset="UTF-8"')
        .type("text/plain; charset=utf-8")
        .send(
          `riskq dashboard: log in with DASHBOARD_USER and DASHBOARD_PASSWORD (request_id ${request.id})\n`,
        );
    }
    const crossSite = crossSiteReason(request.method, request.headers);
    if (crossSite !== undefined) {
      return reply
        .code(403)
        .type("text/plain; charset=utf-8")
        .send(
          `riskq dashboard: changes are accepted from the dashboard's own pages only (${crossSite}; request_id ${request.id})\n`,
        );
    }
    return undefined;
  });
}

/**
 * Headers on every answer: never framed by another site (clickjacking a logged-in operator into a
 * click), never sniffed, and nothing but the board's static bundle stored by a cache — job data is
 * payment data. A route's own, stricter content security policy (it must forbid framing too) stays.
 */
export function installSecurityHeaders(app: FastifyInstance, staticPrefix: string): void {
  app.addHook("onSend", async (request, reply, payload) => {
    reply.header("x-frame-options", "DENY");
    if (!reply.hasHeader("content-security-policy")) {
      reply.header("content-security-policy", "frame-ancestors 'none'");
    }
    reply.header("x-content-type-options", "nosniff");
    if (!request.url.startsWith(staticPrefix)) reply.header("cache-control", "no-store");
    return payload;
  });
}
