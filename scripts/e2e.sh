#!/usr/bin/env bash
# End-to-end tests: real Chromium and Firefox pages against the real server. Installs the
# browsers when missing, builds the app, then runs the tests inside a loopback-only network
# namespace so that no test traffic leaves 127.0.0.1 / ::1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh /usr/bin/chromium=chromium /usr/bin/firefox-esr=firefox-esr ip=iproute2 tc=iproute2 nft=nftables unshare=util-linux \
  turnserver=coturn redis-server=redis-server /usr/sbin/nginx=nginx ss=iproute2 ffprobe=ffmpeg \
  /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf=fonts-noto-color-emoji
npm run build --silent
inner="ip link set lo up && node scripts/run-tests.mjs e2e $*"
if unshare -n true 2>/dev/null; then
  exec unshare -n sh -c "$inner"
elif unshare -rn true 2>/dev/null; then
  exec unshare -rn sh -c "$inner"
else
  echo "error: cannot create a loopback-only network namespace (unshare -n); run as root." >&2
  exit 1
fi
