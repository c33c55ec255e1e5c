/** Where the client reads the time for token and key validity (tests pass a shifted clock). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
