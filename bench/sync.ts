// Negentropy anti-entropy: bytes and rounds to reconcile 100k and 1M items with 0.1% and 10% differences (both
// sides in one process, 200 KiB frames as nodes use), tree bulk-build time, index and heap bytes per item, and
// O(log n) inserts into a built tree. BENCH_SYNC_SIZES=100000 limits the sizes (comma-separated).
import { getRandomValues } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Negentropy } from '../host/sync/negentropy.js';
import { NegentropyTree } from '../host/sync/negentropy-tree.js';
import { sampleMemory, writeResults, type BenchRow } from './lib.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SIZES = (process.env.BENCH_SYNC_SIZES ?? '100000,1000000').split(',').map(Number);
const DIFFS = [0.001, 0.1];
const FRAME = 200 * 1024;
const HLC_BASE = 1_763_900_000_000;
const rows: BenchRow[] = [];
const label = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

/** JS heap in use after a full GC. Typed-array backing stores are off-heap and counted exactly by indexBytes()
 * (process.memoryUsage().arrayBuffers did not track them reliably here), so this shows per-item objects: none. */
function heapNow(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Items in HLC order (two per millisecond, random ids), as a clone delivers them. */
function makeItems(n: number): { ts: Float64Array; ids: Uint8Array } {
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) ts[i] = HLC_BASE + Math.floor(i / 2);
  return { ts, ids: randomIds(n) };
}

/** Random ids written in place (no Buffer copy left behind as garbage to blur the heap figures). */
function randomIds(n: number): Uint8Array {
  const ids = new Uint8Array(n * 32);
  for (let o = 0; o < ids.length; o += 65536) getRandomValues(ids.subarray(o, Math.min(ids.length, o + 65536)));
  return ids;
}

function build(items: { ts: Float64Array; ids: Uint8Array }, keep: (i: number) => boolean): NegentropyTree {
  const t = new NegentropyTree();
  for (let i = 0; i < items.ts.length; i++) if (keep(i)) t.insert(items.ts[i]!, items.ids.subarray(i * 32, i * 32 + 32));
  return t.seal();
}

for (const n of SIZES) {
  const items = makeItems(n);

  // Bulk build of one full set: time, typed-array bytes of the index and JS heap per item.
  const before = heapNow();
  let t0 = performance.now();
  const full = build(items, () => true);
  const buildMs = performance.now() - t0;
  const after = heapNow();
  sampleMemory();
  rows.push({ name: `build ${label(n)}: insert + seal`, value: buildMs, unit: 'ms', items: n });
  rows.push({ name: `build ${label(n)}: index bytes per item`, value: full.indexBytes() / n, unit: 'B' });
  rows.push({ name: `build ${label(n)}: JS heap (objects) per item`, value: (after - before) / n, unit: 'B' });

  // Inserts into the built tree land anywhere in (timestamp, id) order: O(log n) each.
  const extra = 10_000;
  const extraIds = randomIds(extra);
  t0 = performance.now();
  for (let i = 0; i < extra; i++) full.insert(HLC_BASE + Math.floor(Math.random() * (n / 2)), extraIds.subarray(i * 32, i * 32 + 32));
  rows.push({ name: `insert into ${label(n)}: random position`, value: ((performance.now() - t0) * 1000) / extra, unit: 'µs' });

  for (const d of DIFFS) {
    // d/2 of the items only on A, d/2 only on B, the rest on both
    const step = Math.round(2 / d);
    const a = build(items, (i) => i % step !== 1);
    const b = build(items, (i) => i % step !== 2);
    const init = new Negentropy(a, FRAME);
    const resp = new Negentropy(b, FRAME);
    t0 = performance.now();
    let msg: Uint8Array | null = init.initiate();
    let up = 0;
    let down = 0;
    let rounds = 0;
    let have = 0;
    let need = 0;
    while (msg) {
      up += msg.length;
      const reply = resp.respond(msg);
      down += reply.length;
      const r = init.reconcile(reply);
      have += r.have.length;
      need += r.need.length;
      msg = r.output;
      rounds++;
      sampleMemory();
    }
    const ms = performance.now() - t0;
    const expected = Math.floor((n - 2) / step) + 1;
    if (Math.abs(have - expected) > 1 || Math.abs(need - expected) > 1) throw new Error(`wrong result: have ${have}, need ${need}, expected ~${expected}`);
    const name = `reconcile ${label(n)} @${d * 100}%`;
    rows.push({ name: `${name}: rounds`, value: rounds, unit: 'round trips', differences: have + need });
    rows.push({ name: `${name}: bytes`, value: up + down, unit: 'B', up, down });
    rows.push({ name: `${name}: bytes per difference`, value: (up + down) / (have + need), unit: 'B' });
    rows.push({ name: `${name}: time (both sides)`, value: ms, unit: 'ms' });
  }
}

writeResults('sync', rows);
