// Test helpers for IrohTransport on loopback: a conformance harness and a free-but-dead UDP address.
import { createSocket } from 'node:dgram';
import { NodeKey } from '../../host/model/index.js';
import { createIrohTransport } from '../../host/net/iroh-transport.js';
import { PeerScores } from '../../host/net/peer-score.js';
import type { TransportHarness } from '../conformance/transport.js';
import { sendRaw } from './net-channel.js';

/** A loopback UDP port that was just free (bound, then closed): nothing answers there. */
export async function deadUdpAddr(): Promise<string> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const { port } = sock.address();
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

export function irohHarness(connectTimeoutMs = 3000): TransportHarness {
  return {
    connectTimeoutMs,
    async create(key = NodeKey.generate()) {
      const scores = new PeerScores();
      const transport = await createIrohTransport({ key, scores }, { bindAddr: '127.0.0.1:0', connectTimeoutMs });
      return { transport, scores };
    },
    async unreachable() {
      return { nodeId: NodeKey.generate().publicKey, addrs: [await deadUdpAddr()] };
    },
    sendRaw,
    async teardown() {},
  };
}
