// The floor under the kernel's ingest cost (DESIGN §3, §9): what every remote intention costs before any kernel
// logic runs, measured on the same machine in the same run as the verify bound.
// - storage: the rows the kernel writes per witnessed intention (intention by hash, chain link, witness record,
//   witness index entry, one state pair, projection record) and the presence reads it makes, through the kernel's own
//   storage layer (openStorage, transactionAsync: one fsync'd transaction per batch of 1024), with no kernel code;
// - hashing: decoding a signed intention (strict msgpack and the BLAKE3 that is its id) and the three other BLAKE3s
//   of a witnessed one (witness record hash, state hash term, writes digest).
// With verification on two cores and everything else perfectly parallel, ingest can reach at most
// verify CPU / (verify CPU + the rest) of the verify-only bound: these floors bound "the rest" from below.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blake3, decodeSigned, type StoreId } from '../host/model/index.js';
import { KeyScratch, openStorage } from '../host/storage/index.js';

const BATCH = 1024;

/** CPU µs per intention (all threads) of the storage rows alone, over `count` intentions with random hashes. */
export async function storageFloor(count: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-bench-floor-'));
  const env = openStorage(dir, { mapSize: 4 * 1024 ** 3 });
  const t = env.tables;
  const storeId = new Uint8Array(randomBytes(16)) as StoreId;
  const hashes = Array.from({ length: count }, () => new Uint8Array(randomBytes(32)));
  const signedBytes = randomBytes(212); // a counter intention's SignedIntention encoding is 212 bytes
  const link = randomBytes(32);
  const record = randomBytes(72);
  const entry = randomBytes(89);
  const value = randomBytes(8);
  const projection = randomBytes(100);
  // The kernel's reusable keys (KeyScratch): no Buffer per key.
  const hashKeys = new KeyScratch(storeId, 48);
  const linkKeys = new KeyScratch(storeId, 80);
  const seqKeys = new KeyScratch(storeId, 24);
  const stateKeys = new KeyScratch(storeId, 17 + 6);
  const stateNames = Array.from({ length: 64 }, (_, k) => Uint8Array.of(0, ...Buffer.from(`key-${k}`.padEnd(6))));
  const cpu0 = process.cpuUsage();
  for (let start = 0; start < count; start += BATCH) {
    await env.transactionAsync(() => {
      for (let i = start; i < Math.min(count, start + BATCH); i++) {
        const h = hashes[i]!;
        // "already have it" (witnessed, floating, evidence), asked once when preparing and once inside the batch
        for (let k = 0; k < 2; k++) {
          t.witnessIndex.getBinaryFast(hashKeys.of(h));
          t.floating.getBinaryFast(hashKeys.of(h));
          t.evidence.getBinaryFast(hashKeys.of(h));
        }
        const prev = hashes[(i * 7) % count]!; // author ‖ storePrev
        t.chainLinks.getBinaryFast(linkKeys.of(link, prev));
        t.intentions.putSync(h, signedBytes);
        t.chainLinks.putSync(linkKeys.of(link, prev), h);
        t.witnessLog.putSync(seqKeys.seq(i + 1), record);
        t.witnessIndex.putSync(hashKeys.of(h), entry);
        const name = stateNames[i % 64]!;
        t.state.getBinaryFast(stateKeys.of(name));
        t.state.putSync(stateKeys.of(name), value);
        t.projection.putSync(seqKeys.seq(i + 1), projection);
      }
    });
  }
  const cpu = process.cpuUsage(cpu0);
  await env.close();
  rmSync(dir, { recursive: true, force: true });
  return (cpu.user + cpu.system) / count;
}

/** CPU µs per intention of decoding it (with its BLAKE3 id) and the three other BLAKE3s a witnessed one needs. */
export function hashingFloor(items: readonly Uint8Array[]): number {
  const record = new Uint8Array(72);
  const term = new Uint8Array(4 + 16 + 8);
  const digest = new Uint8Array(4 + 9 + 16 + 8);
  const run = (list: readonly Uint8Array[]): void => {
    for (const bytes of list) {
      decodeSigned(bytes, { verify: false });
      blake3(record);
      blake3(term);
      blake3(digest);
    }
  };
  run(items.slice(0, 2000)); // compiled, as it is in a running node
  const cpu0 = process.cpuUsage();
  run(items);
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / items.length;
}
