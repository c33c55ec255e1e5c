#!/usr/bin/env bash
# Makes sure a Redis answers at REDIS_URL (default redis://127.0.0.1:6379).
# Starts a local redis-server when none answers; installs Debian's package when it is missing and we may.
set -euo pipefail
cd "$(dirname "$0")/.."

url="${REDIS_URL:-redis://127.0.0.1:6379}"
hostport="${url#*://}"; hostport="${hostport##*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"
[ "$port" = "$hostport" ] && port=6379

redis_answers() {
  # Plain bash TCP so this works before any dependency is installed.
  (exec 3<>"/dev/tcp/$host/$port" && printf 'PING\r\n' >&3 && IFS= read -r -t 2 reply <&3 && [[ "$reply" == +PONG* || "$reply" == -NOAUTH* ]]) 2>/dev/null
}

if redis_answers; then exit 0; fi

case "$host" in
  127.0.0.1|localhost|::1) ;;
  *) echo "riskq: Redis at $host:$port does not answer. Start it, or unset REDIS_URL to use a local one." >&2; exit 1 ;;
esac

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "riskq: redis-server not found; installing Debian's redis-server package…"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }; then
      echo "riskq: could not install redis-server. Start a Redis with 'docker compose up -d redis', or install your OS package." >&2
      exit 1
    fi
  else
    echo "riskq: no Redis answers on $host:$port and redis-server is not installed." >&2
    echo "       Start one with 'docker compose up -d redis', or install your OS package (apt-get install redis-server, brew install redis)." >&2
    exit 1
  fi
fi

mkdir -p .data/redis
echo "riskq: starting redis-server on $host:$port (data in .data/redis)…"
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --dir "$PWD/.data/redis" \
  --save "" --appendonly no --logfile "$PWD/.data/redis/redis.log"
for _ in $(seq 1 50); do
  if redis_answers; then exit 0; fi
  sleep 0.1
done
echo "riskq: redis-server did not answer on $host:$port within 5 s; see .data/redis/redis.log" >&2
exit 1
