import { discardPrepared } from './mesh/preparedLink';
import { linkCertificate } from './mesh/certificate';
import { MeshTransport } from './mesh/MeshTransport';
import { SfuTransport } from './sfu/SfuTransport';
import type { Topology, TransportContext, TransportFactory } from './Transport';

/**
 * The browser's transports, chosen by the topology the join reply names: a full mesh of peer
 * connections, or two connections to the server's forwarding unit (`sfu/SfuTransport`).
 */
export function browserTransports(): TransportFactory {
  /** The page's DTLS certificate, generated while the call starts (see mesh/certificate.ts). */
  let certificate: RTCCertificate | null = null;
  return {
    topologies: ['mesh', 'sfu'],
    warmUp: () =>
      linkCertificate().then((c) => {
        certificate = c;
      }),
    create(topology: Topology, ctx: TransportContext) {
      switch (topology) {
        case 'mesh':
          return new MeshTransport(ctx, { certificate });
        case 'sfu':
          return new SfuTransport(ctx, { certificate });
        default:
          throw new TypeError(`unknown topology: ${String(topology)}`);
      }
    },
    dispose: () => discardPrepared(),
  };
}

/**
 * The pre-join screen's head start: the first mesh connection, prepared while the person looks
 * at their preview, handed to the mesh transport at the join (see mesh/preparedLink.ts).
 */
export { discardPrepared, prepareLink } from './mesh/preparedLink';
