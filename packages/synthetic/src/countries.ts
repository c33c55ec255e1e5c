/** A country merchants can be based in, with its currency and a rough CNY exchange rate. */
export interface HomeCountry {
  country: string;
  currency: string;
  /** Units of the local currency per CNY, to scale a category's CNY amounts. */
  perCny: number;
  share: number;
}

// Mostly mainland China, as for any Alipay acquirer; the rest are common cross-border markets.
export const HOME_COUNTRIES: readonly HomeCountry[] = [
  { country: "CN", currency: "CNY", perCny: 1, share: 0.72 },
  { country: "HK", currency: "HKD", perCny: 1.08, share: 0.08 },
  { country: "SG", currency: "SGD", perCny: 0.19, share: 0.05 },
  { country: "MY", currency: "MYR", perCny: 0.65, share: 0.04 },
  { country: "TH", currency: "THB", perCny: 4.9, share: 0.04 },
  { country: "GB", currency: "GBP", perCny: 0.11, share: 0.04 },
  { country: "US", currency: "USD", perCny: 0.14, share: 0.03 },
];

/** Where honest foreign cardholders (tourists, expats) usually come from. */
export const VISITOR_COUNTRIES: readonly string[] = [
  "CN",
  "HK",
  "TW",
  "JP",
  "KR",
  "SG",
  "US",
  "GB",
  "DE",
  "FR",
  "AU",
  "TH",
];

/** Where fraudulent cards are disproportionately issued or used from. */
export const FRAUD_COUNTRIES: readonly string[] = [
  "NG",
  "RU",
  "UA",
  "BR",
  "VN",
  "ID",
  "PH",
  "RO",
  "PK",
  "KH",
];
