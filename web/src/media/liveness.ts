/** Every timer that decides when the web app retries, restarts or gives up, in one place. */

/** How long a peer connection may stay ICE `disconnected` before an ICE restart is tried. */
export const DISCONNECTED_RESTART_MS = 3_000;
/** After an ICE restart, how long to wait for `connected` before the pair is rebuilt. */
export const RESTART_TIMEOUT_MS = 8_000;
/**
 * How long a new peer connection may take to reach `connected` before it is rebuilt. Generous:
 * a busy machine setting up a room of six needs tens of seconds, and rebuilding early only
 * restarts that work.
 */
export const CONNECT_TIMEOUT_MS = 30_000;
/**
 * Each rebuild of the same pair without reaching `connected` multiplies both timeouts above by
 * this factor (up to REBUILD_BACKOFF_MAX), so a pair that cannot connect does not churn.
 */
export const REBUILD_BACKOFF = 2;
export const REBUILD_BACKOFF_MAX = 8;

/** First delay before the signaling socket reconnects; doubles up to the maximum. */
export const RECONNECT_DELAY_MS = 500;
/** Longest delay between signaling reconnect attempts. */
export const RECONNECT_DELAY_MAX_MS = 5_000;
/** Random spread of each reconnect delay (0.3 = ±30%), so clients do not all retry at once. */
export const RECONNECT_JITTER = 0.3;
/** After a rejoin was refused for a passing reason (timeout, server draining), try again after. */
export const REJOIN_RETRY_MS = 1_000;

/**
 * After a rejoin, a remote participant not (yet) back in the server's room is kept this long,
 * since it may still be reconnecting itself; then it is dropped unless its media still flows.
 */
export const REJOIN_WAIT_MS = 8_000;

/**
 * Rooms through the forwarding unit (sfu/SfuTransport). The server is one hop away and answers
 * at once, so its connections are given less time than a mesh pair before they are repaired.
 */
/** How long a connection to the forwarding unit may stay `disconnected` before an ICE restart. */
export const SFU_DISCONNECTED_RESTART_MS = 2_000;
/**
 * After an ICE restart to the forwarding unit, how long to wait for `connected` before the
 * restart is offered again. The connection is kept: the server still holds its tracks and
 * subscriptions under its DTLS session, and a path that comes back resumes on it.
 */
export const SFU_RESTART_RETRY_MS = 4_000;
/**
 * How long a connection to the forwarding unit may stay without a path, ICE restarts and all,
 * before it is rebuilt from scratch (a new connection, whose tracks everyone must subscribe to
 * again). Kept under the server's own ICE timeout (30 s): a server that dropped the connection
 * would accept a restart on a new transport with the same DTLS certificate, which never
 * completes the handshake the browser believes done.
 */
export const SFU_REBUILD_AFTER_MS = 25_000;
/** How long a new (or rebuilt) connection to the forwarding unit may take to connect before it is rebuilt. */
export const SFU_CONNECT_TIMEOUT_MS = 15_000;
/** First delay before a failed offer to the forwarding unit is sent again; doubles on each failure. */
export const SFU_NEGOTIATE_RETRY_MS = 1_000;
/** Failed offers in a row (signaling up) after which the connection is rebuilt from scratch. */
export const SFU_NEGOTIATE_RETRIES = 4;
/**
 * A participant who publishes nothing counts as connected this long after we learn of it (their
 * tracks may simply not be published yet: a room that just moved to the forwarding unit).
 */
export const SFU_TRACKLESS_GRACE_MS = 3_000;
/** Tile sizes reported to the forwarding unit are gathered for this long, then sent at once. */
export const SFU_VIEW_REPORT_MS = 100;
