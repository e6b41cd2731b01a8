// Starting the node's network: an IrohTransport on the node key, bound to the port kept in the node's config (so
// addresses in invite tokens stay valid across daemon restarts). A daemon keeps it running; a command run embedded
// (join, sync) starts it for the command and closes it after.
import { createSocket } from 'node:dgram';
import type { Transport } from '../net/transport.js';
import { NetworkService } from './network.js';
import type { Node } from './node.js';

/** A UDP port that is free now (the daemon binds it later). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '0.0.0.0', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startNetwork(node: Node, options: { background: boolean; relayUrl?: string; transport?: Transport }): Promise<NetworkService> {
  if (options.transport) {
    const net = new NetworkService(node, options.transport);
    node.network = net;
    await net.start({ background: options.background });
    return net;
  }
  const { createIrohTransport } = await import('../net/iroh-transport.js');
  const config = node.config();
  const relay = options.relayUrl ? { relayUrl: options.relayUrl } : {};
  let transport;
  try {
    transport = await createIrohTransport({ key: node.key }, { bindAddr: `0.0.0.0:${config.port ?? 0}`, ...relay });
  } catch {
    transport = await createIrohTransport({ key: node.key }, { bindAddr: '0.0.0.0:0', ...relay });
  }
  const port = Number(/:(\d+)$/.exec(transport.addrs().find((a) => a.startsWith('127.0.0.1:')) ?? '')?.[1] ?? 0);
  if (port && port !== config.port) node.saveConfig({ ...node.config(), port });
  const net = new NetworkService(node, transport);
  node.network = net;
  await net.start({ background: options.background });
  return net;
}

/** Runs `fn` with the node's network, starting one for the call when the node has none. */
export async function withNetwork<T>(node: Node, fn: (net: NetworkService) => Promise<T>): Promise<T> {
  if (node.network) return fn(node.network);
  const net = await startNetwork(node, { background: false });
  try {
    return await fn(net);
  } finally {
    await net.close();
    node.network = null;
  }
}
