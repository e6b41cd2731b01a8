import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openStorage, prefixEnd, seqKey, seqOfKey, storeKey } from '../../../host/storage/index.js';
import { tempDir } from '../../helpers/kernel-node.js';

describe('storage', () => {
  it('orders seq keys numerically and scans a store as one range', async () => {
    const dir = tempDir('lattice-storage-');
    const env = openStorage(dir);
    try {
      const a = new Uint8Array(16).fill(1) as never;
      const b = new Uint8Array(16).fill(2) as never;
      env.transaction(() => {
        for (const seq of [1, 2, 255, 256, 70_000, 2 ** 40]) env.tables.witnessLog.putSync(seqKey(a, seq), Uint8Array.of(seq & 0xff));
        env.tables.witnessLog.putSync(seqKey(b, 3), Uint8Array.of(0));
      });
      const seqs = [...env.tables.witnessLog.getKeys({ start: storeKey(a), end: prefixEnd(storeKey(a)) })].map((k) => seqOfKey(k as Uint8Array));
      expect(seqs).toEqual([1, 2, 255, 256, 70_000, 2 ** 40]);
      expect(() => env.transaction(() => { env.tables.meta.putSync(Buffer.from([1]), Uint8Array.of(1)); throw new Error('abort'); })).toThrow('abort');
      expect(env.tables.meta.get(Buffer.from([1]))).toBeUndefined(); // all of a transaction or none of it
      expect(prefixEnd(Uint8Array.of(1, 0xff))).toEqual(Buffer.from([2]));
    } finally {
      await env.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
