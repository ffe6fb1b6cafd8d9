#!/usr/bin/env bash
# The whole suite, in a fixed order: install -> format -> lint -> typecheck -> unit ->
# integration -> e2e. Works on a brand-new machine: npm packages and Debian packages
# (Chromium, redis-server, nginx) are installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# The forwarding unit's engine (an optional dependency) compiles at install with python3, make
# and g++: without them it is left out and its tests skip, saying why.
bash scripts/ensure-system-deps.sh python3=python3 make=make g++=g++ ||
  echo "warning: no compiler for the forwarding unit; its tests will skip" >&2
# The cluster tests start their own redis-server and nginx on free ports (neither runs as a service).
bash scripts/ensure-system-deps.sh redis-server=redis-server /usr/sbin/nginx=nginx ss=iproute2 ||
  echo "warning: no redis-server or nginx; the cluster tests will skip" >&2
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (npm ci)…"
  npm ci --no-audit --no-fund
elif [ -d node_modules/medooze-media-server ] && [ ! -f node_modules/medooze-media-server/build/Release/medooze-media-server.node ] &&
  command -v g++ >/dev/null; then
  echo "Building the forwarding unit's engine (a few minutes)…"
  npm rebuild medooze-media-server || echo "warning: the forwarding unit did not build; its tests will skip" >&2
fi
rm -f .e2e-tmp/totals
step() { echo; echo "== $1 =="; }
step "format check"; npm run --silent format:check
step "lint"; npm run --silent lint
step "typecheck"; npm run --silent typecheck
npm run --silent test:unit
npm run --silent test:integration
npm run --silent test:e2e
awk '{ p += $2; f += $3 } END { printf "\nall tests: %d passed, %d failed\n", p, f }' .e2e-tmp/totals
