import type { Task } from "@riskq/contracts";

/**
 * The hidden model's fixed knowledge. It overlaps the generator's fraud patterns only in part,
 * as a real model's would: some risky countries and MCCs it knows, others it has never learnt.
 */

/** Countries whose cards carry extra risk on their own (beyond merely being foreign). */
export const RISKY_COUNTRIES: ReadonlySet<string> = new Set(["NG", "RU", "UA", "BR", "VN", "ID", "PH", "KH"]);

/** MCC risk in [0, 1]: quasi-cash, gambling and transfers highest; digital goods resell easily. */
export const MCC_RISK: ReadonlyMap<string, number> = new Map([
  ["6051", 1],
  ["7995", 1],
  ["4829", 0.9],
  ["5967", 0.8],
  ["5816", 0.5],
  ["5818", 0.5],
  ["5944", 0.3],
  ["5732", 0.2],
]);

/** Card-not-present checkouts are riskier than an app wallet, which is riskier than a terminal. */
export const CHANNEL_RISK: Readonly<Record<string, number>> = { web: 1, app: 0.25, pos: 0 };

/** Risk of the hour of day (China Standard Time): the small hours are when stolen cards get used. */
export function hourRisk(hour: number): number {
  if (hour < 5) return 1;
  if (hour < 6 || hour === 23) return 0.5;
  return 0;
}

/** One factor the propensity adds up, with the code it reports when it stands out. */
export type RiskFactor =
  | "amount"
  | "probe"
  | "velocity"
  | "newCard"
  | "foreign"
  | "riskyCountry"
  | "mcc"
  | "channel"
  | "hour";

export const INFO_CODES: Readonly<Record<RiskFactor, string>> = {
  amount: "AMOUNT_OUTLIER",
  probe: "SMALL_AMOUNT_PROBE",
  velocity: "VELOCITY_HIGH",
  newCard: "NEW_CARD",
  foreign: "FOREIGN_COUNTRY",
  riskyCountry: "RISKY_COUNTRY",
  mcc: "RISKY_MCC",
  channel: "WEB_CHANNEL",
  hour: "NIGHT_TIME",
};

/** Log-odds added per unit of each factor. */
export const BASE_WEIGHTS: Readonly<Record<RiskFactor, number>> = {
  amount: 1.0,
  probe: 0.8,
  velocity: 1.1,
  newCard: 0.5,
  foreign: 0.6,
  riskyCountry: 0.8,
  mcc: 1.0,
  channel: 0.35,
  hour: 0.6,
};

/** Each task leans on its own evidence (docs/alipay-ai-api.md §6.1): cards, the merchant's pattern, or time and place. */
export const TASK_EMPHASIS: Readonly<Record<Task, Partial<Record<RiskFactor, number>>>> = {
  card_risk: { velocity: 1.3, newCard: 1.25, probe: 1.2, amount: 0.9 },
  merchant_behavior: { amount: 1.3, velocity: 0.85 },
  transaction_anomaly: { hour: 1.35, foreign: 1.3, riskyCountry: 1.2, channel: 1.3, velocity: 0.85 },
};
