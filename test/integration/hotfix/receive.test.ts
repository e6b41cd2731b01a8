// The receive side of the hot-fix gate (DESIGN §4.4, host/node/upgrade-gate.ts), over the in-memory transport: a node
// that gets a ModuleUpgrade by sync replays its own history with the new module before applying anything after it,
// caches the verdict (a restart does not replay again), attests it, and pauses the store with the report when its
// history diverges, while it keeps serving.
import { beforeAll, expect, it } from 'vitest';
import { encodeSystemOp } from '../../../host/kernel/index.js';
import { blake3, cidToString, DEFAULT_LIMITS, fromHex, NodeKey, parseCid, toHex, type Cid, type StoreId } from '../../../host/model/index.js';
import type { Node } from '../../../host/node/node.js';
import { signAttestation } from '../../../host/node/upgrade-verdicts.js';
import { storeInfoText } from '../../../cli/output.js';
import { testNet, waitFor } from '../../helpers/node-mesh.js';
import { addMembers, Authors, counterHistory, counterOp, createNode, ingestAll, latestUpgrade, open, variant } from './helpers.js';

let fast: Uint8Array;
let rare: Uint8Array;
beforeAll(async () => {
  fast = await variant('counter-fast');
  rare = await variant('counter-rare');
}, 180_000);

/** Node a creates a demo:counter store `clicks`; b joins a's mesh and gets a replica. */
async function twoNodes(net: ReturnType<typeof testNet>): Promise<{ a: Node; b: Node; id: string; storeId: StoreId }> {
  const a = await net.node('a');
  const b = await net.node('b');
  const { storeId: id } = await a.storeCreate('demo:counter', 'clicks');
  const { token } = await a.peerInvite({ expiresInSec: 600 });
  expect((await b.peerJoin(token)).stores).toBe(1);
  return { a, b, id, storeId: fromHex(id, 16) as StoreId };
}

const cidsBySeq = async (node: Node, id: string): Promise<Map<string, string>> =>
  new Map((await node.storeHistory(id, {})).map((e) => [e.hash, e.cid]));

