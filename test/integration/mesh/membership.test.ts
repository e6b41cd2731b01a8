// Mesh membership end to end over the in-memory transport (DESIGN §6): three nodes join by invite and see the
// store and its data; a revoked node's later writes and its sync are refused while the others keep converging;
// a node that joins after the revoke accepts the revoked node's writes up to its last valid tip and none after
// (they are witnessed as rejected, E_UNAUTHORIZED, on every node).
import { expect, it } from 'vitest';
import { fromHex, REJECTION, toHex, type Hash } from '../../../host/model/index.js';
import type { Node } from '../../../host/node/node.js';
import { testNet, waitFor } from '../../helpers/node-mesh.js';
import { get, hashes, meshWithStore, puts } from '../../helpers/node-ops.js';

const kv = (n: Node) => n.openedStore(n.resolveStore('kv').storeId)!;
const signedOf = (n: Node, hashHex: string) => kv(n).getSigned(fromHex(hashHex, 32) as Hash)!;
const resultOf = (n: Node, hash: Hash) => kv(n).history({ limit: 100_000 }).find((e) => toHex(e.hash) === toHex(hash))?.result;

it('three nodes: join and see the data; a revoked node is refused; a later joiner keeps its writes up to the tip', { timeout: 90_000 }, async () => {
  const net = testNet();
  const [a, b, c] = (await meshWithStore(net, 3)) as [Node, Node, Node];
  await a.storeExec('kv', 'put', ['from-a', '1']);
  for (const n of [b, c]) {
    await n.sync();
    expect(await get(n, 'from-a')).toEqual(['1', false]);
    expect((await n.peerList()).filter((p) => p.status === 'active')).toHaveLength(3);
  }

  // c writes before the revoke, and a holds it: that is c's last valid tip.
  const before = await c.storeExec('kv', 'put', ['from-c', 'valid']);
  await a.sync();
  expect(await get(a, 'from-c')).toEqual(['valid', false]);
  const revoked = await a.peerRevoke(toHex(c.key.publicKey));
  expect(revoked.ok).toBe(true);
  await b.sync();
  expect((await b.peerList()).find((p) => p.nodeId === toHex(c.key.publicKey))?.status).toBe('revoked');

  // c's new write: rejected by a and b, whoever relays it (witnessed as rejected, E_UNAUTHORIZED); their state does
  // not move.
  const after = await c.storeExec('kv', 'put', ['from-c', 'too-late']);
  const afterHash = fromHex(after.intentions[0]!, 32) as Hash;
  for (const n of [a, b]) {
    const hashBefore = (await n.storeInfo('kv')).stateHash;
    const report = await kv(n).ingest([signedOf(c, after.intentions[0]!)]);
    expect(report.rejected).toBe(1);
    expect(report.errors[0]!.error.code).toBe('E_UNAUTHORIZED');
    expect(kv(n).isWitnessed(afterHash)).toBe(true);
    expect(resultOf(n, afterHash)).toBe(REJECTION.E_UNAUTHORIZED);
    expect((await n.storeInfo('kv')).stateHash).toBe(hashBefore);
    expect(await get(n, 'from-c')).toEqual(['valid', false]);
  }

  // c's sync is refused: a and b close its connections and refuse new ones, so nothing of c's after the tip lands.
  await waitFor('a and b drop the revoked node', () => !a.network!.isConnected(toHex(c.key.publicKey)) && !b.network!.isConnected(toHex(c.key.publicKey)));
  expect((await c.sync()).peers).toBe(0);
  await expect(c.network!.connect(a.key.publicKey, a.reachableAddrs())).rejects.toMatchObject({ code: 'E_PEER_UNREACHABLE' });
  expect(await get(a, 'from-c')).toEqual(['valid', false]);
  expect(await get(b, 'from-c')).toEqual(['valid', false]);

  // a and b keep converging.
  await Promise.all([puts(a, 'a-post', 5), puts(b, 'b-post', 5)]);
  await a.sync();
  const [ha, hb] = await hashes([a, b]);
  expect(ha).toBe(hb);
  expect(await get(b, 'a-post4')).toEqual(['a-post-v4', false]);

  // d joins after the revoke: it clones c's valid write and refuses the one after the tip.
  const d = await net.node('d');
  const { token } = await b.peerInvite({});
  await d.peerJoin(token);
  expect(await get(d, 'from-c')).toEqual(['valid', false]);
  expect(kv(d).isWitnessed(fromHex(before.intentions[0]!, 32) as Hash)).toBe(true);
  // d cloned c's write after the tip from b's log and witnessed it as rejected; offered again, it is a duplicate.
  expect(resultOf(d, afterHash)).toBe(REJECTION.E_UNAUTHORIZED);
  const late = await kv(d).ingest([signedOf(c, after.intentions[0]!)]);
  expect(late.duplicates).toBe(1);
  expect(await get(d, 'from-c')).toEqual(['valid', false]);
  await d.sync();
  expect((await hashes([a, b, d])).every((h) => h === ha)).toBe(true);
});

it('a revoke racing a revoked node’s write, delivered in both orders, ends in the same state on both nodes', { timeout: 90_000 }, async () => {
  const net = testNet();
  const [a, b, c] = (await meshWithStore(net, 3)) as [Node, Node, Node];
  for (const n of [a, b, c]) await n.network!.connectAll();
  const tip = await c.storeExec('kv', 'put', ['from-c', 'valid']);
  await waitFor('a and b hold c’s tip', () => [a, b].every((n) => kv(n).isWitnessed(fromHex(tip.intentions[0]!, 32) as Hash)));

  // b gets c's next write before the revoke; a gets the revoke first (it makes it) and the write afterwards.
  net.network.partition([a.key.publicKey], [c.key.publicKey]);
  const raced = await c.storeExec('kv', 'put', ['from-c', 'raced']);
  const racedHash = fromHex(raced.intentions[0]!, 32) as Hash;
  await waitFor('b applies the raced write', async () => (await get(b, 'from-c'))[0] === 'raced');
  net.network.partition([b.key.publicKey], [c.key.publicKey]);
  await a.peerRevoke(toHex(c.key.publicKey)); // names `tip`: a never saw the raced write
  await waitFor('the revoke reaches b and b re-projects', async () => (await get(b, 'from-c'))[0] === 'valid');
  net.network.heal();
  await b.sync(); // b offers the raced write to a, which witnesses it as rejected (the revoke came first there)
  expect(kv(a).isWitnessed(racedHash)).toBe(true);

  // Same state, same log: the raced write is witnessed and rejected on both.
  expect((await a.storeInfo('kv')).stateHash).toBe((await b.storeInfo('kv')).stateHash);
  expect(await get(a, 'from-c')).toEqual(['valid', false]);
  for (const n of [a, b]) expect(resultOf(n, racedHash)).toBe(REJECTION.E_UNAUTHORIZED);
  const all = (n: Node) => kv(n).history({ limit: 100_000 }).map((e) => toHex(e.hash)).sort();
  const accepted = (n: Node) => kv(n).history({ limit: 100_000 }).filter((e) => e.result === 0).map((e) => toHex(e.hash)).sort();
  expect(all(a)).toEqual(all(b));
  expect(accepted(a)).toEqual(accepted(b));
});
