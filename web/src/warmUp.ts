import { preconnectSignaling } from './signaling/preconnect';

/**
 * Get a call ready while the person types their name: load the call page's code and open the
 * signaling connection, so that pressing Join waits only for the camera and the room.
 */
export function warmUpForCall(): void {
  void import('./pages/CallPage').catch(() => undefined);
  preconnectSignaling();
}