it('an equivalent upgrade reaches a peer by sync: the peer verifies it, then applies later intentions with the new CID; attestations agree', { timeout: 180_000 }, async () => {
  const net = testNet();
  const { a, b, id, storeId } = await twoNodes(net);
  for (let i = 0; i < 20; i++) await (i % 2 ? a : b).storeExec('clicks', 'increment', [`k${i % 3}`, String(i + 1)]);
  await a.sync('clicks');
  expect((await b.storeInfo('clicks')).stateHash).toBe((await a.storeInfo('clicks')).stateHash);

  const published = await a.modulePublish(fast, 'demo:counter');
  expect(published).toMatchObject({ hotfix: true, stores: 1 });
  const storeA = a.openedStore(storeId)!;
  const storeB = b.openedStore(storeId)!;
  const upgrade = latestUpgrade(storeA).hash;
  await a.sync('clicks');
  await waitFor('b verifies the upgrade and witnesses it', () => storeB.isWitnessed(upgrade));
  expect(b.upgrades.metrics).toMatchObject({ replays: 1, passed: 1, diverged: 0 });
  // The publisher verified before publishing: it cached that verdict and never replays its own upgrade.
  expect(a.upgrades.metrics.replays).toBe(0);
  const infoB = await b.storeInfo('clicks');
  expect(infoB.upgrades?.verdicts).toEqual([expect.objectContaining({ cid: published.cid, equivalent: true, by: 'receive', intentions: 20, upgrade: toHex(upgrade) })]);
  expect(infoB.paused).toBe(false);

  // Later intentions, of either node, have the upgrade in their causal past: both apply them with the new module.
  const after = [await a.storeExec('clicks', 'increment', ['k0', '100']), await b.storeExec('clicks', 'increment', ['k1', '200'])];
  await a.sync('clicks');
  for (const node of [a, b]) {
    const cids = await cidsBySeq(node, id);
    for (const r of after) expect(cids.get(r.intentions[0]!)).toBe(published.cid);
  }
  expect((await b.storeInfo('clicks')).stateHash).toBe((await a.storeInfo('clicks')).stateHash);

  // Both verified the same witnessed set (a before publishing, b before applying): same fingerprint, same state hash.
  // The syncs exchanged them (attest.test.ts): each node holds both, and no alarm was raised.
  const own = (node: Node) => node.upgrades.verdicts.attestations(storeId).filter((x) => toHex(x.node) === toHex(node.key.publicKey));
  const attA = own(a);
  const attB = own(b);
  expect(attA).toHaveLength(1);
  expect(attB).toHaveLength(1);
  expect(toHex(attB[0]!.fingerprint)).toBe(toHex(attA[0]!.fingerprint));
  expect(toHex(attB[0]!.stateHash)).toBe(toHex(attA[0]!.stateHash));
  for (const node of [a, b]) expect(node.upgrades.verdicts.attestations(storeId)).toHaveLength(2);
  expect(a.upgrades.verdicts.alarmsRaised + b.upgrades.verdicts.alarmsRaised).toBe(0);
  // They agree; a third node attesting another state for the same set raises an alarm.
  expect(await b.upgrades.verdicts.attest(attA[0]!)).toEqual([]);
  expect(await a.upgrades.verdicts.attest(attB[0]!)).toEqual([]);
  const liar = signAttestation(NodeKey.generate(), { ...attA[0]!, stateHash: new Uint8Array(32).fill(7) });
  const alarms = await b.upgrades.verdicts.attest(liar);
  expect(alarms).toHaveLength(2); // against b's own attestation and a's
  expect(b.upgrades.verdicts.alarmsRaised).toBe(2);
  expect((await b.storeInfo('clicks')).upgrades?.alarms).toEqual(expect.arrayContaining([expect.objectContaining({ node: toHex(liar.node), otherStateHash: toHex(attB[0]!.stateHash) })]));
  await expect(b.upgrades.verdicts.attest({ ...liar, stateHash: new Uint8Array(32).fill(8) })).rejects.toMatchObject({ code: 'E_BAD_SIGNATURE' });

  // A restart does not replay again: another upgrade to the same CID whose causal past the cached verdict covered is
  // let in at once.
  const authors = new Authors(storeB, 1, 21);
  await addMembers(a, authors.keys);
  await a.sync();
  const dataDir = b.paths.dataDir;
  await b.close();
  const b2 = await net.reopen(dataDir);
  const again = authors.write(b2.openedStore(storeId)!, 0, encodeSystemOp({ op: 'ModuleUpgrade', cid: parseCid(published.cid), limits: { ...DEFAULT_LIMITS } }));
  const r = await b2.openedStore(storeId)!.ingest([again.bytes]);
  expect(r).toMatchObject({ witnessed: 1, held: 0 });
  expect(b2.upgrades.metrics.replays).toBe(0);
});

