/**
 * The cluster's atomic steps, as Lua scripts run inside Redis (one script runs alone, so each
 * step is a transaction). Keys (`parley:` prefix):
 *
 * - `server:<id>`  a live server's heartbeat (expires HEARTBEAT_TTL_MS after its last beat)
 * - `home:<room>`  the server that holds the room (a lease, renewed while the room lives)
 * - `state:<room>` the room's state as its home last wrote it (see snapshot.ts)
 * - `seed:<room>`  seed-protocol sockets in the room: socket id -> server id
 */

/**
 * Claim a room's home: the current holder while its heartbeat lives, else this server (the
 * room's last state is returned with a fresh claim, so the new home starts from it).
 * KEYS: home, state. ARGV: self, lease ms, server key prefix. -> [home, fresh (0/1), state|nil]
 */
export const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {cur, 0}
end
if cur and redis.call('EXISTS', ARGV[3] .. cur) == 1 then return {cur, 0} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {ARGV[1], 1, redis.call('GET', KEYS[2])}
`;

/**
 * Renew the leases of the rooms this server holds, and keep their state alive with them; a
 * lease that expired is taken again (Redis restarted empty, or was away longer than a lease).
 * -> 1-based indexes (of rooms) another server holds now.
 * KEYS: home and state key of each room, in pairs. ARGV: self, lease ms, state ms.
 */
export const RENEW = `
local lost = {}
for i = 1, #KEYS, 2 do
  local cur = redis.call('GET', KEYS[i])
  if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[i], ARGV[2])
  elseif not cur then redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2])
  else table.insert(lost, (i + 1) / 2) end
  if cur == ARGV[1] or not cur then redis.call('PEXPIRE', KEYS[i + 1], ARGV[3]) end
end
return lost
`;

/**
 * Give a room up: its lease, and its state when the room ended (not when the server stops).
 * KEYS: home, state. ARGV: self, '1' to drop the state.
 */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  if ARGV[2] == '1' then redis.call('DEL', KEYS[2]) end
  return 1
end
return 0
`;

/**
 * Write a room's state, only while this server holds the room (a server that lost the room
 * must not overwrite what the new home writes). KEYS: home, state. ARGV: self, json, ttl ms.
 */
export const SAVE = `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] or not cur then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`;

/**
 * A seed-protocol socket takes a place in a room of at most ARGV[3] sockets (places of servers
 * that died are freed on the way). KEYS: seed room. ARGV: socket id, self, max, server key prefix.
 */
export const SEED_JOIN = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 1 end
local all = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #all, 2 do
  if redis.call('EXISTS', ARGV[4] .. all[i + 1]) == 1 then n = n + 1
  else redis.call('HDEL', KEYS[1], all[i]) end
end
if n >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], 86400000)
return 1
`;
