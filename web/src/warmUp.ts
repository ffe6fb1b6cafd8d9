/**
 * Get a call ready while the person types their name: load the call page's code and open the
 * signaling connection, so that pressing Join waits only for the camera and the room. Both
 * load lazily, so the home page itself stays small.
 */
export function warmUpForCall(): void {
  void import('./pages/CallPage').catch(() => undefined);
  void import('./signaling/preconnect').then((m) => m.preconnectSignaling()).catch(() => undefined);
}
