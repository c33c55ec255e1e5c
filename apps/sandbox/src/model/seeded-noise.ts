/**
 * A standard normal drawn from one 32-bit hash. Cheaper than building a generator per item,
 * which matters at hundreds of calls a second of 100 items each.
 */
export function normalFromHash(hash: number): number {
  // A second, independent-looking word from the same hash (murmur3 finaliser on a shifted input).
  let h = (hash ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  // Box–Muller; the +0.5 keeps the logarithm's argument strictly inside (0, 1).
  const u1 = ((hash >>> 0) + 0.5) / 4294967296;
  const u2 = (h + 0.5) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
