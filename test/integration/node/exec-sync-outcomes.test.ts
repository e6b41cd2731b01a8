// What `store exec` and `sync` tell their caller when the work did not happen: a write the store's module rejects
// at apply is an error with the rejection's code (it stays in the history, rejected), and a sync that reached no
// member lists who it could not reach. Real nodes on real LMDB, a real AssemblyScript module, the in-memory transport.
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../host/model/index.js';
import { buildModule } from '../../../host/node/module-build.js';
import { embeddedNode, typedError as failure, writeModule } from '../../helpers/embedded-node.js';
import { testNet } from '../../helpers/node-mesh.js';
import { meshWithStore } from '../../helpers/node-ops.js';

const counter = join(import.meta.dirname, '../../../modules/counter/assembly/index');

/** demo:counter's describe, command and query; an apply that rejects the key "bad" (code 7) and loops on "spin". */
function pickyCounter(dir: string): string {
  return writeModule(dir, `
import { input, state, Value, i64Bytes, i64Of, OK, bytesOf, bytesEqual } from "lattice-guest-sdk";
export { describe, command, query } from "${relative(join(dir, 'assembly'), counter)}";
export function apply(): i32 {
  const intention = input.intention();
  if (intention == null) return 1;
  const op = Value.decode(intention.app);
  if (op == null || !op.isList()) return 1;
  const items = op.asList();
  const key = items[0].asBytes();
  if (bytesEqual(key, bytesOf("bad"))) return 7;
  if (bytesEqual(key, bytesOf("spin"))) { let n: i64 = 0; while (n != -1) n += 2; return 0; }
  const current = state.get(key);
  state.set(key, i64Bytes((current != null ? i64Of(current) : 0) + items[1].asI64()));
  return OK;
}
`);
}

describe('store exec: the apply outcome of what it wrote', () => {
  const fixture = embeddedNode('exec-outcome', async (node, dir) => {
    const built = await buildModule(pickyCounter(join(dir, 'picky')), { write: false });
    await fixture.node.modulePublish(built.bytes, 'test:picky');
    await fixture.node.storeCreate('test:picky', 'p');
  });

  it('an applied write lists its outcome', async () => {
    const r = await fixture.node.storeExec('p', 'increment', ['ok', '2']);
    expect(r.outcomes).toEqual([{ hash: r.intentions[0], seq: expect.any(Number), result: 'applied', code: 0 }]);
    expect((await fixture.node.storeQuery('p', 'get', ['ok'])).result).toBe(2);
  });

  it("a write the module rejects is an error with the module's code; it stays in the history, rejected", async () => {
    const before = (await fixture.node.storeInfo('p')).stateHash;
    const e = await failure(fixture.node.storeExec('p', 'increment', ['bad']));
    expect(e.code).toBe('E_GUEST_REJECTED');
    expect(e.message).toMatch(/rejected\(7\)/);
    const outcomes = e.details['outcomes'] as { hash: string; result: string; code: number }[];
    expect(outcomes).toMatchObject([{ result: 'rejected(7)', code: 7 }]);
    const history = await fixture.node.storeHistory('p', {});
    expect(history.find((h) => h.hash === outcomes[0]!.hash)).toMatchObject({ result: 'rejected(7)' });
    expect((await fixture.node.storeInfo('p')).stateHash).toBe(before);
  });

  it('a write whose apply runs out of fuel is E_FUEL_EXHAUSTED, and the store keeps working', async () => {
    const e = await failure(fixture.node.storeExec('p', 'increment', ['spin']));
    expect(e.code).toBe('E_FUEL_EXHAUSTED');
    expect(e.details['intentions']).toHaveLength(1);
    await fixture.node.storeExec('p', 'increment', ['ok']);
    expect((await fixture.node.storeQuery('p', 'get', ['ok'])).result).toBe(3);
  });
});

describe('store and author prefixes', () => {
  const fixture = embeddedNode('prefixes', async (node) => {
    await fixture.node.storeCreate('demo:counter', 'clicks');
    await fixture.node.storeExec('clicks', 'increment', ['hits']);
  });

  it('a store id prefix of any length names the one store it matches', async () => {
    const id = (await fixture.node.storeInfo('clicks')).storeId;
    // every store a prefix may match: the listed ones and the mesh's root store
    const ids = [...(await fixture.node.storeList()).map((s) => s.storeId), ...(await fixture.node.status()).meshes.map((m) => m.rootStoreId)];
    let k = 1;
    while (ids.filter((x) => x.startsWith(id.slice(0, k))).length > 1) k++;
    expect((await fixture.node.storeInfo(id.slice(0, k))).storeId).toBe(id);
  });

  it('a store name is 1 to 128 characters, not blank, without control characters', async () => {
    for (const bad of ['', '   ', 'x'.repeat(129), 'a\nb']) expect((await failure(fixture.node.storeCreate('demo:counter', bad))).code).toBe('E_BAD_ARGUMENT');
    expect((await fixture.node.storeCreate('demo:counter', 'n'.repeat(128))).name).toBe('n'.repeat(128));
  });

  it('history --author takes the 12 characters history prints', async () => {
    const all = await fixture.node.storeHistory('clicks', {});
    const author = all[all.length - 1]!.author;
    const full = await fixture.node.storeHistory('clicks', { author });
    expect(full.length).toBeGreaterThan(0);
    expect(await fixture.node.storeHistory('clicks', { author: author.slice(0, 12) })).toEqual(full);
    expect(await fixture.node.storeHistory('clicks', { author: 'f'.repeat(12) === author.slice(0, 12) ? '0'.repeat(12) : 'f'.repeat(12) })).toEqual([]);
    expect((await failure(fixture.node.storeHistory('clicks', { author: 'not-hex' }))).code).toBe('E_BAD_ARGUMENT');
  });
});

describe('sync: the members it could not reach', () => {
  it('lists an unreachable member, and counts it no more once it is back', async () => {
    const net = testNet();
    const [a, b] = await meshWithStore(net, 2);
    net.network.partition([a!.key.publicKey], [b!.key.publicKey]);
    for (const c of a!.network!.transport.connections()) await c.close('test: cut');
    const cut = await a!.sync('kv');
    expect(cut.peers).toBe(0);
    expect(cut.unreachable).toEqual([expect.objectContaining({ nodeId: toHex(b!.key.publicKey), code: expect.stringMatching(/^E_/) })]);
    net.network.heal();
    const healed = await a!.sync('kv');
    expect(healed.peers).toBe(1);
    expect(healed.unreachable).toEqual([]);
  });

  it('a revoked node learns it from the members that close on it, also while another member is offline', async () => {
    const net = testNet();
    const [a, b, c] = await meshWithStore(net, 3);
    for (const n of [a!, b!, c!]) await n.sync();
    await a!.peerRevoke(toHex(c!.key.publicKey).slice(0, 12)); // the 12 characters ids are printed with
    await b!.sync();
    for (const conn of c!.network!.transport.connections()) await conn.close('test: reconnect');
    net.network.partition([b!.key.publicKey], [c!.key.publicKey]); // b is offline for c
    const r = await c!.sync('kv');
    expect(r.peers).toBe(0);
    const byNode = Object.fromEntries(r.unreachable.map((f) => [f.nodeId, f.code]));
    expect(byNode[toHex(a!.key.publicKey)]).toBe('E_UNAUTHORIZED');
    expect(byNode[toHex(b!.key.publicKey)]).toMatch(/^E_/);
  });
});
