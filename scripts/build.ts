import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

/** The apps the image ships, each bundled from apps/<app>/src/main.ts to dist/<app>.mjs. */
export const SHIPPED_APPS = ["api", "worker", "scheduler", "dashboard", "sandbox", "cli"] as const;
export type ShippedApp = (typeof SHIPPED_APPS)[number];

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Workspace packages (`@riskq/*`) export TypeScript source, so they are bundled; every other bare
 * import stays an `import` of an npm package, installed in the image as a production dependency.
 * esbuild's `--packages=external` cannot tell the two apart: both are bare names in node_modules.
 */
const npmPackagesExternal: Plugin = {
  name: "npm-packages-external",
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@riskq/") ? undefined : { path: args.path, external: true },
    );
  },
};

export interface BuildOptions {
  /** Where `<app>.mjs` files go (default: dist/ at the repository root); emptied first. */
  outDir?: string;
  apps?: readonly ShippedApp[];
}

/** Bundles each app's entry into one ES module that plain `node` runs; returns the files written. */
export async function buildBundles(options: BuildOptions = {}): Promise<string[]> {
  const outDir = resolve(options.outDir ?? join(REPO_ROOT, "dist"));
  const apps = options.apps ?? SHIPPED_APPS;
  rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: apps.map((app) => ({ in: join(REPO_ROOT, "apps", app, "src", "main.ts"), out: app })),
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Stack traces point at the TypeScript source (node --enable-source-maps).
    sourcemap: true,
    plugins: [npmPackagesExternal],
    logLevel: "warning",
  });
  return apps.map((app) => join(outDir, `${app}.mjs`));
}

// `pnpm build`: dist/<app>.mjs for every shipped app.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = await buildBundles();
  for (const file of files) console.log(`built ${file.slice(REPO_ROOT.length)}`);
}
