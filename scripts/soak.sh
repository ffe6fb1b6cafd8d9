#!/usr/bin/env bash
# The long call (bench/soak): seven Chromium pages in two rooms for SOAK_MINUTES (default 30),
# inside a loopback-only network namespace like the benchmarks. Usage: npm run soak
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh /usr/bin/chromium=chromium ip=iproute2 unshare=util-linux
npm run build --silent
inner="ip link set lo up && node --import tsx bench/soak/run.ts"
if unshare -n true 2>/dev/null; then
  exec unshare -n sh -c "$inner"
else
  exec unshare -rn sh -c "$inner"
fi
