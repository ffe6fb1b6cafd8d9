/** What travels in a room, shared by the mesh and forwarding-unit messages. */

/**
 * How a room's media travels: `mesh` (peer to peer, one connection per pair) or `sfu` (each
 * participant sends to the server's forwarding unit, which forwards to the others).
 */
export const TOPOLOGIES = ['mesh', 'sfu'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

/** What a published track is: sent with it, never inferred from transceiver order. */
export const TRACK_ROLES = ['camera', 'microphone', 'screen', 'screen-audio'] as const;
export type TrackRole = (typeof TRACK_ROLES)[number];
/** Most tracks one description may describe (camera, microphone and a few screens). */
export const TRACKS_MAX = 16;
