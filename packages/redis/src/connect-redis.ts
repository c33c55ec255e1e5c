import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import { parseRedisUrl } from "./redis-url";

/**
 * A connection to riskq's Redis from `REDIS_URL`: a plain client, or a cluster client when the URL
 * names a Redis Cluster (`redis-cluster://…`). The same options apply to every node.
 *
 * The cluster client is handed out typed as `Redis`: it answers every command riskq sends (BullMQ
 * and riskq's own scripts keep each call's keys in one slot through the `{…}` hash tag of the key
 * prefix), and this keeps one connection type across the code. What a cluster client cannot do —
 * scanning all keys, commands spanning slots — riskq does not do.
 */
export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  const target = parseRedisUrl(url);
  if (target.kind === "single") return new Redis(url, options);
  const clusterOptions: ClusterOptions = {
    redisOptions: {
      ...options,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
    // The cluster client keeps its own offline queue: an API that must fail fast turns it off too.
    ...(options.enableOfflineQueue === false ? { enableOfflineQueue: false } : {}),
    ...(options.lazyConnect ? { lazyConnect: true } : {}),
  };
  return new Cluster(target.nodes, clusterOptions) as unknown as Redis;
}

/** True when the connection is a cluster client (for the few places that must treat nodes apart). */
export function isCluster(redis: Redis): boolean {
  return (redis as unknown) instanceof Cluster;
}
