// The bare Ed25519 verify bound that ingest and clone are compared with: verifies per second on a pool of 2 worker
// threads (the kernel's own VerifyPool) kept busy with two batches of 4096 in flight.
import { VerifyPool } from '../host/kernel/index.js';
import type { SignedIntention } from '../host/model/index.js';

/** Verifies per second over `forMs` (the batches are the first 8192 of `items`, or all of them if fewer). */
export async function poolBound(items: readonly SignedIntention[], forMs = 2000): Promise<number> {
  const a = items.slice(0, 4096);
  const b = items.slice(4096, 8192);
  const pool = new VerifyPool({ size: 2, threshold: 0 });
  await pool.verify(items.slice(0, 2048)); // start the workers
  const start = performance.now();
  let done = 0;
  while (performance.now() - start < forMs) {
    await Promise.all([pool.verify(a), pool.verify(b)]);
    done += a.length + b.length;
  }
  const rate = (done * 1000) / (performance.now() - start);
  await pool.close();
  return rate;
}
