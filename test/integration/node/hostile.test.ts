// A hostile peer against a real node over the in-memory transport (DESIGN §7, §9): garbage, oversized frames,
// bad signatures, and intentions for stores it is not in are dropped with no state change, the peer is charged,
// and the node keeps serving its members.
import { expect, it, onTestFinished } from 'vitest';
import { fromHex, NodeKey, type Hash, type StoreId } from '../../../host/model/index.js';
import { ChannelTransport } from '../../../host/net/channel-transport.js';
import { MessageStream } from '../../../host/net/message-stream.js';
import type { Connection } from '../../../host/net/transport.js';
import type { Node } from '../../../host/node/node.js';
import { sendRaw } from '../../helpers/net-channel.js';
import { testNet } from '../../helpers/node-mesh.js';
import { get, meshWithStore, puts } from '../../helpers/node-ops.js';

const kv = (n: Node) => n.openedStore(n.resolveStore('kv').storeId)!;

async function request(conn: Connection, frames: Uint8Array[] | ((s: MessageStream) => Promise<void>)): Promise<unknown> {
  const raw = await conn.openStream();
  const s = new MessageStream(raw);
  if (typeof frames === 'function') await frames(s);
  else for (const f of frames) await sendRaw(raw, f);
  await raw.close().catch(() => undefined);
  try {
    return await s.receive();
  } catch (e) {
    return e;
  }
}

it('drops garbage, oversized frames, bad signatures and foreign-store intentions, and keeps serving', { timeout: 90_000 }, async () => {
  const net = testNet();
  const [a, b] = (await meshWithStore(net, 2)) as [Node, Node];
  await puts(a, 'x', 3);
  await b.sync();
  const storeId = kv(a).meta.storeId as StoreId;
  const meshId = kv(a).meta.meshId as StoreId;
  const stateBefore = (await a.storeInfo('kv')).stateHash;
  const seqBefore = kv(a).seq;

  const mallory = new ChannelTransport({ key: NodeKey.generate(), network: net.network }, { connectTimeoutMs: 300 });
  onTestFinished(() => mallory.close());
  const conn = await mallory.connect(a.key.publicKey);

  // Garbage where the header should be: the stream is reset, mallory charged.
  expect(await request(conn, [Uint8Array.of(0, 0, 0, 5, 1, 2, 3, 4, 5)])).toMatchObject({ code: expect.stringMatching(/E_STREAM_RESET|E_CLOSED/) });
  // A frame header declaring more than MAX_FRAME.
  expect(await request(conn, [Uint8Array.of(0x7f, 0xff, 0xff, 0xff, 1, 2, 3)])).toMatchObject({ code: expect.stringMatching(/E_STREAM_RESET|E_CLOSED/) });
  // A non-member pushing into a's store, with a's own (valid) intentions: refused before anything is ingested.
  const valid = kv(a).witnessedFrom(1, 4);
  expect(await request(conn, async (s) => {
    await s.send({ t: 'req', kind: 'push', meshId, storeId });
    await s.send({ t: 'push', storeId, intentions: valid });
  })).toMatchObject({ t: 'err', code: 'E_UNAUTHORIZED' });
  expect(a.network!.sync.metrics.badFrames).toBeGreaterThanOrEqual(2);
  expect(a.network!.sync.scores.view(mallory.nodeId).score).toBeGreaterThan(0);

  // A member sending a tampered signature, and an intention of another store under this store's header.
  net.network.partition([a.key.publicKey], [b.key.publicKey]); // so b's write is not pushed
  const own = await b.storeExec('kv', 'put', ['from-b', 'genuine']);
  net.network.heal();
  const bConn = await b.network!.connect(a.key.publicKey, a.reachableAddrs());
  const bad = new Uint8Array(kv(b).getSigned(fromHex(own.intentions[0]!, 32) as Hash)!);
  bad[bad.length - 1]! ^= 1;
  const foreign = (await b.store(b.meshId())).witnessedFrom(1, 1); // b's own root store: another store id
  const before = a.network!.sync.metrics.received;
  await request(bConn, async (s) => {
    await s.send({ t: 'req', kind: 'push', meshId, storeId });
    await s.send({ t: 'push', storeId, intentions: [bad, ...foreign] });
  });
  expect(a.network!.sync.metrics.received).toBe(before + 2);
  expect(kv(a).has(fromHex(own.intentions[0]!, 32) as Hash)).toBe(false);
  expect(kv(a).seq).toBe(seqBefore);
  expect((await a.storeInfo('kv')).stateHash).toBe(stateBefore);

  // a keeps serving its members.
  await b.sync();
  expect(await get(a, 'from-b')).toEqual(['genuine', false]);
  expect((await a.storeInfo('kv')).stateHash).toBe((await b.storeInfo('kv')).stateHash);
});
