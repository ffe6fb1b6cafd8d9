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
