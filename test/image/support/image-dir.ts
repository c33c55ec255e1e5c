import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "@riskq/testing";
import { buildBundles, type ShippedApp } from "../../../scripts/build";
import { workspaceManifests } from "./workspace-manifests";

/** Files the Dockerfile's prod-deps stage starts from, besides the workspace manifests. */
const INSTALL_INPUTS = [
  "package.json",
  "pnpm-lock.yaml",
  "pnpm-workspace.yaml",
  ".npmrc",
  "scripts/install-production-deps.sh",
];

/** A folder laid out like the image's /app: production node_modules and dist/<app>.mjs, nothing else. */
export interface ImageDir {
  dir: string;
  bundle(app: ShippedApp): string;
  remove(): void;
}

/**
 * Builds the image's /app without Docker: the same production install (from the local pnpm store,
 * offline) of the same manifests, and the same bundles. Source, tsx and devDependencies are absent,
 * so a bundle that still needed them fails here as it would in the image.
 */
export async function prepareImageDir(): Promise<ImageDir> {
  const dir = mkdtempSync(join(tmpdir(), "riskq-image-"));
  try {
    for (const file of [...INSTALL_INPUTS, ...workspaceManifests()]) {
      mkdirSync(join(dir, dirname(file)), { recursive: true });
      cpSync(join(REPO_ROOT, file), join(dir, file));
    }
    await promisify(execFile)("sh", ["scripts/install-production-deps.sh", "--offline"], {
      cwd: dir,
      timeout: 180_000,
    });
    await buildBundles({ outDir: join(dir, "dist") });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    bundle: (app) => join(dir, "dist", `${app}.mjs`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
