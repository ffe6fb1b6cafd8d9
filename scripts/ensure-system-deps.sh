#!/usr/bin/env bash
# Installs the Debian packages the tests need when their commands are missing.
# Usage: scripts/ensure-system-deps.sh COMMAND=PACKAGE [COMMAND=PACKAGE ...]
# COMMAND is a name looked up on PATH or an absolute path (Debian's nginx is /usr/sbin/nginx,
# which is not on every user's PATH).
# Packages that ship a service (nginx, redis-server) are installed WITHOUT starting or enabling
# it: the tests start their own on free ports, and a system nginx would take port 80.
set -euo pipefail
missing=()
for pair in "$@"; do
  cmd=${pair%%=*}
  pkg=${pair#*=}
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -e "$cmd" ]; then missing+=("$pkg"); fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing missing Debian packages for the tests: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "error: installing ${missing[*]} needs root (apt-get). Install them, then run the tests again." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
port80() { command -v ss >/dev/null 2>&1 && ss -Hltn 'sport = :80' | grep -q .; }
busy80=no
if port80; then busy80=yes; fi
# invoke-rc.d and deb-systemd-invoke ask /usr/sbin/policy-rc.d before starting a service; 101
# means "not allowed". Ours exists only during the install (an existing one, as in containers,
# is left as it is).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# Temporary, from parley scripts/ensure-system-deps.sh: no service starts during the install.\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
  trap 'exit 130' INT TERM HUP
fi
# Another apt-get (a parallel test run) may hold the lock: wait for it rather than fail.
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed: ${missing[*]}"
# Nor at the next boot: the packages enable their service for systemd.
if [ -d /run/systemd/system ]; then
  for pkg in "${missing[@]}"; do
    case "$pkg" in nginx | redis-server) systemctl disable --quiet "$pkg.service" 2>/dev/null || true ;; esac
  done
fi
# Nothing may start listening on port 80 because of the install (a started system nginx would).
if [ "$busy80" = no ] && port80; then
  echo "error: port 80 is taken since installing ${missing[*]} (a system service started):" >&2
  ss -Hltnp 'sport = :80' >&2 || true
  exit 1
fi
