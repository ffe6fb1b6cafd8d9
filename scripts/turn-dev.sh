#!/usr/bin/env bash
# Starts a local coturn for development and tests, configured the way Parley expects (TURN REST
# API credentials: use-auth-secret). Runs in the foreground; Ctrl-C stops it.
#
#   bash scripts/turn-dev.sh                 # 127.0.0.1:3478, UDP and TCP
#   TURN_PORT=3479 TURN_SECRET=s bash scripts/turn-dev.sh
#
# Then start Parley with the variables it prints. Settings (environment):
#   TURN_LISTEN_IP  address to listen and relay on (default 127.0.0.1)
#   TURN_PORT       listening port, UDP and TCP (default 3478)
#   TURN_SECRET     shared secret, the same as Parley's TURN_SECRET (default parley-dev-secret)
#   TURN_REALM      realm (default parley.local)
#   TURN_MIN_PORT / TURN_MAX_PORT  relay port range (default 49160-49259)
# docs/TURN.md has the production configuration (TLS on 443, external IP, denied peers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh turnserver=coturn
ip=${TURN_LISTEN_IP:-127.0.0.1}
port=${TURN_PORT:-3478}
secret=${TURN_SECRET:-parley-dev-secret}
realm=${TURN_REALM:-parley.local}
min=${TURN_MIN_PORT:-49160}
max=${TURN_MAX_PORT:-49259}
loopback=()
case "$ip" in
127.* | ::1) loopback=(--allow-loopback-peers) ;; # coturn refuses loopback peers otherwise (403)
esac
# Peers a development relay never needs, whatever address it listens on: "this network",
# shared/CGNAT, link-local (cloud metadata at 169.254.169.254), IETF and reserved IPv4, and the
# IPv6 forms that reach IPv4 or link-local peers. Loopback and the RFC 1918 / fc00::/7 private
# networks stay open here so a relay on a LAN address reaches the LAN's browsers; a public
# server denies them too (docs/TURN.md has the full list).
denied=(
  0.0.0.0-0.255.255.255
  100.64.0.0-100.127.255.255
  169.254.0.0-169.254.255.255
  192.0.0.0-192.0.0.255
  198.18.0.0-198.19.255.255
  240.0.0.0-255.255.255.255
  ::ffff:0.0.0.0-::ffff:255.255.255.255
  64:ff9b::-64:ff9b::ffff:ffff
  2002::-2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff
  fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff
)
deny_args=()
for range in "${denied[@]}"; do deny_args+=(--denied-peer-ip="$range"); done
echo "coturn on $ip:$port (UDP+TCP). Start Parley with:" >&2
echo "  TURN_URLS='turn:$ip:$port?transport=udp,turn:$ip:$port?transport=tcp' TURN_SECRET='$secret' npm start" >&2
exec turnserver -n --no-cli \
  --listening-ip="$ip" --relay-ip="$ip" --listening-port="$port" \
  --use-auth-secret --static-auth-secret="$secret" --realm="$realm" \
  --no-tls --no-dtls --min-port="$min" --max-port="$max" \
  --fingerprint --no-multicast-peers "${loopback[@]}" "${deny_args[@]}" \
  --pidfile="${TMPDIR:-/tmp}/parley-turn-$port.pid" --log-file=stdout --simple-log
