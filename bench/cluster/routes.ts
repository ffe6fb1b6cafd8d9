/** How the cluster benchmark places a room's members on servers and names the route of a signal. */
import type { RoomPlan } from '../signal/messages';

/** Where a signal went, relative to the servers of its sender and receiver and the room's home. */
export type Route =
  /** Sender and receiver on the room's home: relayed in memory, no Redis. */
  | 'same server, home'
  /** Both on one server that is not the room's home: there to the home and back (2 Redis hops). */
  | 'same server, not home'
  /** One of the two on the home: one Redis hop. */
  | 'different servers, one home'
  /** Neither on the home (three servers): edge to home to the other edge (2 Redis hops). */
  | 'different servers, neither home';

export const ROUTES: Route[] = [
  'same server, home',
  'same server, not home',
  'different servers, one home',
  'different servers, neither home',
];

/** Messages over Redis pub/sub (server to server) that carry one signal along each route. */
export const REDIS_MESSAGES: Record<Route, number> = {
  'same server, home': 0,
  'same server, not home': 2,
  'different servers, one home': 1,
  'different servers, neither home': 2,
};

/** The member at position `i` of room number `r` connects to server (r + i) mod n: round-robin. */
export function spreadRooms(rooms: RoomPlan[], servers: number): RoomPlan[] {
  return rooms.map((room, r) => ({
    ...room,
    servers: Array.from({ length: room.size }, (_, i) => (r + i) % servers),
  }));
}

/** Which route a signal from a member on server `from` to one on server `to` took in a room homed on `home`. */
export function routeOf(from: number, to: number, home: number): Route {
  if (from === to) return from === home ? 'same server, home' : 'same server, not home';
  return from === home || to === home ? 'different servers, one home' : 'different servers, neither home';
}
