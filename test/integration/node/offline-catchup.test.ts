// A node offline while 10k intentions are written catches up with one sync when it returns (DESIGN §7), over the
// in-memory transport. Its own file: the 10k ingests on both sides dominate its time on a loaded 2-core VM.
import { expect, it } from 'vitest';
import type { Node } from '../../../host/node/node.js';
import { testNet } from '../../helpers/node-mesh.js';
import { get, hashes, meshWithStore, puts } from '../../helpers/node-ops.js';
import { addWriter } from '../../helpers/node-writer.js';

const seqOf = (n: Node, store = 'kv') => n.openedStore(n.resolveStore(store).storeId)!.seq;

it('a node offline during 10k writes catches up when it returns', { timeout: 150_000 }, async () => {
  const net = testNet();
  const [a, b] = await meshWithStore(net, 2);
  const writer = await addWriter(a!);
  await b!.sync();
  const bDir = b!.paths.dataDir;
  await b!.close();
  const signed = writer.next(10_000);
  const report = await a!.openedStore(a!.resolveStore('kv').storeId)!.ingest(signed);
  expect(report.witnessed).toBe(10_000);
  await puts(a!, 'late', 3);

  const b2 = await net.reopen(bDir);
  const r = await b2.sync();
  expect(r.received).toBeGreaterThanOrEqual(10_003);
  expect(seqOf(b2)).toBe(seqOf(a!));
  expect(await hashes([a!, b2])).toEqual(await hashes([a!, a!]));
  expect(await get(b2, 'w000009999')).toEqual(['v', false]);
});

