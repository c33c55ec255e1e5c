/** Where riskq's Redis is: one server, or the seed nodes of a Redis Cluster. */
export type RedisTarget =
  | { kind: "single"; url: string }
  | {
      kind: "cluster";
      nodes: Array<{ host: string; port: number }>;
      username?: string;
      password?: string;
      tls: boolean;
    };

/**
 * Reads `REDIS_URL`: `redis://…` / `rediss://…` for one server (ioredis's own syntax), or
 * `redis-cluster://[user:password@]host:port[,host:port…]` (`rediss-cluster://` for TLS) for a
 * Redis Cluster, listing some of its nodes — the client discovers the rest.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const cluster = /^(rediss?)-cluster:\/\/(?:([^@/]*)@)?([^/?#]+)\/?$/.exec(url);
  if (!cluster) {
    if (!/^rediss?:\/\//.test(url)) {
      throw new RangeError(
        `a Redis URL starts with redis://, rediss:// or redis-cluster://, got ${JSON.stringify(url)}`,
      );
    }
    return { kind: "single", url };
  }
  const [, scheme, auth, hostList] = cluster as unknown as [string, string, string | undefined, string];
  const nodes = hostList.split(",").map((hostPort) => {
    const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(hostPort.trim());
    if (!match) throw new RangeError(`a cluster node is host:port, got ${JSON.stringify(hostPort)}`);
    return { host: match[1]!.replace(/^\[|\]$/g, ""), port: Number(match[2]) };
  });
  const [username, password] = (auth ?? "").split(":").map(decodeURIComponent) as [
    string,
    string | undefined,
  ];
  return {
    kind: "cluster",
    nodes,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    tls: scheme === "rediss",
  };
}
