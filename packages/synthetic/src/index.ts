export { createRng, hashSeed, type Rng } from "./rng";
export { generateMerchants, type MerchantProfile } from "./merchants";
export { generateTraffic, type LabelledItem, type TrafficOptions } from "./traffic";
export { cstHour } from "./clock-hours";
export type { ChannelMix } from "./merchant-categories";
