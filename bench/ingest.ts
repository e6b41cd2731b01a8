// Kernel ingest end to end (DESIGN §3, §9): pre-signed remote intentions through decode → verify (worker pool of 2
// for batches ≥ 64) → DAG → witness → apply (native counter) → one fsync'd LMDB transaction per batch, for 10k and
// 100k intentions at batch sizes 1, 64 and 1024, beside the bare Ed25519-verify bound measured in the same run
// (one core, and the same pool of 2 the kernel uses), as ratios; and durable local submits per second.
// `node --import tsx bench/ingest.ts` (BENCH_QUICK=1: 10k only; BENCH_MAX_MS caps one configuration, default 90 s).
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COUNTER_STORE_TYPE, encodeCounterOp, nativeCounterOpener, StoreManager, VerifyPool } from '../host/kernel/index.js';
import {
  decodeSigned, encodeAppOps, encodeSigned, newStoreId, NodeKey, signIntention, verifySignature, ZERO_HASH, type Hash, type SignedIntention, type StoreId,
} from '../host/model/index.js';
import { openStorage } from '../host/storage/index.js';
import { measure, ratioRow, sampleMemory, writeResults, type BenchRow } from './lib.js';
import { hashingFloor, storageFloor } from './ingest-floor.js';
import { poolBound } from './verify-bound.js';

const QUICK = process.env.BENCH_QUICK === '1';
const MAX_MS = Number(process.env.BENCH_MAX_MS ?? 90_000);
const COUNTS = QUICK ? [10_000] : [10_000, 100_000];
const BATCHES = [1, 64, 1024];
const AUTHORS = 8;

async function node(dir: string, key = NodeKey.generate()) {
  const env = openStorage(dir, { mapSize: 4 * 1024 ** 3 });
  const pool = new VerifyPool({ size: 2, threshold: 64 });
  const manager = new StoreManager({ env, nodeKey: key, verifyPool: pool, openers: { [COUNTER_STORE_TYPE]: nativeCounterOpener } });
  return { env, manager, pool, close: async () => { await manager.close(); await pool.close(); await env.close(); } };
}

/** A genesis (signed by an origin node) and `n` remote intentions from 8 authors, each chained and causally ordered. */
async function workload(n: number): Promise<{ storeId: StoreId; genesis: Uint8Array; items: Uint8Array[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-bench-origin-'));
  const origin = await node(dir);
  const store = await origin.manager.create({ storeType: COUNTER_STORE_TYPE, genesis: {} });
  const g = store.history()[0]!;
  const genesis = store.getSigned(g.hash)!;
  await origin.close();
  rmSync(dir, { recursive: true, force: true });
  const authors = Array.from({ length: AUTHORS }, (_, k) => NodeKey.fromSeed(new Uint8Array(32).fill(k + 1)));
  const tips: (Hash | null)[] = authors.map(() => null);
  const items: Uint8Array[] = [];
  let last: SignedIntention | null = null;
  for (let i = 0; i < n; i++) {
    const a = i % AUTHORS;
    const deps = new Set<string>();
    if (!tips[a]) deps.add(Buffer.from(g.hash).toString('hex'));
    if (last && last.intention.author !== authors[a]!.publicKey) deps.add(Buffer.from(last.hash).toString('hex'));
    const s = signIntention(authors[a]!, {
      author: authors[a]!.publicKey, timestamp: { wallMs: g.hlc.wallMs + 1 + i, counter: 0 }, storeId: store.meta.storeId,
      storePrev: tips[a] ?? ZERO_HASH, condition: [...deps].sort().map((h) => Buffer.from(h, 'hex') as unknown as Hash),
      ops: encodeAppOps(encodeCounterOp(`key-${i % 64}`, 1)),
    });
    tips[a] = s.hash;
    last = s;
    items.push(encodeSigned(s));
  }
  return { storeId: store.meta.storeId, genesis, items };
}

async function ingestRun(w: { storeId: StoreId; genesis: Uint8Array; items: Uint8Array[] }, count: number, batch: number) {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-bench-ingest-'));
  const n = await node(dir);
  const store = await n.manager.create({ storeId: w.storeId, storeType: COUNTER_STORE_TYPE });
  await store.ingest([w.genesis]);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let done = 0;
  let truncated = false;
  // Two batches in flight: the next one decodes and verifies while the current one commits.
  let pending: Promise<unknown> | null = null;
  for (let i = 0; i < count; i += batch) {
    const p = store.ingest(w.items.slice(i, Math.min(i + batch, count)));
    if (pending) await pending;
    pending = p;
    done = Math.min(i + batch, count);
    if ((i / batch) % 16 === 0) sampleMemory();
    if (performance.now() - start > MAX_MS) {
      truncated = true;
      break;
    }
  }
  await pending;
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const info = store.info();
  if (info.seq !== done + 1 || info.floating !== 0) throw new Error(`ingest bench: seq ${info.seq}, floating ${info.floating}, expected ${done + 1}`);
  await n.close();
  rmSync(dir, { recursive: true, force: true });
  return { perSec: (done * 1000) / ms, done, truncated, cpuUsPerItem: (cpu.user + cpu.system) / done };
}

async function localSubmit(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-bench-local-'));
  const n = await node(dir);
  const store = await n.manager.create({ storeType: COUNTER_STORE_TYPE, genesis: {} });
  const ops = encodeAppOps(encodeCounterOp('k', 1));
  for (let i = 0; i < 200; i++) await store.submit(ops);
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < 3000) {
    await store.submit(ops); // resolves after the fsync'd commit: durable before the next is signed
    count++;
  }
  const rate = (count * 1000) / (performance.now() - start);
  await n.close();
  rmSync(dir, { recursive: true, force: true });
  return rate;
}

