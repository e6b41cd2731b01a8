// Membership is a function of the root store's ops, not of their arrival order (DESIGN §6; docs/mesh.md "Membership
// as a function of the log"). Nodes are cut off from each other and each gets the same ops, by direct ingest, in an
// order of the test's choosing; every node then ends with the same witnessed, accepted and rejected sets and state
// hashes in the root store and the kv store, and the same view of who is active and who is revoked.
import { expect, it } from 'vitest';
import { decodeSigned, REJECTION, toHex, type Hash } from '../../../host/model/index.js';
import type { Store } from '../../../host/kernel/index.js';
import type { Node } from '../../../host/node/node.js';
import { stampKey } from '../../../host/node/root-ops.js';
import { testNet, waitFor } from '../../helpers/node-mesh.js';
import { expectSame, hashesOf, ingestEach, kv, rejected, resultOf, root, statuses, writeOf } from '../../helpers/mesh-outcomes.js';
import { meshWithStore } from '../../helpers/node-ops.js';

/** `author`'s intentions in `s` after `after` (exclusive; all of them when undefined), ancestors first. */
const chainAfter = (s: Store, author: Node, after: Hash | undefined): Uint8Array[] => {
  const from = after === undefined ? 1 : s.seqOf(after)! + 1;
  return s.history({ from, limit: 100_000, author: author.key.publicKey }).map((e) => s.getSigned(e.hash)!);
};

it('a member added by a revoked node beyond its tip: its writes are witnessed as rejected on every node, whichever of the add, the writes and the revoke comes first', { timeout: 180_000 }, async () => {
  const net = testNet();
  const [a, b, e, c] = (await meshWithStore(net, 4)) as [Node, Node, Node, Node];
  for (const n of [a, b, e, c]) await n.network!.connectAll();
  const validC = await writeOf(c, 'from-c', 'valid');
  await waitFor('a, b and e hold c’s tip', () => [a, b, e].every((n) => kv(n).isWitnessed(validC)));
  // c has written nothing to the root store yet (a wrote its invite), so a's revoke will name no root tip for c.
  expect(root(c).heads().some((h) => toHex(h.author) === toHex(c.key.publicKey))).toBe(false);

  // Everyone is cut off from everyone except c from d, its invitee: c invites d (InviteCreate, PeerAdd,
  // InviteConsume: all beyond the tip a's revoke will name), d joins from c and writes.
  const d = await net.node('d');
  const [pa, pb, pe, pc, pd] = [a, b, e, c, d].map((n) => n.key.publicKey);
  net.network.partition([pa!], [pb!, pe!, pc!, pd!]);
  net.network.partition([pb!], [pe!, pc!, pd!]);
  net.network.partition([pe!], [pc!, pd!]);
  const { token } = await c.peerInvite({});
  await d.peerJoin(token);
  const fromD = await writeOf(d, 'from-d', 'added-beyond-the-tip');
  const cRootOps = chainAfter(root(c), c, undefined);
  expect(cRootOps.length).toBe(3);
  const dWrite = kv(d).getSigned(fromD)!;

  // a revokes c, naming the tips it has witnessed (never c's invite of d).
  await a.peerRevoke(toHex(c.key.publicKey));
  const revoke = chainAfter(root(a), a, undefined).at(-1)!;

  // Three orders: a has the revoke, then gets c's root ops and d's write; b gets the add and d's write first and
  // applies them, then the revoke; e gets the revoke, then d's write (d is unknown there: held), then the add.
  await ingestEach(root(a), cRootOps);
  await ingestEach(kv(a), [dWrite]);
  await ingestEach(root(b), cRootOps);
  await ingestEach(kv(b), [dWrite]);
  await waitFor('b applies d’s write', () => resultOf(kv(b), fromD) === 0);
  await ingestEach(root(b), [revoke]);
  await ingestEach(root(e), [revoke]);
  await ingestEach(kv(e), [dWrite]);
  await ingestEach(root(e), cRootOps);

  const racedRoot = cRootOps.map((s) => decodeSigned(s, { verify: false }).hash);
  await waitFor('every node witnesses c’s root ops and d’s write as rejected', () =>
    [a, b, e].every((n) => resultOf(kv(n), fromD) === REJECTION.E_UNAUTHORIZED && racedRoot.every((h) => resultOf(root(n), h) === REJECTION.E_UNAUTHORIZED)));
  expectSame([a, b, e]);
  for (const n of [a, b, e]) expect(statuses(n, [a, b, e, c, d])).toEqual(['active', 'active', 'active', 'revoked', 'unknown']);
  expect(hashesOf(kv(a), rejected)).toEqual([toHex(fromD)]);
});

