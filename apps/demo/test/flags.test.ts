import { describe, expect, it } from "vitest";
import { parseFlags, UsageError } from "../src/flags";

describe("pnpm demo's flags", () => {
  it("defaults to a minute at 40 jobs/s, stopping at the end", () => {
    expect(parseFlags([])).toEqual({ durationS: 60, rate: 40, keepRunning: false });
  });

  it("reads --duration, --rate and --keep-running", () => {
    expect(parseFlags(["--duration", "15", "--rate", "25.5", "--keep-running"])).toEqual({
      durationS: 15,
      rate: 25.5,
      keepRunning: true,
    });
    expect(parseFlags(["--help"])).toBe("help");
  });

  it("refuses what it cannot run with, naming the flag", () => {
    expect(() => parseFlags(["--duration", "5"])).toThrow(/--duration must be a number from 10/);
    expect(() => parseFlags(["--rate", "lots"])).toThrow(UsageError);
    expect(() => parseFlags(["--rate", "0"])).toThrow(/--rate/);
    expect(() => parseFlags(["--fast"])).toThrow(UsageError);
  });
});
