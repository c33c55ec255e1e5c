/** The scoring pipeline's building blocks: queues, dead letters, batching, limiting, breaking, retrying. */
export * from "./dead-letters/dead-letter-store";
export * from "./dead-letters/dead-reason";
export * from "./queues/score-queues";
