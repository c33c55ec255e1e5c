import type { FastifyPluginAsync } from "fastify";
import apiPackage from "../../package.json" with { type: "json" };
import { notFound } from "../http/api-error";
import { buildOpenApiDocument } from "./openapi-document";
import { REFERENCE_PAGE, REFERENCE_PAGE_CSP, referenceAssets } from "./reference-assets";

/**
 * `GET /openapi.json` (the OpenAPI 3.1 document, built once from the routes' zod schemas) and
 * `GET /docs` (Swagger UI on it, with its files under `/docs/`), without authentication: they
 * describe the API and hold no data.
 */
export function openApiRoutes(): FastifyPluginAsync {
  return async (app) => {
    const documentText = JSON.stringify(buildOpenApiDocument(apiPackage.version));
    const assetNamed = referenceAssets();

    app.get("/openapi.json", async (_request, reply) =>
      reply.type("application/json; charset=utf-8").send(documentText),
    );

    app.get("/docs", async (_request, reply) =>
      reply
        .type("text/html; charset=utf-8")
        .header("content-security-policy", REFERENCE_PAGE_CSP)
        .send(REFERENCE_PAGE),
    );

    app.get<{ Params: { file: string } }>("/docs/:file", async (request, reply) => {
      const asset = await assetNamed(request.params.file);
      if (!asset) throw notFound(`no file ${JSON.stringify(request.params.file)} in the API reference`);
      return reply.type(asset.type).header("cache-control", "public, max-age=3600").send(asset.body);
    });
  };
}
