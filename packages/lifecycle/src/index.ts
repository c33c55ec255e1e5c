export { announceReady } from "./ready-line";
export { type StopOnSignalsOptions, stopOnSignals } from "./stop-on-signals";
