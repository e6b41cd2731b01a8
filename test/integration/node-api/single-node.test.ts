// One node through NodeApi, embedded, on real LMDB with the shipped Wasm modules: the path `lattice store …` takes.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModule } from '../../../host/node/module-build.js';
import { openNode } from '../../../host/node/node.js';
import { embeddedNode, typedError } from '../../helpers/embedded-node.js';

const fixture = embeddedNode('single', async (n) => {
  await n.storeCreate('demo:counter', 'clicks');
  await n.storeCreate('core:kvstore', 'notes');
});

const refusal = async (p: Promise<unknown>): Promise<string> => (await typedError(p)).code;

describe('single node', () => {
  it('counts through the Wasm counter', async () => {
    for (let i = 0; i < 3; i++) await fixture.node.storeExec('clicks', 'increment', ['hits']);
    await fixture.node.storeExec('clicks', 'increment', ['hits', '5']);
    await fixture.node.storeExec('clicks', 'decrement', ['hits', '2']);
    expect((await fixture.node.storeQuery('clicks', 'get', ['hits'])).result).toBe(6);
    expect((await fixture.node.storeQuery('clicks', 'get', ['nothing'])).result).toBe(0);
  });

  it('kv: a later put by the same author supersedes the earlier one (no conflict)', async () => {
    await fixture.node.storeExec('notes', 'put', ['alpha', 'one']);
    await fixture.node.storeExec('notes', 'put', ['alpha', 'two']);
    expect((await fixture.node.storeQuery('notes', 'get', ['alpha'])).result).toEqual(['two', false]);
    expect((await fixture.node.storeQuery('notes', 'heads', ['alpha'])).result).toHaveLength(1);
    await fixture.node.storeExec('notes', 'put', ['beta', 'three']);
    await fixture.node.storeExec('notes', 'delete', ['beta']);
    expect((await fixture.node.storeQuery('notes', 'get', ['beta'])).result).toEqual([]);
    const list = JSON.stringify((await fixture.node.storeQuery('notes', 'list', [])).result);
    expect(list).toContain('alpha');
    expect(list).not.toContain('beta');
  });

  it('keeps history, verifies, and rebuilds to the same state hash', async () => {
    const history = await fixture.node.storeHistory('notes', {});
    expect(history.length).toBeGreaterThanOrEqual(5);
    expect(history.every((e) => e.result === 'applied' && !Number.isNaN(Date.parse(e.time)))).toBe(true);
    // App ops of SDK modules are shown decoded; the genesis as its system op.
    expect(history.map((e) => e.op)).toContainEqual({ app: expect.anything() });
    expect(JSON.stringify(history.map((e) => e.op))).toContain('"alpha"');
    expect(history[0]!.op).toMatchObject({ system: { op: 'Genesis', storeType: 'core:kvstore' } });
    expect((await fixture.node.storeVerify('notes')).ok).toBe(true);
    const before = await fixture.node.storeInfo('clicks');
    const rebuilt = await fixture.node.storeRebuild('clicks');
    expect(rebuilt.stateHash).toBe(before.stateHash);
    expect(rebuilt.seq).toBe(before.seq);
  });

  it('resolves stores by name, id and unambiguous prefix', async () => {
    const info = await fixture.node.storeInfo('clicks');
    expect((await fixture.node.storeInfo(info.storeId)).storeId).toBe(info.storeId);
    expect((await fixture.node.storeInfo(info.storeId.slice(0, 12))).storeId).toBe(info.storeId);
    expect(await refusal(fixture.node.storeInfo('no-such-store'))).toBe('E_UNKNOWN_STORE');
  });

  it('refuses bad input with typed errors and loses nothing', async () => {
    const before = await fixture.node.storeInfo('clicks');
    expect(await refusal(fixture.node.storeExec('clicks', 'frobnicate', ['x']))).toBe('E_UNKNOWN_METHOD');
    expect(await refusal(fixture.node.storeExec('clicks', 'increment', []))).toBe('E_BAD_ARGUMENT');
    expect(await refusal(fixture.node.storeExec('clicks', 'increment', ['k', 'not-a-number']))).toBe('E_BAD_ARGUMENT');
    expect(await refusal(fixture.node.storeCreate('nope:missing'))).toBe('E_UNKNOWN_STORE_TYPE');
    expect(await refusal(fixture.node.storeCreate('demo:counter', 'clicks'))).toBe('E_STORE_EXISTS');
    expect(await refusal(fixture.node.modulePublish(new Uint8Array([0, 97, 115, 109]), 'acme:broken'))).toMatch(/^E_MODULE_/);
    const after = await fixture.node.storeInfo('clicks');
    expect(after.stateHash).toBe(before.stateHash);
    expect((await fixture.node.storeQuery('clicks', 'get', ['hits'])).result).toBe(6);
  });

  it('a replay check (module test --replay) stores nothing and publishes nothing', async () => {
    const fast = await buildModule(join(import.meta.dirname, '../../../modules/variants/counter-fast'), { write: false });
    const report = await fixture.node.moduleReplay('clicks', fast.bytes);
    expect(report).toMatchObject({ equivalent: true, firstDivergence: null });
    expect(report.intentions).toBeGreaterThan(0);
    expect(fixture.node.cas.hasModule(fast.cid)).toBe(false);
    expect((await fixture.node.moduleList()).map((m) => m.cid)).not.toContain(fast.cidText);
  });

  it('acts on the mesh it is told: a node in two meshes creates and lists stores in the one named', async () => {
    const first = (await fixture.node.status()).meshes[0]!.meshId;
    const second = await fixture.node.createMesh(); // now the default (the mesh joined last)
    const made = await fixture.node.storeCreate('demo:counter', 'in-first', first.slice(0, 10));
    expect(made.storeId).toBeTruthy();
    expect((await fixture.node.storeList(first)).map((s) => s.name)).toContain('in-first');
    expect((await fixture.node.storeList(second)).map((s) => s.name)).not.toContain('in-first');
    await fixture.node.storeCreate('demo:counter', 'in-second');
    expect((await fixture.node.storeList(second)).map((s) => s.name)).toEqual(['in-second']);
    expect(await refusal(fixture.node.storeCreate('demo:counter', 'x', 'ffffffff'))).toBe('E_NO_MESH');
  });

  it('state survives a close and reopen', async () => {
    const before = await fixture.node.storeInfo('notes');
    await fixture.reopen();
    const after = await fixture.node.storeInfo('notes');
    expect(after.stateHash).toBe(before.stateHash);
    expect((await fixture.node.storeQuery('notes', 'get', ['alpha'])).result).toEqual(['two', false]);
  });

  it('a second process on the same data dir is refused with the holder named', async () => {
    expect(await refusal(openNode({ dataDir: join(fixture.dir, 'n') }))).toBe('E_DATA_DIR_LOCKED');
  });
});
