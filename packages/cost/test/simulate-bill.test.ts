import { describe, expect, it } from "vitest";
import {
  atOrAbove,
  emptySeries,
  PREFILTER_BUCKETS,
  type RecordedTraffic,
  simulateCalls,
  simulateMonthlyBill,
  type TrafficSeries,
} from "../src/index";

const { undecided, legit, fraud } = PREFILTER_BUCKETS;

/**
 * Two recorded days of one (task, model): 10 full calls of 100 items and 2 calls of 40 that left
 * on their linger; 1 080 items, 1 000 scoring 0.10–0.11, 50 at 0.65–0.66 and 30 at 0.75–0.76, the
 * 30 flagged at 0.7. The ledger agrees with it: 12 calls, 1 080 items, 30 flagged.
 */
function recorded(change: (s: TrafficSeries) => void = () => {}): RecordedTraffic {
  const s = emptySeries("card_risk", "risk-v3-2026-11");
  s.confidence[undecided]![10] = 1_000;
  s.confidence[undecided]![65] = 50;
  s.confidence[undecided]![75] = 30;
  s.flagged[undecided] = 30;
  s.calls = [
    { items: 40, capBound: false, count: 2 },
    { items: 100, capBound: true, count: 10 },
  ];
  s.billed = {
    calls: 12,
    items: 1_080,
    answered: 1_080,
    flagged: 30,
    callUnits: 1_200,
    itemUnits: 1_080,
    reviewUnits: 1_200,
    totalUnits: 3_480,
  };
  change(s);
  return { days: ["2026-11-20", "2026-11-21"], series: [s] };
}

