// Intentions concurrent with an upgrade (DESIGN §4.4): the module in force for an intention is the latest upgrade in
// its causal past, so two nodes that receive the same intentions in different orders apply each one with the same
// module and end in the same state. Node B starts as a copy of node A's data dir (same history, same mesh); then A
// publishes counter-fast while B has already witnessed an intention A has not, and the rest reaches them in
// different orders. B's gate verifies the upgrade against its own history before applying anything after it.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it, onTestFinished } from 'vitest';
import { encodeSystemOp } from '../../../host/kernel/index.js';
import { cidToString, DEFAULT_LIMITS, fromHex, REJECTION, toHex, type StoreId } from '../../../host/model/index.js';
import { openNode } from '../../../host/node/node.js';
import { waitFor } from '../../helpers/node-wait.js';
import { addMembers, Authors, counterHistory, counterOp, createNode, ingestAll, latestUpgrade, tempDir, variant } from './helpers.js';

let fast: Uint8Array;
beforeAll(async () => {
  fast = await variant('counter-fast');
}, 120_000);

it('intentions concurrent with an upgrade, delivered in different orders, run on the same module on two nodes', { timeout: 90_000 }, async () => {
  const { node: first, dataDir } = await createNode();
  const { storeId: id } = await first.storeCreate('demo:counter', 'clicks');
  const storeId = fromHex(id, 16) as StoreId;
  let storeA = await first.store(storeId);
  const authors = new Authors(storeA, 2, 5);
  await addMembers(first, authors.keys);
  await ingestAll(storeA, counterHistory(storeA, authors, 300, (i) => `k${i % 10}`));
  await first.close();
  const copyRoot = tempDir();
  const copyDir = join(copyRoot, 'node-b');
  cpSync(dataDir, copyDir, { recursive: true });
  const a = await openNode({ dataDir });
  const b = await openNode({ dataDir: copyDir });
  onTestFinished(async () => {
    await a.close();
    await b.close();
    rmSync(copyRoot, { recursive: true, force: true });
  });
  storeA = await a.store(storeId);
  const storeB = await b.store(storeId);
  expect(storeB.stateHash).toEqual(storeA.stateHash);
  const oldCid = cidToString(storeA.info().cid);

  // X: author 0 writes before the upgrade; only B has it when A publishes. V: author 1 writes before the upgrade;
  // only A has it when it publishes.
  const x = authors.write(storeA, 0, counterOp('x', 5));
  const v = authors.write(storeA, 1, counterOp('v', 2));
  await ingestAll(storeB, [x.bytes]);
  await ingestAll(storeA, [v.bytes]);
  const published = await a.modulePublish(fast, 'demo:counter');
  expect(published).toMatchObject({ hotfix: true, stores: 1 });
  const up = latestUpgrade(storeA);
  const upgradeBytes = storeA.getSigned(up.hash)!;
  // Y: author 1 has seen the upgrade. Z: author 0 has seen X (its own) and the upgrade. W: author 1, after Y.
  const y = authors.write(storeA, 1, counterOp('y', 7), [up]);
  const z = authors.write(storeA, 0, counterOp('x', 11), [up]);
  const w = authors.write(storeA, 1, counterOp('x', 13));

  // A: V, the upgrade (local), then X, Y, Z, W. B: X, then W, Z, Y ahead of the upgrade (they float until it and V
  // arrive), then the upgrade and V. B holds the module's bytes, as after fetching them from a peer.
  await ingestAll(storeA, [x.bytes, y.bytes, z.bytes, w.bytes]);
  const { cid } = await b.runtime.publish(fast, DEFAULT_LIMITS);
  await b.machines.load(cid);
  const early = await storeB.ingest([w.bytes, z.bytes, y.bytes]);
  expect(early.witnessed).toBe(0);
  // B did not publish the upgrade: its gate holds it and replays B's own history (with X, which A never replayed)
  // with the new module before anything after the upgrade applies (Z); Y and W wait for V too, which arrives last.
  const held = await storeB.ingest([upgradeBytes]);
  expect(held).toMatchObject({ witnessed: 0, held: 1 });
  await waitFor('B verifies the upgrade and applies Z, which waited on it', () => storeB.isWitnessed(up.hash) && storeB.isWitnessed(z.hash));
  expect(b.upgrades.metrics).toMatchObject({ replays: 1, passed: 1, diverged: 0 });
  expect((await b.storeInfo(id)).upgrades?.verdicts).toEqual([expect.objectContaining({ cid: published.cid, equivalent: true, by: 'receive', upgrade: toHex(up.hash) })]);
  const late = await storeB.ingest([v.bytes]);
  expect(late.witnessed).toBe(3); // V, then Y and W, which waited on it

  const seq = (node: typeof a, hash: Uint8Array): number => (node === a ? storeA : storeB).seqOf(hash as never)!;
  // The witness orders differ: X is after the upgrade on A and before it on B; V the other way round.
  expect(seq(a, x.hash)).toBeGreaterThan(seq(a, up.hash));
  expect(seq(b, x.hash)).toBeLessThan(seq(b, up.hash));
  expect(seq(a, v.hash)).toBeLessThan(seq(a, up.hash));
  expect(seq(b, v.hash)).toBeGreaterThan(seq(b, up.hash));

  // Each node names the same module for each intention: the old one for X and V (their causal past has no upgrade),
  // the new one for everything that has the upgrade among its ancestors.
  for (const node of [a, b]) {
    const history = await node.storeHistory(id, {});
    const cidOf = (h: Uint8Array): string | undefined => history.find((e) => e.hash === toHex(h))?.cid;
    expect([cidOf(x.hash), cidOf(v.hash)]).toEqual([oldCid, oldCid]);
    expect([cidOf(y.hash), cidOf(z.hash), cidOf(w.hash)]).toEqual([published.cid, published.cid, published.cid]);
    expect(history.every((e) => e.result === 'applied')).toBe(true);
  }
  expect(storeB.stateHash).toEqual(storeA.stateHash);
  expect(storeB.seq).toBe(storeA.seq);
  for (const [k, n] of [['x', 5 + 11 + 13], ['y', 7], ['v', 2]] as const) {
    expect((await a.storeQuery(id, 'get', [k])).result).toBe(n);
    expect((await b.storeQuery(id, 'get', [k])).result).toBe(n);
  }
});

