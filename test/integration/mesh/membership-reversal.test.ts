// Membership is a function of the root store's ops but not a monotone one (docs/mesh.md "Membership as a function
// of the log"): a later op can make an intention a node already marked unauthorized valid again. Each test delivers
// the same ops, by direct ingest to nodes cut off from each other, in orders where some node marks an intention
// that a later op makes valid (the orders that used to disagree); every node then ends with the same witnessed,
// accepted and rejected sets and state hashes in the root store and the kv store.
import { expect, it } from 'vitest';
import { encodeSystemOp, type Store } from '../../../host/kernel/index.js';
import { decodeSigned, REJECTION, toHex, type Hash } from '../../../host/model/index.js';
import type { Node } from '../../../host/node/node.js';
import { stampKey } from '../../../host/node/root-ops.js';
import { testNet, waitFor } from '../../helpers/node-mesh.js';
import { expectSame, hashesOf, ingestEach, isolate, kv, rejected, resultOf, root, statuses, writeOf } from '../../helpers/mesh-outcomes.js';
import { meshWithStore } from '../../helpers/node-ops.js';

const hashOf = (s: Uint8Array): Hash => decodeSigned(s, { verify: false }).hash;
/** `author`'s intentions in `s`, ancestors first. */
const chainOf = (s: Store, author: Node): Uint8Array[] => s.history({ limit: 100_000, author: author.key.publicKey }).map((e) => s.getSigned(e.hash)!);

async function fourNodes() {
  const net = testNet();
  const nodes = (await meshWithStore(net, 4)) as [Node, Node, Node, Node];
  for (const n of nodes) await n.network!.connectAll();
  const tips = await Promise.all(nodes.map((n, i) => writeOf(n, `from-${i}`, 'valid')));
  await waitFor('every node holds every tip', () => nodes.every((n) => tips.every((t) => kv(n).isWitnessed(t))));
  return { net, nodes };
}

it('(a) mutual revokes: a node that gets the losing revoke, then the winner’s writes, then the winning revoke, clears the marks', { timeout: 240_000 }, async () => {
  const { net, nodes } = await fourNodes();
  const [a, b, c, e] = nodes;
  isolate(net, nodes);
  await a.peerRevoke(toHex(b.key.publicKey));
  await b.peerRevoke(toHex(a.key.publicKey));
  const revokeByA = chainOf(root(a), a).at(-1)!;
  const revokeByB = chainOf(root(b), b).at(-1)!;
  const writeA = kv(a).getSigned(await writeOf(a, 'after-a', 'x'))!;
  const writeB = kv(b).getSigned(await writeOf(b, 'after-b', 'y'))!;
  const stamp = (s: Uint8Array) => {
    const signed = decodeSigned(s, { verify: false });
    return stampKey({ hash: signed.hash, author: signed.intention.author, hlc: signed.intention.timestamp });
  };
  const aWins = stamp(revokeByA) < stamp(revokeByB);
  const [winner, loser] = aWins ? [a, b] : [b, a];
  const [winRevoke, loseRevoke] = aWins ? [revokeByA, revokeByB] : [revokeByB, revokeByA];
  const [winWrite, loseWrite] = aWins ? [writeA, writeB] : [writeB, writeA];

  // c: the losing revoke, the winner's write (beyond the tip the losing revoke names: marked), the winning revoke.
  await ingestEach(root(c), [loseRevoke]);
  await ingestEach(kv(c), [winWrite]);
  await waitFor('c marks the winner’s write', () => resultOf(kv(c), hashOf(winWrite)) === REJECTION.E_UNAUTHORIZED);
  await ingestEach(root(c), [winRevoke]);
  await ingestEach(kv(c), [loseWrite]);
  // The loser (its own revoke counts until the winning one lands) gets the winner's write before its revoke.
  await ingestEach(kv(loser), [winWrite]);
  await waitFor('the loser marks the winner’s write', () => resultOf(kv(loser), hashOf(winWrite)) === REJECTION.E_UNAUTHORIZED);
  await ingestEach(root(loser), [winRevoke]);
  // The winner and e: the revokes first, winning one first, then the writes.
  await ingestEach(root(winner), [loseRevoke]);
  await ingestEach(kv(winner), [loseWrite]);
  await ingestEach(root(e), [winRevoke, loseRevoke]);
  await ingestEach(kv(e), [winWrite, loseWrite]);

  await waitFor('every node accepts the winner’s write and rejects the loser’s', () =>
    nodes.every((n) => resultOf(kv(n), hashOf(winWrite)) === 0 && resultOf(kv(n), hashOf(loseWrite)) === REJECTION.E_UNAUTHORIZED &&
      resultOf(root(n), hashOf(winRevoke)) === 0 && resultOf(root(n), hashOf(loseRevoke)) === REJECTION.E_UNAUTHORIZED));
  expectSame(nodes);
  for (const n of nodes) expect(statuses(n, [winner, loser, c, e])).toEqual(['active', 'revoked', 'active', 'active']);
  expect(hashesOf(kv(c), rejected)).toEqual([toHex(hashOf(loseWrite))]);
});

