// An equivalent module is accepted as a hot-fix (DESIGN §4.4): modules/variants/counter-fast replays a store of a few
// thousand intentions from several authors with the same result and write set at every seq; publishing it writes
// the ModuleUpgrade; later intentions run on it, earlier ones keep the old CID, and a node that clones the store
// afterwards ends with the same state hash.
import { beforeAll, expect, it } from 'vitest';
import { fromHex, type StoreId } from '../../../host/model/index.js';
import { ChannelNetwork } from '../../../host/net/channel-network.js';
import { addMembers, Authors, counterHistory, counterOp, createNode, ingestAll, latestUpgrade, variant } from './helpers.js';

let fast: Uint8Array;
beforeAll(async () => {
  fast = await variant('counter-fast');
}, 120_000);

const COUNT = 3000;

it('counter-fast is accepted on a multi-author store; later intentions run on it and a clone converges', { timeout: 90_000 }, async () => {
  const network = new ChannelNetwork();
  const { node: a } = await createNode({ network });
  const { storeId } = await a.storeCreate('demo:counter', 'clicks');
  const store = await a.store(fromHex(storeId, 16) as StoreId);
  const authors = new Authors(store, 3);
  await addMembers(a, authors.keys);

  const expected = new Map<string, number>();
  const add = (k: string, d: number): void => void expected.set(k, (expected.get(k) ?? 0) + d);
  await a.storeExec('clicks', 'increment', ['local', '7']);
  add('local', 7);
  const keyOf = (i: number): string => `k${i % 40}`;
  await ingestAll(store, counterHistory(store, authors, COUNT, keyOf));
  for (let i = 0; i < COUNT; i++) add(keyOf(i), 1 + (i % 5));
  await a.storeExec('clicks', 'decrement', ['k1', '2']);
  add('k1', -2);
  const before = await a.storeInfo('clicks');
  const oldCid = before.cid;
  expect(before.authors).toBe(4);

  // The check alone writes nothing.
  const replay = await a.moduleReplay('clicks', fast);
  expect(replay).toEqual({ equivalent: true, intentions: COUNT + 2, firstDivergence: null });
  expect((await a.storeInfo('clicks')).seq).toBe(before.seq);

  const published = await a.modulePublish(fast, 'demo:counter');
  expect(published).toMatchObject({ storeType: 'demo:counter', hotfix: true, verified: true, stores: 1, intentions: COUNT + 2 });
  expect(published.cid).not.toBe(oldCid);
  expect((await a.moduleList()).find((m) => m.storeType === 'demo:counter')?.cid).toBe(published.cid);
  const upgraded = await a.storeInfo('clicks');
  expect(upgraded.cid).toBe(published.cid);
  expect(upgraded.seq).toBe(before.seq + 1);
  for (const [k, v] of expected) expect((await a.storeQuery('clicks', 'get', [k])).result).toBe(v);

  // After the upgrade: a local write and a remote write that has seen the upgrade run on the new module; a remote
  // write concurrent with it (its causal past has no upgrade) still runs on the old one.
  await a.storeExec('clicks', 'increment', ['k2', '5']);
  add('k2', 5);
  const up = latestUpgrade(store);
  const seen = authors.write(store, 0, counterOp('k3', 4), [up]);
  const concurrent = authors.write(store, 1, counterOp('k4', 6));
  await ingestAll(store, [seen.bytes, concurrent.bytes]);
  add('k3', 4);
  add('k4', 6);

  const history = await a.storeHistory('clicks', {});
  const upgradeSeq = before.seq + 1;
  const apps = history.filter((e) => e.seq !== 1 && e.seq !== upgradeSeq);
  expect(apps).toHaveLength(COUNT + 5);
  for (const e of apps.filter((e) => e.seq < upgradeSeq)) expect(e.cid).toBe(oldCid);
  const cidOf = (hash: string): string | undefined => history.find((e) => e.hash === hash)?.cid;
  expect(history.at(-3)!.cid).toBe(published.cid); // the local write
  expect(cidOf(Buffer.from(seen.hash).toString('hex'))).toBe(published.cid);
  expect(cidOf(Buffer.from(concurrent.hash).toString('hex'))).toBe(oldCid);
  expect(apps.every((e) => e.result === 'applied')).toBe(true);
  for (const [k, v] of expected) expect((await a.storeQuery('clicks', 'get', [k])).result).toBe(v);

  // A node that joins afterwards clones the store (fetching the new module by CID) and reaches the same state.
  const { node: b } = await createNode({ network });
  const { token } = await a.peerInvite({});
  await b.peerJoin(token);
  const final = await a.storeInfo('clicks');
  let cloned = await b.storeInfo(storeId).catch(() => undefined);
  for (let i = 0; i < 100 && (cloned?.seq !== final.seq || cloned.paused); i++) {
    await b.sync();
    cloned = await b.storeInfo(storeId).catch(() => undefined);
  }
  expect(cloned).toMatchObject({ seq: final.seq, stateHash: final.stateHash, cid: published.cid, paused: false });
  // The clone applied every intention with the same module as A (its witness order may differ).
  const onB = new Map((await b.storeHistory(storeId, {})).map((e) => [e.hash, `${e.cid} ${e.result}`]));
  const differing = history.filter((e) => onB.get(e.hash) !== `${e.cid} ${e.result}`);
  expect(onB.size).toBe(history.length);
  expect(differing).toEqual([]);
});
