import type { Reporter, RunnerTestFile } from "vitest/node";

type Task = RunnerTestFile["tasks"][number];

/**
 * Prints one plain closing line, `Tests: N passed, N failed, N skipped`, that CI systems which do
 * not know vitest's own summary can read.
 */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const visit = (task: Task | RunnerTestFile) => {
      if ("tasks" in task) {
        for (const child of task.tasks) visit(child);
        return;
      }
      const state = task.result?.state;
      if (state === "pass") counts.passed += 1;
      else if (state === "fail") counts.failed += 1;
      else counts.skipped += 1;
    };
    for (const file of files) {
      visit(file);
      // A file that failed to load has no tests but must still count as a failure.
      if (file.result?.state === "fail" && file.tasks.length === 0) counts.failed += 1;
    }
    process.stdout.write(
      `\nTests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
    );
  }
}