it('(b) a revoke that stops counting when a revoke of its author, made before it, arrives later: what it rejected is accepted again', { timeout: 240_000 }, async () => {
  const { net, nodes } = await fourNodes();
  const [a, b, c, e] = nodes;
  isolate(net, nodes);
  // a revokes b; b, not knowing, revokes c (beyond the tip a's revoke names for b); c writes afterwards.
  await a.peerRevoke(toHex(b.key.publicKey));
  await b.peerRevoke(toHex(c.key.publicKey));
  const revokeOfB = chainOf(root(a), a).at(-1)!;
  const revokeOfC = chainOf(root(b), b).at(-1)!;
  const writeC = kv(c).getSigned(await writeOf(c, 'after-c', 'z'))!;

  // e and b: b's revoke of c, then c's write (marked), then a's revoke of b. c: b's revoke (its own write gets
  // marked), then a's. a: its own revoke first, so b's is rejected on arrival and c's write accepted.
  await ingestEach(root(e), [revokeOfC]);
  await ingestEach(kv(e), [writeC]);
  await ingestEach(kv(b), [writeC]);
  await ingestEach(root(c), [revokeOfC]);
  await waitFor('e, b and c mark c’s write', () => [e, b, c].every((n) => resultOf(kv(n), hashOf(writeC)) === REJECTION.E_UNAUTHORIZED));
  for (const n of [e, b, c]) await ingestEach(root(n), [revokeOfB]);
  await ingestEach(root(a), [revokeOfC]);
  await ingestEach(kv(a), [writeC]);

  await waitFor('every node accepts c’s write and rejects b’s revoke', () =>
    nodes.every((n) => resultOf(kv(n), hashOf(writeC)) === 0 && resultOf(root(n), hashOf(revokeOfC)) === REJECTION.E_UNAUTHORIZED &&
      resultOf(root(n), hashOf(revokeOfB)) === 0));
  expectSame(nodes);
  for (const n of nodes) expect(statuses(n, [a, b, c, e])).toEqual(['active', 'revoked', 'active', 'active']);
  expect(hashesOf(kv(a), rejected)).toEqual([]);
});

it('(c) a node rejected (added beyond its inviter’s tip) and later added validly: its writes marked meanwhile are accepted', { timeout: 240_000 }, async () => {
  const { net, nodes } = await fourNodes();
  const [a, b, e, c] = nodes;
  // c invites d while cut off from everyone but d; a revokes c, naming tips before the invite.
  const d = await net.node('d');
  const [pa, pb, pe, pc, pd] = [a, b, e, c, d].map((n) => n.key.publicKey);
  net.network.partition([pa!], [pb!, pe!, pc!, pd!]);
  net.network.partition([pb!], [pe!, pc!, pd!]);
  net.network.partition([pe!], [pc!, pd!]);
  const before = new Set(chainOf(root(c), c).map((s) => toHex(hashOf(s))));
  const { token } = await c.peerInvite({});
  await d.peerJoin(token);
  const writeD = kv(d).getSigned(await writeOf(d, 'from-d', 'x'))!;
  const cRootOps = chainOf(root(c), c).filter((s) => !before.has(toHex(hashOf(s))));
  expect(cRootOps.length).toBe(3); // InviteCreate, PeerAdd, InviteConsume
  await a.peerRevoke(toHex(c.key.publicKey));
  const revokeOfC = chainOf(root(a), a).at(-1)!;

  // a: c's ops and d's write (rejected: d's only add is beyond c's tip), then a adds d validly.
  await ingestEach(root(a), cRootOps);
  await ingestEach(kv(a), [writeD]);
  await waitFor('a marks d’s write', () => resultOf(kv(a), hashOf(writeD)) === REJECTION.E_UNAUTHORIZED);
  await root(a).submit(encodeSystemOp({ op: 'PeerAdd', node: d.key.publicKey }));
  const addD = chainOf(root(a), a).at(-1)!;
  // b: c's ops and d's write first (applied), then the revoke (marked), then a's add. e: a's add first (it floats
  // on the revoke), c's ops, d's write, then the revoke.
  await ingestEach(root(b), cRootOps);
  await ingestEach(kv(b), [writeD]);
  await waitFor('b applies d’s write', () => resultOf(kv(b), hashOf(writeD)) === 0);
  await ingestEach(root(b), [revokeOfC]);
  await waitFor('b marks d’s write', () => resultOf(kv(b), hashOf(writeD)) === REJECTION.E_UNAUTHORIZED);
  await ingestEach(root(b), [addD]);
  await ingestEach(root(e), [addD]);
  await ingestEach(root(e), cRootOps);
  await ingestEach(kv(e), [writeD]);
  await ingestEach(root(e), [revokeOfC]);

  const trio = [a, b, e];
  await waitFor('every node accepts d’s write and rejects c’s ops beyond its tip', () =>
    trio.every((n) => resultOf(kv(n), hashOf(writeD)) === 0 && resultOf(root(n), hashOf(addD)) === 0 &&
      cRootOps.every((s) => resultOf(root(n), hashOf(s)) === REJECTION.E_UNAUTHORIZED)));
  expectSame(trio);
  for (const n of trio) expect(statuses(n, [a, b, e, c, d])).toEqual(['active', 'active', 'active', 'revoked', 'active']);
  expect(hashesOf(kv(a), rejected)).toEqual([]);
});

