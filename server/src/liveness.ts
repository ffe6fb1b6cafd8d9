/** Liveness timers of the signaling connection, in one place. */

/**
 * On shutdown, how long the server keeps serving after telling clients to reconnect (readiness
 * failing, joins refused) so load balancers stop routing to it and the notice reaches clients
 * before their connections close. The whole shutdown is bounded by SHUTDOWN_TIMEOUT (config.ts).
 */
export const SHUTDOWN_NOTICE_MS = 500;
/**
 * Pending TCP connections the kernel queues before the server accepts them (`listen` backlog;
 * Node's default is 511). A join storm of thousands of people at once must queue, not be
 * dropped and retried seconds later. The kernel caps it at `net.core.somaxconn`.
 */
export const LISTEN_BACKLOG = 4_096;
/**
 * How long a participant whose transport dropped (no Leave, no clean close) stays in its room
 * before the others are told it left. A reconnect with the resume token inside this window
 * keeps the participant without anyone noticing (a Wi-Fi blip does not tear down the tiles).
 * Kept well under the 5 s within which a closed tab or killed browser must vanish.
 */
export const DISCONNECT_GRACE_MS = 2_000;
/**
 * The grace for a participant whose connection went silent (no pong within PING_TIMEOUT) rather
 * than closed. A closed tab or a killed browser closes its TCP connection, which the server sees
 * at once ("transport close") and answers with DISCONNECT_GRACE_MS. Silence means the network is
 * gone, often for a while (a train tunnel, a Wi-Fi hand-over, a router restart): the person is
 * probably still there and comes back on its own, so the room keeps them longer before telling
 * the others they left. A resume within it keeps the same participant and its media.
 */
export const SILENT_DISCONNECT_GRACE_MS = 15_000;
