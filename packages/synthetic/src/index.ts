export { cstHour } from "./clock-hours";
export type { ChannelMix } from "./merchant-categories";
export { generateMerchants, type MerchantProfile } from "./merchants";
export { createRng, hashSeed, type Rng } from "./rng";
export { generateTraffic, type LabelledItem, type TrafficOptions } from "./traffic";