const rows: BenchRow[] = [];
const w = await workload(Math.max(...COUNTS));
const sample = w.items.slice(0, 8192).map((b) => decodeSigned(b, { verify: false }));
let k = 0;
const cpuVerify0 = process.cpuUsage();
let verifies = 0;
const oneCore = measure(() => {
  verifies++;
  const s = sample[k++ % sample.length]!;
  verifySignature(s.intention.author, s.hash, s.signature);
}, { minMs: 2000 });
const cpuVerify = process.cpuUsage(cpuVerify0);
// CPU time per verify and per ingested intention (all threads of the process): unlike wall-clock rates, their ratio
// barely moves with the load of a shared machine. verify CPU / ingest CPU is the share of a perfectly parallel
// verify-only bound that ingest reaches on otherwise idle cores.
const verifyCpu = { name: 'ed25519 verify, CPU per verify', value: (cpuVerify.user + cpuVerify.system) / verifies, unit: 'cpu-us' };
rows.push(verifyCpu);
const bound1 = { name: 'ed25519 verify, one core', value: oneCore, unit: 'verifies/s' };
rows.push(bound1);
const bound2 = { name: 'ed25519 verify, pool of 2 workers', value: await poolBound(sample), unit: 'verifies/s' };
rows.push(bound2);
// The floor under everything that is not verification (ingest-floor.ts), and the ceiling it puts on the ratio to the
// pool-of-2 bound: with both cores busy, ingest runs at most at 2 / (verify CPU + the rest) per second, the bound at
// 2 / verify CPU, so their ratio is at most verify CPU / (verify CPU + floors), before any kernel logic.
const storageRow = { name: 'floor: LMDB rows per intention, no kernel logic (batch 1024, fsync)', value: await storageFloor(Math.min(40_000, Math.max(...COUNTS))), unit: 'cpu-us' };
const hashRow = { name: 'floor: decode + 4 BLAKE3 per intention', value: hashingFloor(w.items.slice(0, 20_000)), unit: 'cpu-us' };
const floors = { name: 'verify CPU + floors', value: verifyCpu.value + storageRow.value + hashRow.value, unit: 'cpu-us' };
rows.push(storageRow, hashRow, ratioRow('ceiling of ingest / verify pool of 2 (verify CPU / (verify CPU + floors))', verifyCpu, floors));
// On a shared machine the load drifts during the run: each configuration is compared with the pool bound measured
// right before it (its own row), as well as with the bounds measured at the start.
for (const count of COUNTS) {
  for (const batch of BATCHES) {
    const adjacent = { name: `ed25519 verify, pool of 2, before ${count / 1000}k batch ${batch}`, value: await poolBound(sample, 1000), unit: 'verifies/s' };
    const r = await ingestRun(w, count, batch);
    const q = { name: `ingest ${count / 1000}k, batch ${batch}`, value: r.perSec, unit: 'intentions/s', ...(r.truncated ? { truncatedAt: r.done } : {}) };
    const cpuRow = { name: `ingest ${count / 1000}k, batch ${batch}, CPU per intention`, value: r.cpuUsPerItem, unit: 'cpu-us' };
    rows.push(adjacent, q, cpuRow);
    rows.push(ratioRow(`ingest ${count / 1000}k batch ${batch}: verify CPU / ingest CPU`, verifyCpu, cpuRow));
    rows.push(ratioRow(`ingest ${count / 1000}k batch ${batch} / adjacent verify pool of 2`, q, adjacent));
    rows.push(ratioRow(`ingest ${count / 1000}k batch ${batch} / verify pool of 2`, q, bound2));
    rows.push(ratioRow(`ingest ${count / 1000}k batch ${batch} / verify one core`, q, bound1));
  }
}
rows.push({ name: 'local submit, durable (fsync per intention)', value: await localSubmit(), unit: 'intentions/s' });
writeResults('ingest', rows);
