import { describe, expect, it } from "vitest";
import { createRng, hashSeed } from "../src/index";

describe("createRng", () => {
  it("repeats its sequence for the same seed and differs for another", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 50 }, () => c.next())).not.toEqual(seqA);
  });

  it("keeps next in [0,1), int within bounds, and normal near mean 0 sd 1", () => {
    const rng = createRng(1);
    let sum = 0;
    let squares = 0;
    const n = 20_000;
    const uniforms = new Set<boolean>();
    const ints = new Set<number>();
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      uniforms.add(u >= 0 && u < 1);
      ints.add(rng.int(3, 5));
      const z = rng.normal();
      sum += z;
      squares += z * z;
    }
    expect([...uniforms]).toEqual([true]);
    expect([...ints].sort()).toEqual([3, 4, 5]);
    expect(Math.abs(sum / n)).toBeLessThan(0.05);
    expect(Math.abs(squares / n - 1)).toBeLessThan(0.05);
  });

  it("picks from arrays and refuses an empty one", () => {
    const rng = createRng(2);
    expect(["a", "b"]).toContain(rng.pick(["a", "b"]));
    expect(() => rng.pick([])).toThrow(RangeError);
  });
});

describe("hashSeed", () => {
  it("is stable and separates its parts", () => {
    expect(hashSeed(1, "merchant", 2)).toBe(hashSeed(1, "merchant", 2));
    expect(hashSeed("ab", "c")).not.toBe(hashSeed("a", "bc"));
    expect(hashSeed(1)).not.toBe(hashSeed("1"));
    expect(Number.isInteger(hashSeed("x")) && hashSeed("x") >= 0 && hashSeed("x") < 2 ** 32).toBe(true);
  });
});
