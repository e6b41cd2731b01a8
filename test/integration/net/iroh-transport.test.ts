import { expect, it } from 'vitest';
import { NodeKey } from '../../../host/model/index.js';
import { createIrohTransport } from '../../../host/net/iroh-transport.js';
import { runTransportConformance } from '../../conformance/transport.js';
import { irohHarness } from '../../helpers/net-iroh.js';

runTransportConformance('IrohTransport (loopback QUIC)', async () => irohHarness());

it('binds the node key as the endpoint id and still dials direct addresses with an (unreachable) relay configured', { timeout: 30_000 }, async () => {
  const key = NodeKey.generate();
  const [a, b] = await Promise.all([
    createIrohTransport({ key }, { bindAddr: '127.0.0.1:0', relayUrl: 'http://127.0.0.1:9/' }),
    createIrohTransport({ key: NodeKey.generate() }, { bindAddr: '127.0.0.1:0', relayUrl: 'http://127.0.0.1:9/' }),
  ]);
  try {
    expect(a.nodeId).toEqual(key.publicKey);
    const next = b.incoming()[Symbol.asyncIterator]().next();
    const conn = await a.connect(b.nodeId, b.addrs());
    const s = await conn.openStream();
    await s.send(new Uint8Array([42]));
    const inbound = (await next).value!;
    expect(inbound.remoteNodeId).toEqual(key.publicKey);
    expect(await (await inbound.acceptStream()).receive()).toEqual(new Uint8Array([42]));
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
