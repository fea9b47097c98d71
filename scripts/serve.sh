#!/usr/bin/env bash
# Serve the app with its background-job worker; Ctrl-C stops both.
set -euo pipefail
host=${1:-127.0.0.1}
port=${2:-5000}
bin=.venv/bin

$bin/huey_consumer hrapp.worker.huey -w 2 -k thread -q &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM

echo
echo "hrapp is at http://$host:$port  (Ctrl-C to stop)"
echo
# gunicorn.conf.py sizes the workers and timeouts; the app logs JSON lines, as in production.
LOG_JSON=${LOG_JSON:-1} WEB_CONCURRENCY=${WEB_CONCURRENCY:-2} \
  $bin/gunicorn -c gunicorn.conf.py -b "$host:$port"
