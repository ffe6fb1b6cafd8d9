#!/usr/bin/env bash
# Installs the Debian packages the tests need when their commands are missing.
# Usage: scripts/ensure-system-deps.sh COMMAND=PACKAGE [COMMAND=PACKAGE ...]
set -euo pipefail
missing=()
for pair in "$@"; do
  cmd=${pair%%=*}
  pkg=${pair#*=}
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "$cmd" ]; then missing+=("$pkg"); fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing missing Debian packages for the tests: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "error: installing ${missing[*]} needs root (apt-get). Install them, then run the tests again." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed: ${missing[*]}"
