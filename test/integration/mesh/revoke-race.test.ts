// A revoke racing a revoked node's writes (DESIGN §3, §6; docs/mesh.md): b gets c's writes before the revoke, a gets
// the revoke first (it makes it) and the writes afterwards. Both must end with the same witness log (the writes
// witnessed as rejected, E_UNAUTHORIZED), the same state hashes, and a third author's write that names the raced
// write in its condition witnessed and applied on both; a sync afterwards has nothing left to transfer.
import { expect, it } from 'vitest';
import { fromHex, REJECTION, toHex, type Hash } from '../../../host/model/index.js';
import type { Node } from '../../../host/node/node.js';
import { testNet, waitFor } from '../../helpers/node-mesh.js';
import { accepted, hashesOf, kv, rejected, resultOf, root } from '../../helpers/mesh-outcomes.js';
import { get, meshWithStore } from '../../helpers/node-ops.js';


it('a revoke racing a revoked node’s writes, both orders: same witnessed, accepted and rejected sets, same state; dependents apply; nothing left to sync', { timeout: 120_000 }, async () => {
  const net = testNet();
  const [a, b, c] = (await meshWithStore(net, 3)) as [Node, Node, Node];
  for (const n of [a, b, c]) await n.network!.connectAll();
  const tip = await c.storeExec('kv', 'put', ['from-c', 'valid']);
  await waitFor('a and b hold c’s tip', () => [a, b].every((n) => kv(n).isWitnessed(fromHex(tip.intentions[0]!, 32) as Hash)));

  // a is cut off; c writes to the kv store and to the root store (an invite), b gets both and writes over c's put.
  net.network.partition([a.key.publicKey], [b.key.publicKey, c.key.publicKey]);
  const raced = fromHex((await c.storeExec('kv', 'put', ['from-c', 'raced'])).intentions[0]!, 32) as Hash;
  const rootBefore = root(c).heads().find((h) => toHex(h.author) === toHex(c.key.publicKey))?.hash;
  await c.peerInvite({});
  const racedRoot = root(c).heads().find((h) => toHex(h.author) === toHex(c.key.publicKey))!.hash;
  expect(rootBefore === undefined || toHex(rootBefore) !== toHex(racedRoot)).toBe(true);
  await waitFor('b applies c’s raced writes', async () => (await get(b, 'from-c'))[0] === 'raced' && root(b).isWitnessed(racedRoot));
  expect(resultOf(root(b), racedRoot)).toBe(0);
  const over = await b.storeExec('kv', 'put', ['from-c', 'b-over']);
  const dependent = fromHex(over.intentions[0]!, 32) as Hash;
  const dependentSigned = kv(b).getSigned(dependent)!;
  // The condition names the raced write (kv puts name the key's heads).
  expect(Buffer.from(dependentSigned).includes(Buffer.from(raced))).toBe(true);

  // c is cut off too; a revokes c, naming the tips it has seen (never the raced writes); then the network heals.
  net.network.partition([b.key.publicKey], [c.key.publicKey]);
  await a.peerRevoke(toHex(c.key.publicKey));
  net.network.heal();
  await b.sync();
  await a.sync();
  await waitFor('both hold the raced writes and the dependent one, and b re-projected', () =>
    [a, b].every((n) => kv(n).isWitnessed(dependent) && resultOf(kv(n), raced) === REJECTION.E_UNAUTHORIZED && resultOf(root(n), racedRoot) === REJECTION.E_UNAUTHORIZED));

  for (const s of [kv, root]) {
    expect(hashesOf(s(a))).toEqual(hashesOf(s(b)));
    expect(hashesOf(s(a), accepted)).toEqual(hashesOf(s(b), accepted));
    expect(hashesOf(s(a), rejected)).toEqual(hashesOf(s(b), rejected));
    expect(toHex(s(a).stateHash)).toBe(toHex(s(b).stateHash));
    expect(s(a).floatingCount()).toBe(0);
    expect(s(b).floatingCount()).toBe(0);
  }
  expect(hashesOf(kv(a), rejected)).toEqual([toHex(raced)]);
  expect(hashesOf(root(a), rejected)).toContain(toHex(racedRoot));
  for (const n of [a, b]) expect(resultOf(kv(n), dependent)).toBe(0);
  expect(await get(a, 'from-c')).toEqual(await get(b, 'from-c'));
  expect((await get(a, 'from-c'))).toContain('b-over');
  // c's invite is not in force anywhere (its InviteCreate was rejected on both).
  expect(a.mesh(a.meshId()).peers().length).toBe(b.mesh(b.meshId()).peers().length);

  // Nothing is left to offer: the raced write is witnessed on both, so a sync between them transfers nothing.
  const again = await a.sync();
  expect(again.peers).toBe(1);
  expect([again.sent, again.received]).toEqual([0, 0]);
  const back = await b.sync();
  expect([back.sent, back.received]).toEqual([0, 0]);
});