it('(d) a cycle of three revokes: the one the tie-break leaves out is marked behind its author’s later valid ops, and the marks set meanwhile are cleared', { timeout: 240_000 }, async () => {
  const { net, nodes } = await fourNodes();
  const [a, b, c, e] = nodes;
  isolate(net, nodes);
  // a revokes b, b revokes c, c revokes a, each naming the tips it has seen (none of the other revokes).
  await a.peerRevoke(toHex(b.key.publicKey));
  await b.peerRevoke(toHex(c.key.publicKey));
  await c.peerRevoke(toHex(a.key.publicKey));
  const revokes = new Map([a, b, c].map((n) => [n, chainOf(root(n), n).at(-1)!]));
  const stamp = (s: Uint8Array) => {
    const signed = decodeSigned(s, { verify: false });
    return stampKey({ hash: signed.hash, author: signed.intention.author, hlc: signed.intention.timestamp });
  };
  // The first in canonical order (by x, of z) counts; the revoke of x (by y) is left out by the tie-break though no
  // counting revoke excludes it (y stays a member); z's revoke of y is beyond z's tip.
  const ring = new Map([[a, [b, c]], [b, [c, a]], [c, [a, b]]] as const); // author → [whom it revokes, who revokes it]
  const x = [a, b, c].sort((p, q) => (stamp(revokes.get(p)!) < stamp(revokes.get(q)!) ? -1 : 1))[0]!;
  const [z, y] = ring.get(x)!;
  const [rx, ry, rz] = [x, y, z].map((n) => revokes.get(n)!) as [Uint8Array, Uint8Array, Uint8Array];
  // y and z write after their revokes: y to the root store (an invite) and the kv store, z to the kv store.
  await y.peerInvite({});
  const laterY = chainOf(root(y), y).at(-1)!;
  const writeY = kv(y).getSigned(await writeOf(y, 'after-y', 'y'))!;
  const writeZ = kv(z).getSigned(await writeOf(z, 'after-z', 'z'))!;

  // e: y's revoke and later ops first (they apply), z's write, then x's revoke (rejected on arrival: y's revoke
  // excludes it so far), then z's revoke, which closes the cycle.
  await ingestEach(root(e), [ry, laterY]);
  await ingestEach(kv(e), [writeY, writeZ]);
  await ingestEach(root(e), [rx]);
  await waitFor('e rejects x’s revoke on arrival', () => resultOf(root(e), hashOf(rx)) === REJECTION.E_UNAUTHORIZED);
  await ingestEach(root(e), [rz]);
  await ingestEach(root(x), [ry, laterY, rz]);
  await ingestEach(kv(x), [writeY, writeZ]);
  await ingestEach(root(y), [rx, rz]);
  await ingestEach(kv(y), [writeZ]);
  await ingestEach(root(z), [ry, laterY, rx]);
  await ingestEach(kv(z), [writeY]);

  await waitFor('every node counts x’s revoke only, and accepts y’s later ops', () =>
    nodes.every((n) => resultOf(root(n), hashOf(rx)) === 0 && resultOf(root(n), hashOf(ry)) === REJECTION.E_UNAUTHORIZED &&
      resultOf(root(n), hashOf(rz)) === REJECTION.E_UNAUTHORIZED && resultOf(root(n), hashOf(laterY)) === 0 &&
      resultOf(kv(n), hashOf(writeY)) === 0 && resultOf(kv(n), hashOf(writeZ)) === REJECTION.E_UNAUTHORIZED));
  expectSame(nodes);
  for (const n of nodes) expect(statuses(n, [x, y, z, e])).toEqual(['active', 'active', 'revoked', 'active']);
});
