import { nextKeyRotation, type SandboxControl } from "@riskq/testing";

/**
 * Moves the sandbox's clock to `leadMs` before its next scheduled AES key rotation (at once if it is
 * closer already), within the key period the apps' own clocks are in: a later clock jump of more
 * than `leadMs` then crosses a rotation at whatever time of day the test runs, rather than only when
 * it is started in the minutes before 18:30 UTC. Returns the rotation's instant (sandbox time, epoch ms).
 */
export async function toBeforeKeyRotation(control: SandboxControl, leadMs: number): Promise<number> {
  const { now, at } = nextKeyRotation(await control.state());
  await control.advanceClock(Math.max(0, at - now - leadMs));
  return at;
}