it("what the kernel decided without a module is not replayed: an equivocator's intentions after its fork point", { timeout: 60_000 }, async () => {
  const { node } = await createNode();
  const { storeId: id } = await node.storeCreate('demo:counter', 'clicks');
  const store = await node.store(fromHex(id, 16) as StoreId);
  const authors = new Authors(store, 2, 9);
  await addMembers(node, authors.keys);
  await ingestAll(store, counterHistory(store, authors, 40, (i) => `k${i % 4}`));
  // Author 1 signs two intentions on one storePrev, then goes on from the first: frozen at the fork point, so the
  // first (applied when it came) and the next are re-projected as rejected(E_EQUIVOCATION), naming no module.
  const fork = authors.tip(1);
  const one = authors.write(store, 1, counterOp('k0', 100));
  authors.rewind(1, fork);
  const other = authors.write(store, 1, counterOp('k0', 1000));
  authors.rewind(1, { hash: one.hash, hlc: one.hlc });
  const after = authors.write(store, 1, counterOp('k1', 10));
  await ingestAll(store, [one.bytes, authors.write(store, 0, counterOp('k2', 1)).bytes]);
  const r = await store.ingest([other.bytes, after.bytes]);
  expect(r.evidence).toBe(1);
  const history = await node.storeHistory(id, {});
  const code = (h: Uint8Array): number | undefined => history.find((e) => e.hash === toHex(h))?.code;
  expect([code(one.hash), code(after.hash)]).toEqual([REJECTION.E_EQUIVOCATION, REJECTION.E_EQUIVOCATION]);

  // The candidate would apply them; the replay leaves them to the kernel's verdict and compares the rest.
  const report = await node.moduleReplay('clicks', fast);
  expect(report).toEqual({ equivalent: true, intentions: 41, firstDivergence: null });
});

it("what the node decided without a module is not replayed: a revoked author's intentions beyond its last valid tip", { timeout: 60_000 }, async () => {
  const { node } = await createNode();
  const { storeId: id } = await node.storeCreate('demo:counter', 'clicks');
  const store = await node.store(fromHex(id, 16) as StoreId);
  const authors = new Authors(store, 2, 13);
  await addMembers(node, authors.keys);
  await ingestAll(store, counterHistory(store, authors, 20, (i) => `k${i % 4}`));
  // Author 1's last valid tip is its intention before these two, which were applied before the revoke landed.
  const tip = authors.tip(1)!;
  const late = [authors.write(store, 1, counterOp('k0', 100)), authors.write(store, 1, counterOp('k1', 200))];
  await ingestAll(store, late.map((w) => w.bytes));
  const root = await node.store(node.meshId());
  await root.submit(encodeSystemOp({ op: 'PeerRevoke', node: authors.keys[1]!.publicKey, lastValidTip: { [id]: tip.hash } }));
  await node.storeRebuild('clicks'); // what the node does when a revoke lands behind applied intentions
  const history = await node.storeHistory(id, {});
  const code = (h: Uint8Array): number | undefined => history.find((e) => e.hash === toHex(h))?.code;
  expect(late.map((w) => code(w.hash))).toEqual([REJECTION.E_UNAUTHORIZED, REJECTION.E_UNAUTHORIZED]);

  // The candidate alone would apply them; the replay applies the same revocation rule as the node's projection.
  expect(await node.moduleReplay('clicks', fast)).toEqual({ equivalent: true, intentions: 22, firstDivergence: null });
});
