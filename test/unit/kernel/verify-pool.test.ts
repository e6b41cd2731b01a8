// The verify pool when its workers fail: a worker that dies (crash, its file missing from a build) must neither
// hang the batch it held nor the ones after it; the answers stay the same (verified on the calling thread, then on
// fresh workers).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { VerifyPool } from '../../../host/kernel/index.js';
import { NodeKey, signIntention, ZERO_HASH, type SignedIntention, type StoreId } from '../../../host/model/index.js';
import { ensureCliBuilt, ROOT } from '../../helpers/cli-run.js';

function batch(n: number): { items: SignedIntention[]; want: boolean[] } {
  const key = NodeKey.fromSeed(new Uint8Array(32).fill(9));
  const items = Array.from({ length: n }, (_, i) => signIntention(key, {
    author: key.publicKey, timestamp: { wallMs: 1_700_000_000_000 + i, counter: 0 }, storeId: new Uint8Array(16) as StoreId,
    storePrev: ZERO_HASH, condition: [], ops: Uint8Array.of(0, i & 0xff),
  }));
  // every 7th signature broken
  const want = items.map((_, i) => i % 7 !== 3);
  for (const [i, s] of items.entries()) if (!want[i]) s.signature[0]! ^= 1;
  return { items, want };
}

const workersOf = (pool: VerifyPool): { terminate(): Promise<number> }[] => (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers;

it('a worker that dies under a batch: that batch and the next get the right answers, none hangs', async () => {
  const pool = new VerifyPool({ size: 2, threshold: 8 });
  try {
    const { items, want } = batch(256);
    expect(await pool.verify(items)).toEqual(want); // workers started
    const pending = pool.verify(items);
    await workersOf(pool)[0]!.terminate();
    expect(await pending).toEqual(want);
    expect(await pool.verify(items)).toEqual(want);
    expect(workersOf(pool)).toHaveLength(2); // fresh ones
  } finally {
    await pool.close();
  }
});

it('the build puts every plain .mjs of the host beside the compiled code (the verify worker is loaded by URL)', async () => {
  await ensureCliBuilt();
  const mjs = readdirSync(join(ROOT, 'host'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mjs'));
  expect(mjs).toContain(join('kernel', 'verify-worker.mjs'));
  const built = new Set(readdirSync(join(ROOT, 'dist', 'host'), { recursive: true, encoding: 'utf8' }));
  for (const f of mjs) expect(built.has(f), `dist/host/${f}`).toBe(true);
});
