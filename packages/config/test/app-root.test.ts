import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { appRoot } from "../src/app-root";

describe("appRoot", () => {
  it("is three folders above a module of apps/<app>/src (running from source)", () => {
    expect(appRoot(pathToFileURL("/repo/apps/worker/src/worker-env.ts"))).toBe("/repo");
  });

  it("is the folder holding dist/ for a bundle (pnpm build, the image)", () => {
    expect(appRoot(pathToFileURL("/app/dist/worker.mjs"))).toBe("/app");
    expect(appRoot(pathToFileURL("/repo/dist/api.mjs").href)).toBe("/repo");
  });
});
