import { InvalidRequest, RateLimited, Timeout, UpstreamError } from "@riskq/alipay";
import { describe, expect, it } from "vitest";
import { type CircuitStateChange, createCircuitBreaker } from "../src/breaker/circuit-breaker";
import { CircuitOpenError } from "../src/breaker/circuit-open-error";

function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

function setup(options: { failureThreshold?: number; openMs?: number; maxOpenMs?: number } = {}) {
  const clock = manualClock();
  const breaker = createCircuitBreaker({
    failureThreshold: options.failureThreshold ?? 3,
    openMs: options.openMs ?? 10_000,
    maxOpenMs: options.maxOpenMs ?? 40_000,
    trialWaitMs: 1_000,
    clock,
  });
  const changes: CircuitStateChange[] = [];
  breaker.onStateChange((change) => changes.push(change));
  return { clock, breaker, changes };
}

const fail = (error: Error) => () => Promise.reject(error);
const succeed = () => Promise.resolve("ok");
const upstream = () => new UpstreamError("batch predict: HTTP 503", { httpStatus: 503 });

async function failTimes(breaker: ReturnType<typeof setup>["breaker"], n: number, error: () => Error) {
  for (let i = 0; i < n; i++) await expect(breaker.execute(fail(error()))).rejects.toThrow();
}

describe("circuit breaker", () => {
  it("opens after N consecutive upstream failures and then refuses calls without making them", async () => {
    const { clock, breaker, changes } = setup({ failureThreshold: 3 });
    await failTimes(breaker, 2, upstream);
    await expect(breaker.execute(fail(new Timeout("batch predict", 2_000)))).rejects.toBeInstanceOf(Timeout);
    expect(breaker.state).toBe("open");
    expect(breaker.isOpen()).toBe(true);
    expect(breaker.openUntil()).toBe(clock.now() + 10_000);
    expect(changes).toMatchObject([{ from: "closed", to: "open", openUntil: clock.now() + 10_000 }]);
    expect(changes[0]?.cause).toBeInstanceOf(Timeout);

    let called = false;
    const refused = breaker.execute(async () => {
      called = true;
    });
    await expect(refused).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(refused).rejects.toMatchObject({ retryAt: clock.now() + 10_000, retryAfterMs: 10_000 });
    expect(called).toBe(false);
  });

  it("a success in between resets the count: only consecutive failures open it", async () => {
    const { breaker } = setup({ failureThreshold: 3 });
    await failTimes(breaker, 2, upstream);
    await breaker.execute(succeed);
    await failTimes(breaker, 2, upstream);
    expect(breaker.state).toBe("closed");
    expect(breaker.openUntil()).toBeUndefined();
  });

  it("ignores 4xx-type errors and 429s", async () => {
    const { breaker, changes } = setup({ failureThreshold: 2 });
    await failTimes(breaker, 5, () => new InvalidRequest("invalid-parameter", "items[0].amount"));
    await failTimes(breaker, 5, () => new RateLimited("app"));
    await failTimes(breaker, 1, upstream);
    expect(breaker.state).toBe("closed");
    expect(changes).toEqual([]);
  });

  it("half-open: lets one trial through after openMs, and its success closes the circuit", async () => {
    const { clock, breaker, changes } = setup({ failureThreshold: 1, openMs: 10_000 });
    await failTimes(breaker, 1, upstream);
    clock.advance(9_999);
    expect(breaker.isOpen()).toBe(true);
    clock.advance(1);
    expect(breaker.state).toBe("half-open");
    expect(breaker.isOpen()).toBe(false);

    let finishTrial: (value: string) => void = () => {};
    const trial = breaker.execute(() => new Promise<string>((resolve) => (finishTrial = resolve)));
    // While the trial is in flight, other calls wait a short while rather than pile onto the remote.
    expect(breaker.isOpen()).toBe(true);
    expect(breaker.openUntil()).toBe(clock.now() + 1_000);
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);

    finishTrial("scored");
    await expect(trial).resolves.toBe("scored");
    expect(breaker.state).toBe("closed");
    expect(breaker.isOpen()).toBe(false);
    expect(changes.map((c) => c.to)).toEqual(["open", "half-open", "closed"]);
  });

  it("half-open: a failed trial re-opens the circuit for twice as long, up to maxOpenMs", async () => {
    const { clock, breaker, changes } = setup({ failureThreshold: 1, openMs: 10_000, maxOpenMs: 25_000 });
    await failTimes(breaker, 1, upstream);
    clock.advance(10_000);
    await failTimes(breaker, 1, upstream);
    expect(breaker.state).toBe("open");
    expect(breaker.openUntil()).toBe(clock.now() + 20_000);
    clock.advance(20_000);
    await failTimes(breaker, 1, upstream);
    expect(breaker.openUntil()).toBe(clock.now() + 25_000);
    clock.advance(25_000);
    await breaker.execute(succeed);
    expect(breaker.state).toBe("closed");
    // Closed again, the next outage starts from openMs.
    await failTimes(breaker, 1, upstream);
    expect(breaker.openUntil()).toBe(clock.now() + 10_000);
    expect(changes.map((c) => c.to)).toEqual([
      "open",
      "half-open",
      "open",
      "half-open",
      "open",
      "half-open",
      "closed",
      "open",
    ]);
  });

  it("half-open: a trial answered with a 4xx neither closes nor re-opens; the next call is the trial", async () => {
    const { clock, breaker } = setup({ failureThreshold: 1 });
    await failTimes(breaker, 1, upstream);
    clock.advance(10_000);
    await failTimes(breaker, 1, () => new InvalidRequest("invalid-parameter"));
    expect(breaker.state).toBe("half-open");
    expect(breaker.isOpen()).toBe(false);
    await breaker.execute(succeed);
    expect(breaker.state).toBe("closed");
  });

  it("a slow call that fails after the circuit re-closed does not count against it", async () => {
    const { clock, breaker } = setup({ failureThreshold: 1 });
    let failSlow: (error: Error) => void = () => {};
    const slow = breaker.execute(() => new Promise((_resolve, reject) => (failSlow = reject)));
    await failTimes(breaker, 1, upstream);
    clock.advance(10_000);
    await breaker.execute(succeed);
    expect(breaker.state).toBe("closed");
    failSlow(upstream());
    await expect(slow).rejects.toBeInstanceOf(UpstreamError);
    expect(breaker.state).toBe("closed");
  });

  it("stops notifying a listener once unsubscribed", async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    const seen: string[] = [];
    const unsubscribe = breaker.onStateChange((c) => seen.push(c.to));
    unsubscribe();
    await failTimes(breaker, 1, upstream);
    expect(breaker.state).toBe("open");
    expect(seen).toEqual([]);
  });
});
