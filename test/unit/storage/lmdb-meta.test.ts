// A damaged LMDB data file (empty, truncated, meta pages overwritten) is E_STORAGE_CORRUPT at open instead of a new
// empty environment or a SIGBUS; healthy files written by openStorage always pass. The meta layout is checked
// against real files.
import { closeSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isLatticeError } from '../../../host/model/index.js';
import { checkStorageFile, openStorage } from '../../../host/storage/index.js';
import { checkLmdbFile, META_READ_LEN } from '../../../host/storage/lmdb-meta.js';
import { tempDir } from '../../helpers/kernel-node.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** An environment with some rows in it, closed. */
async function written(rows = 3000): Promise<{ dir: string; file: string }> {
  const dir = tempDir('lattice-lmdb-meta-');
  dirs.push(dir);
  const env = openStorage(dir, { durable: false });
  for (let batch = 0; batch < 3; batch++) {
    env.transaction(() => {
      for (let i = 0; i < rows; i++) env.tables.state.putSync(Buffer.from(`b${batch}k${i}`), new Uint8Array(120).fill(i & 255));
    });
  }
  await env.close();
  return { dir, file: join(dir, 'data.mdb') };
}

const metaOf = (file: string) => {
  const bytes = readFileSync(file);
  return checkLmdbFile(bytes.length, (o) => bytes.subarray(o, o + META_READ_LEN));
};

const refusal = (dir: string): { code: string; message: string } => {
  try {
    openStorage(dir).close();
  } catch (e) {
    if (isLatticeError(e)) return e;
    throw e;
  }
  throw new Error('the damaged environment opened');
};

describe('LMDB meta check', () => {
  it('reads the page size, last page and txn id of a real environment', async () => {
    const { file } = await written();
    const before = metaOf(file);
    expect(before).toEqual({ meta: { pageSize: 4096, lastPage: statSync(file).size / 4096 - 1, txnid: expect.any(BigInt) } });
    const env = openStorage(join(file, '..'), { durable: false });
    env.transaction(() => env.tables.meta.putSync(Buffer.from('x'), Uint8Array.of(1)));
    await env.close();
    const after = metaOf(file) as { meta: { txnid: bigint } };
    expect(after.meta.txnid).toBe((before as { meta: { txnid: bigint } }).meta.txnid + 1n);
  });

  it('passes every healthy file, through inserts and deletes', async () => {
    const { dir, file } = await written(500);
    const env = openStorage(dir, { durable: false });
    for (let round = 0; round < 12; round++) {
      env.transaction(() => {
        for (let i = 0; i < 1500; i++) env.tables.state.putSync(Buffer.from(`r${round}k${i}`), new Uint8Array((i * 37) % 3000));
        for (let i = 0; i < 1500; i += round % 3 === 0 ? 1 : 2) env.tables.state.removeSync(Buffer.from(`r${round}k${i}`));
      });
      expect(metaOf(file)).toHaveProperty('meta');
    }
    await env.close();
    expect(() => checkStorageFile(dir)).not.toThrow();
    expect(() => checkStorageFile(join(dir, 'absent'))).not.toThrow(); // no file yet: a new environment
  });

  it('refuses an empty data.mdb instead of making it a new, empty environment', async () => {
    const { dir, file } = await written();
    writeFileSync(file, '');
    const err = refusal(dir);
    expect(err.code).toBe('E_STORAGE_CORRUPT');
    expect(err.message).toContain(`${file} is empty`);
  });

  it('refuses a truncated data.mdb, however short', async () => {
    const { dir, file } = await written();
    const size = statSync(file).size;
    for (const cut of [Math.floor(size / 2), size - 4096, 2 * 4096, 4096 + 100, 1000]) {
      truncateSync(file, cut);
      const err = refusal(dir);
      expect(err.code).toBe('E_STORAGE_CORRUPT');
      expect(err.message).toContain(file);
    }
  });

  it('refuses random bytes over either meta page, and a file that is not LMDB', async () => {
    const { dir, file } = await written();
    const original = readFileSync(file);
    for (const offset of [0, 4096]) {
      writeFileSync(file, original);
      const fd = openSync(file, 'r+');
      writeSync(fd, Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 97 + 13) & 255)), 0, 200, offset);
      closeSync(fd);
      expect(refusal(dir).code).toBe('E_STORAGE_CORRUPT');
    }
    writeFileSync(file, 'hello, not a database\n'.repeat(1000));
    expect(refusal(dir).message).toMatch(/not an LMDB file/);
    writeFileSync(file, original);
    const env = openStorage(dir);
    expect(env.tables.state.get(Buffer.from('b0k1'))).toEqual(Buffer.from(new Uint8Array(120).fill(1)));
    await env.close();
  });
});