it('an upgrade that diverges from the receiver\'s own history is held: the store pauses with the report, nothing after it applies, the node keeps serving; a restart keeps it so without replaying', { timeout: 180_000 }, async () => {
  const net = testNet();
  const { a, b, storeId } = await twoNodes(net);
  for (let i = 0; i < 6; i++) await a.storeExec('clicks', 'increment', [`k${i % 2}`]);
  await a.sync('clicks');
  // b writes on the key counter-rare treats differently while cut off from a: a never replays it.
  net.network.partition([a.key.publicKey], [b.key.publicKey]);
  await b.storeExec('clicks', 'increment', ['zzz-rare', '3']);
  const published = await a.modulePublish(rare, 'demo:counter');
  expect(published).toMatchObject({ hotfix: true, stores: 1 });
  const storeA = a.openedStore(storeId)!;
  const upgrade = latestUpgrade(storeA).hash;
  const later = await a.storeExec('clicks', 'increment', ['k0', '10']);
  net.network.heal();
  await a.sync();

  const storeB = b.openedStore(storeId)!;
  await waitFor('b finds the divergence', () => b.upgrades.metrics.diverged === 1);
  const info = await b.storeInfo('clicks');
  expect(info.paused).toBe(true);
  expect(info.pausedError).toMatchObject({ code: 'E_HOTFIX_DIVERGES', firstDivergence: { keys: [expect.objectContaining({ key: 'zzz-rare' })], newCid: published.cid } });
  expect(info.upgrades?.verdicts).toEqual([expect.objectContaining({ equivalent: false, cid: published.cid, upgrade: toHex(upgrade) })]);
  // `store info` as text prints the report once, under pausedError; the verdict points there.
  const text = storeInfoText(info);
  expect(text.match(/newCid:/g)).toHaveLength(1);
  expect(text.indexOf('newCid:')).toBeLessThan(text.indexOf('upgrades:'));
  expect(text).toContain('firstDivergence: (shown under pausedError)');
  expect(storeB.isWitnessed(upgrade)).toBe(false);
  expect(storeB.isWitnessed(fromHex(later.intentions[0]!, 32) as never)).toBe(false);
  // b attests nothing; it holds the publisher's attestation, sent after the sync.
  expect(info.upgrades?.attestations).toEqual([expect.objectContaining({ node: toHex(a.key.publicKey) })]);
  // a applied b's write (concurrent with the upgrade, so with the old module) and went on.
  expect((await a.storeQuery('clicks', 'get', ['zzz-rare'])).result).toBe(3);
  // b keeps serving: queries, and sync with a.
  expect((await b.storeQuery('clicks', 'get', ['zzz-rare'])).result).toBe(3);
  expect(await b.sync('clicks')).toMatchObject({ peers: 1 });
  expect(b.upgrades.metrics.replays).toBe(1);

  // Restarted, b is paused again from the cached verdict, without replaying.
  const dataDir = b.paths.dataDir;
  await b.close();
  const b2 = await net.reopen(dataDir);
  await b2.upgrades.idle();
  const again = await b2.storeInfo('clicks');
  expect(again.pausedError).toMatchObject({ code: 'E_HOTFIX_DIVERGES' });
  expect(b2.openedStore(storeId)!.isWitnessed(upgrade)).toBe(false);
  expect(b2.upgrades.metrics.replays).toBe(0);
});

it('a node stopped before it verified a received upgrade restarts on the old module with its state intact, and verifies it then', { timeout: 120_000 }, async () => {
  const { node, dataDir } = await createNode();
  const { storeId: id } = await node.storeCreate('demo:counter', 'clicks');
  const storeId = fromHex(id, 16) as StoreId;
  const store = await node.store(storeId);
  const authors = new Authors(store, 2, 23);
  await addMembers(node, authors.keys);
  await ingestAll(store, counterHistory(store, authors, 200, (i) => `k${i % 7}`));
  // Another member's upgrade to a module this node does not hold (no network: it cannot fetch it), and a write after it.
  const cid = new Uint8Array(blake3(fast)) as Cid;
  const up = authors.write(store, 0, encodeSystemOp({ op: 'ModuleUpgrade', cid, limits: { ...DEFAULT_LIMITS } }));
  const after = authors.write(store, 1, counterOp('k0', 9), [up]);
  expect(await store.ingest([up.bytes, after.bytes])).toMatchObject({ witnessed: 0, held: 1, floated: 1 });
  await waitFor('the verification waits for the module', () => node.upgrades.info(storeId)?.pending[0]?.state === 'waiting-for-module');
  const before = await node.storeInfo('clicks');
  await node.close();

  const again = await open(dataDir);
  try {
    const info = await again.storeInfo('clicks');
    expect({ cid: info.cid, seq: info.seq, stateHash: info.stateHash, paused: info.paused }).toEqual({ cid: before.cid, seq: before.seq, stateHash: before.stateHash, paused: false });
    const reopened = again.openedStore(storeId)!;
    expect(reopened.isWitnessed(up.hash)).toBe(false);
    expect(info.upgrades?.pending).toEqual([expect.objectContaining({ upgrade: toHex(up.hash) })]);
    await again.runtime.publish(fast, DEFAULT_LIMITS); // the module's bytes arrive
    await waitFor('the upgrade is verified and what waited on it applied', () => reopened.isWitnessed(after.hash));
    expect(again.upgrades.metrics).toMatchObject({ replays: 1, passed: 1 });
    const history = await again.storeHistory(id, {});
    expect(history.find((e) => e.hash === toHex(after.hash))?.cid).toBe(cidToString(cid));
  } finally {
    await again.close();
  }
});
