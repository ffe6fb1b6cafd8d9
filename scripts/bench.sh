#!/usr/bin/env bash
# Runs benchmarks inside a loopback-only network namespace (browsers and load generators talk
# to 127.0.0.1 only). Usage: npm run bench [-- NAME ...] [-- --smoke]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh /usr/bin/chromium=chromium ip=iproute2 unshare=util-linux
npm run build --silent
args=$(printf ' %q' "$@")
inner="ip link set lo up && ulimit -n 65536 2>/dev/null; node --import tsx bench/run.ts$args"
if unshare -n true 2>/dev/null; then
  exec unshare -n sh -c "$inner"
else
  exec unshare -rn sh -c "$inner"
fi
