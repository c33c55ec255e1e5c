/** Channel weights of a merchant's legitimate traffic. */
export interface ChannelMix {
  app: number;
  web: number;
  pos: number;
}

/** A kind of merchant: what it sells decides its usual amounts, channels and hours. */
export interface MerchantCategory {
  name: string;
  mcc: string;
  /** Other MCCs such merchants also book (a supermarket's pharmacy counter…). */
  secondaryMccs: readonly string[];
  /** Typical ticket in CNY; each merchant draws its own around it. */
  medianCny: number;
  /** Spread of log(amount): wide for electronics, narrow for a coffee bar. */
  sigma: number;
  channels: ChannelMix;
  /** Usual opening hours, China Standard Time, [from, to) and may wrap past midnight. */
  hours: readonly [number, number];
  /** How common such merchants are. */
  share: number;
}

// Medians are rough Chinese retail tickets; they only need a realistic spread across categories.
export const MERCHANT_CATEGORIES: readonly MerchantCategory[] = [
  {
    name: "grocery",
    mcc: "5411",
    secondaryMccs: ["5912", "5499"],
    medianCny: 30,
    sigma: 0.7,
    channels: { app: 0.55, web: 0.05, pos: 0.4 },
    hours: [7, 23],
    share: 0.2,
  },
  {
    name: "restaurant",
    mcc: "5812",
    secondaryMccs: ["5814", "5813"],
    medianCny: 85,
    sigma: 0.6,
    channels: { app: 0.6, web: 0.05, pos: 0.35 },
    hours: [10, 23],
    share: 0.16,
  },
  {
    name: "fast-food",
    mcc: "5814",
    secondaryMccs: ["5812"],
    medianCny: 35,
    sigma: 0.5,
    channels: { app: 0.7, web: 0.05, pos: 0.25 },
    hours: [6, 24],
    share: 0.1,
  },
  {
    name: "electronics",
    mcc: "5732",
    secondaryMccs: ["5734", "5946"],
    medianCny: 2000,
    sigma: 0.9,
    channels: { app: 0.45, web: 0.4, pos: 0.15 },
    hours: [9, 22],
    share: 0.08,
  },
  {
    name: "travel",
    mcc: "4722",
    secondaryMccs: ["4511", "7011"],
    medianCny: 3000,
    sigma: 0.8,
    channels: { app: 0.5, web: 0.45, pos: 0.05 },
    hours: [7, 24],
    share: 0.06,
  },
  {
    name: "hotel",
    mcc: "7011",
    secondaryMccs: ["5812"],
    medianCny: 650,
    sigma: 0.6,
    channels: { app: 0.55, web: 0.3, pos: 0.15 },
    hours: [0, 24],
    share: 0.05,
  },
  {
    name: "apparel",
    mcc: "5651",
    secondaryMccs: ["5661", "5699"],
    medianCny: 280,
    sigma: 0.7,
    channels: { app: 0.6, web: 0.25, pos: 0.15 },
    hours: [9, 23],
    share: 0.1,
  },
  {
    name: "pharmacy",
    mcc: "5912",
    secondaryMccs: ["5411"],
    medianCny: 90,
    sigma: 0.7,
    channels: { app: 0.5, web: 0.1, pos: 0.4 },
    hours: [8, 22],
    share: 0.06,
  },
  {
    name: "fuel",
    mcc: "5541",
    secondaryMccs: ["5499"],
    medianCny: 300,
    sigma: 0.4,
    channels: { app: 0.5, web: 0.02, pos: 0.48 },
    hours: [0, 24],
    share: 0.05,
  },
  {
    name: "taxi",
    mcc: "4121",
    secondaryMccs: [],
    medianCny: 40,
    sigma: 0.6,
    channels: { app: 0.9, web: 0.05, pos: 0.05 },
    hours: [6, 2],
    share: 0.06,
  },
  {
    name: "digital-goods",
    mcc: "5816",
    secondaryMccs: ["5815", "5818"],
    medianCny: 50,
    sigma: 1.0,
    channels: { app: 0.6, web: 0.38, pos: 0.02 },
    hours: [9, 2],
    share: 0.05,
  },
  {
    name: "jewelry",
    mcc: "5944",
    secondaryMccs: ["5094"],
    medianCny: 5000,
    sigma: 0.8,
    channels: { app: 0.3, web: 0.2, pos: 0.5 },
    hours: [10, 21],
    share: 0.03,
  },
];

/** MCCs fraudsters favour: quasi-cash, gambling, money transfer, digital goods. */
export const RISKY_MCCS: readonly string[] = ["6051", "7995", "4829", "5967", "5816", "5818"];
