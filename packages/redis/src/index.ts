/** riskq's Redis connections: one server or a Redis Cluster, from one REDIS_URL. */
export * from "./coalesce-writes";
export * from "./connect-redis";
export * from "./delete-prefix";
export * from "./fail-fast";
export * from "./redis-url";
export * from "./run-script";
