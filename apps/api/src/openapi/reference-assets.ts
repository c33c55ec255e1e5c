import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * The files of the `/docs` page: swagger-ui-dist's own, served from node_modules (the bundles keep
 * npm packages external, so the image resolves them in its production node_modules as a checkout
 * does), never from a CDN: the page works offline and sends nothing elsewhere. Only these names are
 * served, so no path a caller sends reaches the file system.
 */
const DIST_FILES: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
  "favicon-16x16.png": "image/png",
};

// Our own start-up script: a file rather than an inline <script>, so the page's CSP forbids inline
// scripts. `validatorUrl: null`: Swagger UI would otherwise send the document to validator.swagger.io.
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  validatorUrl: null,
  deepLinking: true,
});
`;

/** The page itself; relative URLs, so it also works behind a proxy that adds a path prefix. */
export const REFERENCE_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>riskq API reference</title>
  <link rel="stylesheet" href="docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script src="docs/init.js"></script>
</body>
</html>
`;

/** Same-origin only: nothing the page loads or calls may come from another host. */
export const REFERENCE_PAGE_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

export interface ReferenceAsset {
  type: string;
  body: Buffer | string;
}

/**
 * The `/docs/<name>` files, read once on first use. swagger-ui-dist is located when this is called
 * (the API's start), so a missing install fails at start rather than on the first visit.
 */
export function referenceAssets(): (name: string) => Promise<ReferenceAsset | undefined> {
  const distDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const cache = new Map<string, Promise<ReferenceAsset>>();
  return async (name) => {
    if (name === "init.js") return { type: "application/javascript; charset=utf-8", body: INIT_SCRIPT };
    const type = Object.hasOwn(DIST_FILES, name) ? DIST_FILES[name] : undefined;
    if (type === undefined) return undefined;
    let asset = cache.get(name);
    if (!asset) {
      asset = readFile(join(distDir, name)).then((body) => ({ type, body }));
      cache.set(name, asset);
    }
    return asset;
  };
}
