#!/usr/bin/env bash
# Runs benchmarks inside a loopback-only network namespace (browsers and load generators talk
# to 127.0.0.1 only). Usage: npm run bench [-- NAME ...] [-- --smoke]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh /usr/bin/chromium=chromium ip=iproute2 unshare=util-linux
# The cluster benchmark starts its own redis-server (no service): install it when that
# benchmark runs (named, or every benchmark when none is named).
names=()
for a in "$@"; do case "$a" in --*) ;; *) names+=("$a") ;; esac; done
if [ ${#names[@]} -eq 0 ] || [[ " ${names[*]} " == *" cluster "* ]]; then
  bash scripts/ensure-system-deps.sh redis-server=redis-server
fi
npm run build --silent
args=$(printf ' %q' "$@")
# Many loopback connections: raise the descriptor limit and widen the ephemeral port range
# (both are per process / per namespace, so nothing outside the benchmark changes).
inner="ip link set lo up && ulimit -n 65536 2>/dev/null; (echo '1024 65535' >/proc/sys/net/ipv4/ip_local_port_range) 2>/dev/null; node --import tsx bench/run.ts$args"
if unshare -n true 2>/dev/null; then
  exec unshare -n sh -c "$inner"
else
  exec unshare -rn sh -c "$inner"
fi
