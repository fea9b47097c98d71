#!/usr/bin/env bash
# Run a command against a throwaway Redis on a private Unix socket, as scripts/with-postgres.sh
# does for PostgreSQL. The server keeps nothing on disk (no RDB snapshot, no append-only file),
# listens on no TCP port, lives in a temporary folder, and is stopped and removed afterwards
# whatever the command does. The command sees REDIS_URL, so its applications queue jobs on Redis.
set -euo pipefail

server=${HRAPP_REDIS_SERVER:-redis-server}
base=$(mktemp -d /tmp/hrapp-redis.XXXXXX)
sock="$base/redis.sock"
pid=""

cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$base"
}
trap cleanup EXIT

"$server" --port 0 --unixsocket "$sock" --unixsocketperm 700 --dir "$base" \
  --save '' --appendonly no --daemonize no --logfile "$base/server.log" &
pid=$!

# Ready when it answers PING on the socket; a server that died on start is reported at once.
for _ in $(seq 100); do
  if [ "$(redis-cli -s "$sock" ping 2>/dev/null)" = PONG ]; then
    break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "Redis did not start:" >&2
    cat "$base/server.log" >&2 || true
    exit 1
  fi
  sleep 0.1
done
if [ "$(redis-cli -s "$sock" ping 2>/dev/null)" != PONG ]; then
  echo "Redis did not answer on $sock within 10 s" >&2
  exit 1
fi

export REDIS_URL="unix://$sock"
echo "Redis test server on $sock"
"$@"
