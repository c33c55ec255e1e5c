#!/usr/bin/env node
// The `riskq` command of @riskq/cli's package.json `bin`, in a checkout: the CLI's TypeScript source
// through tsx (a root devDependency). The image runs the bundle instead: `node dist/cli.mjs`.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