it('two members revoking each other concurrently: the same one is revoked on every node, whichever revoke lands first', { timeout: 180_000 }, async () => {
  const net = testNet();
  const [a, b, c, e] = (await meshWithStore(net, 4)) as [Node, Node, Node, Node];
  for (const n of [a, b, c, e]) await n.network!.connectAll();
  const tipA = await writeOf(a, 'from-a', 'valid');
  const tipB = await writeOf(b, 'from-b', 'valid');
  await waitFor('every node holds a’s and b’s tips', () => [a, b, c, e].every((n) => kv(n).isWitnessed(tipA) && kv(n).isWitnessed(tipB)));

  // Everyone is cut off; a revokes b and b revokes a, each naming the other's tips as it has seen them (not the
  // other's revoke), and each writes afterwards.
  const keys = [a, b, c, e].map((n) => n.key.publicKey);
  for (let i = 0; i < keys.length - 1; i++) net.network.partition([keys[i]!], keys.slice(i + 1));
  await a.peerRevoke(toHex(b.key.publicKey));
  await b.peerRevoke(toHex(a.key.publicKey));
  const revokeByA = chainAfter(root(a), a, undefined).at(-1)!;
  const revokeByB = chainAfter(root(b), b, undefined).at(-1)!;
  const afterA = await writeOf(a, 'after-a', 'x');
  const afterB = await writeOf(b, 'after-b', 'y');
  const writeA = kv(a).getSigned(afterA)!;
  const writeB = kv(b).getSigned(afterB)!;

  // Opposite orders: a and c get a's revoke first, b and e get b's revoke first; the writes come after both.
  await ingestEach(root(a), [revokeByB]);
  await ingestEach(kv(a), [writeB]);
  await ingestEach(root(b), [revokeByA]);
  await ingestEach(kv(b), [writeA]);
  await ingestEach(root(c), [revokeByA, revokeByB]);
  await ingestEach(kv(c), [writeA, writeB]);
  await ingestEach(root(e), [revokeByB, revokeByA]);
  await ingestEach(kv(e), [writeB, writeA]);

  // The revoke that comes first in (hlc, author, hash) order counts; the other is beyond its author's tip.
  const stamp = (s: Uint8Array) => {
    const signed = decodeSigned(s, { verify: false });
    return stampKey({ hash: signed.hash, author: signed.intention.author, hlc: signed.intention.timestamp });
  };
  const aWins = stamp(revokeByA) < stamp(revokeByB);
  const [winner, loser] = aWins ? [a, b] : [b, a];
  const [winRevoke, loseRevoke] = (aWins ? [revokeByA, revokeByB] : [revokeByB, revokeByA]).map((s) => decodeSigned(s, { verify: false }).hash);
  const [winWrite, loseWrite] = aWins ? [afterA, afterB] : [afterB, afterA];
  const all = [a, b, c, e];
  await waitFor('every node revokes the same member', () =>
    all.every((n) => resultOf(root(n), winRevoke!) === 0 && resultOf(root(n), loseRevoke!) === REJECTION.E_UNAUTHORIZED &&
      resultOf(kv(n), winWrite) === 0 && resultOf(kv(n), loseWrite) === REJECTION.E_UNAUTHORIZED));
  expectSame(all);
  for (const n of all) expect(statuses(n, [winner, loser, c, e])).toEqual(['active', 'revoked', 'active', 'active']);
  expect(hashesOf(kv(c), rejected)).toEqual([toHex(loseWrite)]);
});
