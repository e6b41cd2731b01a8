// The module CAS on real LMDB: bytes by CID verified on every load (E_CID_MISMATCH), artifacts by (cid,
// instrumenter version, limits hash), a corrupt artifact re-derived rather than used.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { afterEach, describe, expect, it } from 'vitest';
import { blake3, DEFAULT_LIMITS, isLatticeError, type Cid } from '../../../host/model/index.js';
import { createRuntime, INSTRUMENTER_VERSION, limitsHash, ModuleCas, type CasTable } from '../../../host/runtime/index.js';
import { applyInput, MemoryState } from './helpers.js';
import { fixture } from './wat.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function lmdbTable(): { table: CasTable; db: RootDatabase<Uint8Array, Uint8Array> } {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-cas-'));
  const db = open<Uint8Array, Uint8Array>({ path: dir, keyEncoding: 'binary', encoding: 'binary' });
  cleanups.push(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, table: { get: (k) => db.getBinary(k) ?? undefined, put: async (k, v) => void (await db.put(k, v)) } };
}

describe('ModuleCas on LMDB', () => {
  it('stores by CID, loads verified, and a second runtime uses the stored artifact', async () => {
    const { table } = lmdbTable();
    const cas = new ModuleCas(table);
    const bytes = await fixture('hostile');
    const cid = await cas.putModule(bytes);
    expect(Buffer.from(cid).equals(Buffer.from(blake3(bytes)))).toBe(true);
    expect(Buffer.from(cas.getModule(cid)).equals(Buffer.from(bytes))).toBe(true);
    const first = createRuntime({ cas });
    const a = (await first.load(cid, DEFAULT_LIMITS)).apply(applyInput([0]), new MemoryState());
    expect(cas.getArtifact(cid, INSTRUMENTER_VERSION, limitsHash(DEFAULT_LIMITS))).toBeDefined();
    expect(cas.getArtifact(cid, INSTRUMENTER_VERSION, limitsHash({ ...DEFAULT_LIMITS, fuel: 7 }))).toBeUndefined();
    const second = createRuntime({ cas });
    const b = (await second.load(cid, DEFAULT_LIMITS)).apply(applyInput([0]), new MemoryState());
    expect(second.stats.instrumented).toBe(0);
    expect(b).toEqual(a);
  });

  it('flipped module bytes fail the load with E_CID_MISMATCH; an unknown CID is E_MODULE_NOT_FOUND', async () => {
    const { table, db } = lmdbTable();
    const cas = new ModuleCas(table);
    const bytes = await fixture('hostile');
    const cid = await cas.putModule(bytes);
    const flipped = bytes.slice();
    flipped[flipped.length - 1]! ^= 1;
    await db.put(Uint8Array.from([0x6d, ...cid]), flipped);
    expect(() => cas.getModule(cid)).toThrow(expect.objectContaining({ code: 'E_CID_MISMATCH' }));
    await expect(createRuntime({ cas }).load(cid, DEFAULT_LIMITS)).rejects.toMatchObject({ code: 'E_CID_MISMATCH' });
    try {
      cas.getModule(new Uint8Array(32).fill(7) as Cid);
      expect.unreachable();
    } catch (e) {
      expect(isLatticeError(e, 'E_MODULE_NOT_FOUND')).toBe(true);
    }
  });

  it('a corrupt stored artifact is not used: the runtime re-instruments from the verified bytes', async () => {
    const { table } = lmdbTable();
    const cas = new ModuleCas(table);
    const cid = await cas.putModule(await fixture('hostile'));
    const expected = (await createRuntime({ cas }).load(cid, DEFAULT_LIMITS)).apply(applyInput([0]), new MemoryState());
    const lh = limitsHash(DEFAULT_LIMITS);
    const good = cas.getArtifact(cid, INSTRUMENTER_VERSION, lh)!;
    const bad = new Uint8Array(good); // a copy: LMDB returns a Buffer, whose slice() is a view
    bad[bad.length - 3]! ^= 0xff;
    // bypass putArtifact's digest: store the flipped artifact under the good digest
    const key = Uint8Array.from([0x61, ...cid, ...lh, ...new TextEncoder().encode(INSTRUMENTER_VERSION)]);
    await table.put(key, Uint8Array.from([...blake3(good), ...bad]));
    expect(cas.getArtifact(cid, INSTRUMENTER_VERSION, lh)).toBeUndefined();
    const runtime = createRuntime({ cas });
    const out = (await runtime.load(cid, DEFAULT_LIMITS)).apply(applyInput([0]), new MemoryState());
    expect(runtime.stats.instrumented).toBe(1);
    expect(out).toEqual(expected);
  });
});
