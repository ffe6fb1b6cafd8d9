#!/usr/bin/env bash
# The whole suite, in a fixed order: install -> format -> lint -> typecheck -> unit ->
# integration -> e2e. Works on a brand-new machine: npm packages and Debian packages
# (Chromium) are installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (npm ci)…"
  npm ci --no-audit --no-fund
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
