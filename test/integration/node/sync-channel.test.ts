// Replication between real nodes over the in-memory transport (DESIGN §7): pushes, one symmetric sync session,
// three-node convergence, partitions that heal, and FetchChain gap recovery.
import { describe, expect, it } from 'vitest';
import type { Node } from '../../../host/node/node.js';
import { testNet, waitFor } from '../../helpers/node-mesh.js';
import { get, hashes, meshWithStore, puts } from '../../helpers/node-ops.js';

const ids = (nodes: Node[]) => nodes.map((n) => n.key.publicKey);
const seqOf = (n: Node, store = 'kv') => n.openedStore(n.resolveStore(store).storeId)!.seq;
const equal = (xs: string[]) => xs.every((x) => x === xs[0]);

describe('nodes over ChannelTransport', () => {
  it('two nodes: concurrent writes converge, and one sync call reconciles both directions', async () => {
    const net = testNet();
    const [a, b] = await meshWithStore(net, 2);
    // Cut them apart so nothing is pushed: each side writes what the other lacks.
    net.network.partition(ids([a!]), ids([b!]));
    await Promise.all([puts(a!, 'a', 15), puts(b!, 'b', 15)]);
    await a!.storeExec('kv', 'put', ['shared', 'from-a']);
    await b!.storeExec('kv', 'put', ['shared', 'from-b']);
    expect(await get(a!, 'b3')).toEqual([]);
    net.network.heal();

    const r = await a!.sync('kv');
    expect(r.peers).toBe(1);
    expect(r.sent).toBe(16);
    expect(r.received).toBe(16);
    // One session, started by a: b holds a's writes too, without b syncing.
    expect(equal(await hashes([a!, b!]))).toBe(true);
    expect(seqOf(a!)).toBe(seqOf(b!));
    expect(await get(b!, 'a14')).toEqual(['a-v14', false]);
    expect(await get(a!, 'b14')).toEqual(['b-v14', false]);
    // Both see the same winner of the concurrent writes of `shared`, and know it was contested.
    expect(await get(a!, 'shared')).toEqual(await get(b!, 'shared'));
    expect((await get(a!, 'shared'))[1]).toBe(true);
  });

  it('pushes a committed intention to connected peers at once', async () => {
    const net = testNet();
    const [a, b, c] = await meshWithStore(net, 3);
    await b!.network!.connectAll();
    await c!.network!.connectAll();
    await a!.storeExec('kv', 'put', ['pushed', 'yes']);
    await waitFor('b and c receive the push', async () => (await get(b!, 'pushed')).length > 0 && (await get(c!, 'pushed')).length > 0);
    expect(a!.network!.sync.metrics.pushed).toBeGreaterThanOrEqual(2);
  });

  it('three nodes: concurrent writes on every node converge', async () => {
    const net = testNet();
    const nodes = await meshWithStore(net, 3);
    await Promise.all(nodes.map((n, i) => puts(n, `k${i}-`, 10)));
    await Promise.all(nodes.map((n) => n.storeExec('kv', 'put', ['same', n.key.publicKey[0]!.toString()])));
    for (const n of nodes) await n.sync();
    await waitFor('three equal state hashes', async () => equal(await hashes(nodes)));
    expect(new Set(nodes.map((n) => seqOf(n))).size).toBe(1);
    for (const n of nodes) expect(await get(n, 'k2-9')).toEqual(['k2--v9', false]);
  });

  it('a partition heals: both sides keep writing, then converge', async () => {
    const net = testNet();
    const nodes = await meshWithStore(net, 3);
    const [a, b, c] = nodes as [Node, Node, Node];
    for (const n of nodes) await n.network!.connectAll();
    net.network.partition(ids([a]), ids([b, c]));
    await Promise.all([puts(a, 'left', 8), puts(b, 'right-b', 8), puts(c, 'right-c', 8)]);
    // Pushes crossed inside the right side only.
    await waitFor('c has b’s writes through pushes', async () => (await get(c, 'right-b7')).length > 0);
    expect(await get(a, 'right-b7')).toEqual([]);
    expect(await a.sync()).toMatchObject({ peers: 0 });
    net.network.heal();
    await a.sync();
    expect(equal(await hashes(nodes))).toBe(true);
    expect(await get(b, 'left7')).toEqual(['left-v7', false]);
  });

  it('a receiver missing storePrev recovers the gap with FetchChain from the pusher', async () => {
    const net = testNet();
    const [a, b] = await meshWithStore(net, 2);
    net.network.partition(ids([a!]), ids([b!]));
    await puts(a!, 'gap', 20); // b misses all of these
    net.network.heal();
    await b!.network!.connectAll();
    await a!.storeExec('kv', 'put', ['after', 'gap']); // pushed; its storePrev is unknown to b
    await waitFor('b recovers the chain', async () => (await get(b!, 'after')).length > 0);
    expect(await get(b!, 'gap0')).toEqual(['gap-v0', false]);
    expect(b!.network!.sync.metrics.gapRecoveries).toBeGreaterThanOrEqual(1);
    expect(equal(await hashes([a!, b!]))).toBe(true);
  });

  it('a daemon syncs both ways as soon as a peer connects', async () => {
    const net = testNet();
    const [a, b] = await meshWithStore(net, 2);
    const [aDir, bDir] = [a!.paths.dataDir, b!.paths.dataDir];
    await Promise.all([a!.close(), b!.close()]);
    const daemon = await net.reopen(aDir, { daemon: true });
    await puts(daemon, 'd', 3);
    const b2 = await net.reopen(bDir);
    await puts(b2, 'e', 3); // not connected: not pushed
    await b2.network!.connect(daemon.key.publicKey, daemon.reachableAddrs()); // no sync call on either side
    await waitFor('both hold both sides’ writes', async () => (await get(b2, 'd2')).length > 0 && (await get(daemon, 'e2')).length > 0);
    expect(equal(await hashes([daemon, b2]))).toBe(true);
  });
});
