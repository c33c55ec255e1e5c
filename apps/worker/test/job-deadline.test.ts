import { describe, expect, it } from "vitest";
import { startJobDeadline } from "../src/scoring/job-deadline";

/** Resolves after `ms` of real time (the deadline's own timer is a real one). */
const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a job's deadline", () => {
  it("aborts its signal at the deadline, telling each listener still registered once", async () => {
    const deadline = startJobDeadline(Date.now() + 20, Date.now);
    const told: string[] = [];
    const kept = () => told.push("kept");
    const removed = () => told.push("removed");
    deadline.signal.addEventListener("abort", kept, { once: true });
    deadline.signal.addEventListener("abort", removed, { once: true });
    deadline.signal.removeEventListener("abort", removed);
    expect(deadline.signal.aborted).toBe(false);

    await after(80);

    expect(deadline.signal.aborted).toBe(true);
    expect(told).toEqual(["kept"]);
    deadline.dispose();
  });

  it("cuts a wait short at the deadline (false), and lets one that ends first finish (true)", async () => {
    const deadline = startJobDeadline(Date.now() + 40, Date.now);
    expect(await deadline.wait(1)).toBe(true);
    expect(await deadline.wait(10_000)).toBe(false);
    // Past the deadline a wait does not even start.
    expect(await deadline.wait(1)).toBe(false);
    deadline.dispose();
  });

  it("never aborts once disposed (the job was decided first)", async () => {
    const deadline = startJobDeadline(Date.now() + 10, Date.now);
    deadline.dispose();
    await after(50);
    expect(deadline.signal.aborted).toBe(false);
  });
});
