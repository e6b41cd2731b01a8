// One node through NodeApi, embedded, on real LMDB with the shipped Wasm modules: the path `lattice store …` takes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLatticeError } from '../../../host/model/index.js';
import { buildModule } from '../../../host/node/module-build.js';
import { initNode, openNode, type Node } from '../../../host/node/node.js';

let dir: string;
let node: Node;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lattice-single-'));
  await initNode(join(dir, 'n'));
  node = await openNode({ dataDir: join(dir, 'n') });
  await node.storeCreate('demo:counter', 'clicks');
  await node.storeCreate('core:kvstore', 'notes');
});

afterAll(async () => {
  await node?.close();
  rmSync(dir, { recursive: true, force: true });
});

const refusal = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    if (isLatticeError(e)) return e.code;
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('single node', () => {
  it('counts through the Wasm counter', async () => {
    for (let i = 0; i < 3; i++) await node.storeExec('clicks', 'increment', ['hits']);
    await node.storeExec('clicks', 'increment', ['hits', '5']);
    await node.storeExec('clicks', 'decrement', ['hits', '2']);
    expect((await node.storeQuery('clicks', 'get', ['hits'])).result).toBe(6);
    expect((await node.storeQuery('clicks', 'get', ['nothing'])).result).toBe(0);
  });

  it('kv: a later put by the same author supersedes the earlier one (no conflict)', async () => {
    await node.storeExec('notes', 'put', ['alpha', 'one']);
    await node.storeExec('notes', 'put', ['alpha', 'two']);
    expect((await node.storeQuery('notes', 'get', ['alpha'])).result).toEqual(['two', false]);
    expect((await node.storeQuery('notes', 'heads', ['alpha'])).result).toHaveLength(1);
    await node.storeExec('notes', 'put', ['beta', 'three']);
    await node.storeExec('notes', 'delete', ['beta']);
    expect((await node.storeQuery('notes', 'get', ['beta'])).result).toEqual([]);
    const list = JSON.stringify((await node.storeQuery('notes', 'list', [])).result);
    expect(list).toContain('alpha');
    expect(list).not.toContain('beta');
  });

  it('keeps history, verifies, and rebuilds to the same state hash', async () => {
    const history = await node.storeHistory('notes', {});
    expect(history.length).toBeGreaterThanOrEqual(5);
    expect(history.every((e) => e.result === 'applied' && !Number.isNaN(Date.parse(e.time)))).toBe(true);
    // App ops of SDK modules are shown decoded; the genesis as its system op.
    expect(history.map((e) => e.op)).toContainEqual({ app: expect.anything() });
    expect(JSON.stringify(history.map((e) => e.op))).toContain('"alpha"');
    expect(history[0]!.op).toMatchObject({ system: { op: 'Genesis', storeType: 'core:kvstore' } });
    expect((await node.storeVerify('notes')).ok).toBe(true);
    const before = await node.storeInfo('clicks');
    const rebuilt = await node.storeRebuild('clicks');
    expect(rebuilt.stateHash).toBe(before.stateHash);
    expect(rebuilt.seq).toBe(before.seq);
  });

  it('resolves stores by name, id and unambiguous prefix', async () => {
    const info = await node.storeInfo('clicks');
    expect((await node.storeInfo(info.storeId)).storeId).toBe(info.storeId);
    expect((await node.storeInfo(info.storeId.slice(0, 12))).storeId).toBe(info.storeId);
    expect(await refusal(node.storeInfo('no-such-store'))).toBe('E_UNKNOWN_STORE');
  });

  it('refuses bad input with typed errors and loses nothing', async () => {
    const before = await node.storeInfo('clicks');
    expect(await refusal(node.storeExec('clicks', 'frobnicate', ['x']))).toBe('E_UNKNOWN_METHOD');
    expect(await refusal(node.storeExec('clicks', 'increment', []))).toBe('E_BAD_ARGUMENT');
    expect(await refusal(node.storeExec('clicks', 'increment', ['k', 'not-a-number']))).toBe('E_BAD_ARGUMENT');
    expect(await refusal(node.storeCreate('nope:missing'))).toBe('E_UNKNOWN_STORE_TYPE');
    expect(await refusal(node.storeCreate('demo:counter', 'clicks'))).toBe('E_STORE_EXISTS');
    expect(await refusal(node.modulePublish(new Uint8Array([0, 97, 115, 109]), 'acme:broken'))).toMatch(/^E_MODULE_/);
    const after = await node.storeInfo('clicks');
    expect(after.stateHash).toBe(before.stateHash);
    expect((await node.storeQuery('clicks', 'get', ['hits'])).result).toBe(6);
  });

  it('a replay check (module test --replay) stores nothing and publishes nothing', async () => {
    const fast = await buildModule(join(import.meta.dirname, '../../../modules/variants/counter-fast'), { write: false });
    const report = await node.moduleReplay('clicks', fast.bytes);
    expect(report).toMatchObject({ equivalent: true, firstDivergence: null });
    expect(report.intentions).toBeGreaterThan(0);
    expect(node.cas.hasModule(fast.cid)).toBe(false);
    expect((await node.moduleList()).map((m) => m.cid)).not.toContain(fast.cidText);
  });

  it('acts on the mesh it is told: a node in two meshes creates and lists stores in the one named', async () => {
    const first = (await node.status()).meshes[0]!.meshId;
    const second = await node.createMesh(); // now the default (the mesh joined last)
    const made = await node.storeCreate('demo:counter', 'in-first', first.slice(0, 10));
    expect(made.storeId).toBeTruthy();
    expect((await node.storeList(first)).map((s) => s.name)).toContain('in-first');
    expect((await node.storeList(second)).map((s) => s.name)).not.toContain('in-first');
    await node.storeCreate('demo:counter', 'in-second');
    expect((await node.storeList(second)).map((s) => s.name)).toEqual(['in-second']);
    expect(await refusal(node.storeCreate('demo:counter', 'x', 'ffffffff'))).toBe('E_NO_MESH');
  });

  it('state survives a close and reopen', async () => {
    const before = await node.storeInfo('notes');
    await node.close();
    node = await openNode({ dataDir: join(dir, 'n') });
    const after = await node.storeInfo('notes');
    expect(after.stateHash).toBe(before.stateHash);
    expect((await node.storeQuery('notes', 'get', ['alpha'])).result).toEqual(['two', false]);
  });

  it('a second process on the same data dir is refused with the holder named', async () => {
    expect(await refusal(openNode({ dataDir: join(dir, 'n') }))).toBe('E_DATA_DIR_LOCKED');
  });
});
