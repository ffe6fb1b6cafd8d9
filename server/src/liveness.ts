/** Liveness timers of the signaling connection, in one place. */

/** How often the server pings each signaling connection (Socket.IO `pingInterval`). */
export const PING_INTERVAL_MS = 10_000;
/** How long a ping may go unanswered before the connection counts as dead (`pingTimeout`). */
export const PING_TIMEOUT_MS = 5_000;
/**
 * On shutdown, how long the server keeps serving after telling clients to reconnect (readiness
 * failing, joins refused) so load balancers stop routing to it and the notice reaches clients
 * before their connections close. The whole shutdown is bounded by SHUTDOWN_TIMEOUT (config.ts).
 */
export const SHUTDOWN_NOTICE_MS = 500;
