// Preloaded into the sandbox by `sandbox-speed.ts --cpu-prof DIR` (NODE_OPTIONS="--import <this file>"),
// because Node 20 refuses --cpu-prof inside NODE_OPTIONS. Records a V8 CPU profile of the whole
// process life and writes DIR/<pid>.cpuprofile on exit (open it in Chrome DevTools or speedscope).
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const dir = process.env.RISKQ_BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  session.post("Profiler.start");
  process.once("exit", () => {
    // An in-thread inspector session answers synchronously, so this completes before the exit.
    session.post("Profiler.stop", (error, result) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