describe("simulateMonthlyBill", () => {
  it("as recorded, re-prices the days to what the ledger says, and projects them to 30 days", () => {
    const sim = simulateMonthlyBill(recorded());

    expect(sim.period.current).toMatchObject({ calls: 12, itemsSent: 1_080, flagged: 30, totalUnits: 3_480 });
    expect(sim.period.proposed).toEqual(sim.period.current);
    expect(sim.scale).toBe(15);
    expect(sim.monthly.current.totalUnits).toBe(3_480 * 15);
    expect(sim.settings).toEqual({ threshold: null, batchSize: null, prefilter: null });
    expect(sim.notes).toEqual([]);
  });

  it("a lower threshold flags what the histogram holds at or above it; between bins it interpolates", () => {
    const at06 = simulateMonthlyBill(recorded(), { threshold: 0.6 });
    expect(at06.period.proposed).toMatchObject({ calls: 12, itemsSent: 1_080, flagged: 80 });
    expect(at06.period.proposed.totalUnits).toBe(1_200 + 1_080 + 80 * 40);

    const between = simulateMonthlyBill(recorded(), { threshold: 0.655 });
    expect(between.period.proposed.flagged).toBeCloseTo(30 + 25, 9);
    expect(between.notes.join()).toContain("interpolated");

    expect(simulateMonthlyBill(recorded(), { threshold: 0.8 }).period.proposed.flagged).toBe(0);
  });

  it("a smaller batch splits full calls and the groups larger than it; a larger one merges only full calls", () => {
    const small = simulateMonthlyBill(recorded(), { batchSize: 25 });
    expect(small.period.proposed.calls).toBe(10 * 4 + 2 * 2);
    expect(small.notes.join()).toContain("left before they were full");
    expect(simulateMonthlyBill(recorded(), { batchSize: 50 }).period.proposed.calls).toBe(10 * 2 + 2 * 1);
    expect(simulateMonthlyBill(recorded(), { batchSize: 100 }).period.proposed.calls).toBe(12);
    // Full batches of 50 recorded; at 100 their items fill half as many calls, the groups of 40 stay.
    const halfCap = recorded((s) => {
      s.calls = [
        { items: 40, capBound: false, count: 2 },
        { items: 50, capBound: true, count: 20 },
      ];
    });
    const merged = simulateMonthlyBill(halfCap, { batchSize: 100 });
    expect(merged.period.proposed.calls).toBe(10 + 2);
    expect(merged.notes.join()).toContain("above the recorded full batches (50)");
    expect(
      simulateMonthlyBill(recorded(), { batchSize: 25, threshold: 0.6 }).period.proposed.totalUnits,
    ).toBe(44 * 100 + 1_080 + 80 * 40);
  });

  it("pre-filter on keeps its legit and fraud buckets from Alipay: fewer items, flags and calls", () => {
    // Of the 1 000 low scores, 600 the pre-filter calls legitimate; of the 30 high, 20 fraud.
    const traffic = recorded((s) => {
      s.confidence[undecided]![10] = 400;
      s.confidence[legit]![10] = 600;
      s.confidence[undecided]![75] = 10;
      s.confidence[fraud]![75] = 20;
      s.flagged[undecided] = 10;
      s.flagged[fraud] = 20;
    });
    const keep = 460 / 1_080;
    const sim = simulateMonthlyBill(traffic, { prefilter: "on" });

    expect(sim.period.proposed.itemsSent).toBeCloseTo(460, 9);
    expect(sim.period.proposed.flagged).toBe(10);
    expect(sim.period.proposed.calls).toBeCloseTo(10 * keep + 2 * (1 - (1 - keep) ** 40), 9);
    expect(sim.period.proposed.totalUnits).toBeLessThan(sim.period.current.totalUnits / 2);
    expect(simulateMonthlyBill(traffic, { prefilter: "on", threshold: 0.6 }).period.proposed.flagged).toBe(
      60,
    );
    // Without any verdict recorded, "on" has nothing to take away, and says so.
    const none = simulateMonthlyBill(recorded(), { prefilter: "on" });
    expect(none.period.proposed).toEqual(none.period.current);
    expect(none.notes.join()).toContain("no pre-filter verdicts were recorded");
  });

  it("pre-filter off after it was on sends the locally decided items too, flagged as the pre-filter judged them", () => {
    const traffic = recorded((s) => {
      s.local[legit] = 540;
      s.local[fraud] = 10;
    });
    const sim = simulateMonthlyBill(traffic, { prefilter: "off" });

    expect(sim.unmeasuredItems).toBe(550);
    expect(sim.period.proposed.itemsSent).toBeCloseTo(1_630, 9);
    expect(sim.period.proposed.flagged).toBe(40);
    // Groups grow by 1 630 / 1 080: the natural ones of 40 still fit one call, the full runs stretch.
    expect(sim.period.proposed.calls).toBeCloseTo(2 + (10 * 100 * 1_630) / 1_080 / 100, 9);
    expect(sim.notes.join()).toContain("no remote confidence");
  });

  it("keeps the recorded share of items billed (silent drops bill none) and counts lost answers' estimates as current", () => {
    const traffic = recorded((s) => {
      s.billed = { ...s.billed, itemUnits: 1_026, totalUnits: 3_426 };
      s.estimated = {
        calls: 1,
        items: 100,
        flagged: 2.5,
        callUnits: 100,
        itemUnits: 100,
        reviewUnits: 100,
        totalUnits: 300,
      };
    });
    const sim = simulateMonthlyBill(traffic, { threshold: 0.6 });

    expect(sim.period.current).toMatchObject({
      calls: 13,
      itemsSent: 1_180,
      flagged: 32.5,
      totalUnits: 3_726,
    });
    expect(sim.period.proposed.itemsBilled).toBeCloseTo(1_026, 9);
  });

  it("refuses settings the contract does not allow", () => {
    expect(() => simulateMonthlyBill(recorded(), { threshold: 0.99 })).toThrow(RangeError);
    expect(() => simulateMonthlyBill(recorded(), { batchSize: 101 })).toThrow(RangeError);
    expect(() => simulateMonthlyBill(recorded(), { batchSize: 2.5 })).toThrow(RangeError);
    expect(() => simulateCalls([], -1)).toThrow(RangeError);
  });

  it("with nothing recorded, predicts nothing", () => {
    const sim = simulateMonthlyBill({ days: [], series: [] }, { threshold: 0.6 });
    expect(sim.monthly.proposed.totalUnits).toBe(0);
    expect(sim.scale).toBe(0);
  });
});

describe("atOrAbove", () => {
  it("counts whole bins from the threshold's bin up, and a share of a bin the threshold cuts", () => {
    const histogram = new Array<number>(100).fill(0);
    histogram[57] = 10;
    histogram[99] = 1;
    expect(atOrAbove(histogram, 0.57)).toBe(11);
    expect(atOrAbove(histogram, 0.575)).toBeCloseTo(6, 9);
    expect(atOrAbove(histogram, 0.58)).toBe(1);
  });
});
