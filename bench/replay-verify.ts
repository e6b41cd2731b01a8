// Hot-fix verification speed (DESIGN §4.4, docs/hotfix.md): a demo:counter store of 100k intentions from 8 authors
// (signed here, ingested in batches of 10k), replayed with an equivalent module (modules/variants/counter-fast) by
// replayVerify in a scratch LMDB environment, comparing every result and writesDigest. Reports intentions/s of
// verification, the whole replay's time (target: under 10 s for 100k), and the JS heap high-water during it.
// `node --import tsx bench/replay-verify.ts` (BENCH_QUICK=1: 10k intentions; BENCH_COUNT=n for any size).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodeValue, val } from '../abi/values.js';
import { encodeSystemOp } from '../host/kernel/index.js';
import { compareBytes, encodeAppOps, encodeSigned, decodeSigned, fromHex, NodeKey, signIntention, ZERO_HASH, type Hash, type StoreId } from '../host/model/index.js';
import { replayVerify } from '../host/node/hotfix.js';
import { buildModule } from '../host/node/module-build.js';
import { initNode, openNode } from '../host/node/node.js';
import { createHeapSampler, formatBytes, measure, ratioRow, sampleMemory, writeResults, type BenchRow } from './lib.js';

const COUNT = Number(process.env.BENCH_COUNT ?? (process.env.BENCH_QUICK === '1' ? 10_000 : 100_000));
const AUTHORS = 8;
const BATCH = 10_000;
// A full GC on demand (npm run bench starts node without --expose-gc): to tell garbage from retained heap.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const dir = mkdtempSync(join(tmpdir(), 'lattice-bench-replay-'));
const rows: BenchRow[] = [];
try {
  const { dataDir } = await initNode(join(dir, 'node'));
  const node = await openNode({ dataDir });
  try {
    const built = await buildModule(join(import.meta.dirname, '..', 'modules', 'variants', 'counter-fast'), { write: false });
    const { storeId } = await node.storeCreate('demo:counter', 'bench');
    const store = await node.store(fromHex(storeId, 16) as StoreId);
    const keys = Array.from({ length: AUTHORS }, (_, k) => NodeKey.fromSeed(new Uint8Array(32).fill(k + 1)));
    const root = await node.store(node.meshId());
    for (const k of keys) await root.submit(encodeSystemOp({ op: 'PeerAdd', node: k.publicKey, addrs: [] }));
    const genesis = store.info().genesis!;
    const g = decodeSigned(store.getSigned(genesis)!, { verify: false }).intention.timestamp;

    // Build the store: sign a batch, ingest it, sign the next (memory stays one batch deep).
    const buildStart = performance.now();
    const tips: (Hash | null)[] = keys.map(() => null);
    let wall = Math.max(Date.now(), g.wallMs);
    let last: Hash | null = null;
    for (let from = 0; from < COUNT; from += BATCH) {
      const items: Uint8Array[] = [];
      for (let i = from; i < Math.min(COUNT, from + BATCH); i++) {
        const a = i % AUTHORS;
        const deps: Hash[] = [];
        if (!tips[a]) deps.push(genesis);
        if (last && i % 16 === 0) deps.push(last); // some cross-author edges
        const s = signIntention(keys[a]!, {
          author: keys[a]!.publicKey, timestamp: { wallMs: ++wall, counter: 0 }, storeId: store.meta.storeId, storePrev: tips[a] ?? ZERO_HASH,
          condition: [...new Map(deps.map((d) => [Buffer.from(d).toString('hex'), d])).values()].sort(compareBytes),
          ops: encodeAppOps(encodeValue(val.list([val.bytes(new TextEncoder().encode(`key-${i % 1000}`)), val.i64(1 + (i % 7))]))),
        });
        tips[a] = s.hash;
        last = s.hash;
        items.push(encodeSigned(s));
      }
      const r = await store.ingest(items);
      if (r.witnessed !== items.length) throw new Error(`ingest witnessed ${r.witnessed} of ${items.length}: ${JSON.stringify(r.errors.slice(0, 2).map((e) => e.error.message))}`);
      sampleMemory();
    }
    const buildMs = performance.now() - buildStart;
    rows.push({ name: `build store (${COUNT} signed intentions, ingest)`, value: (COUNT * 1000) / buildMs, unit: 'intentions/s', ms: Math.round(buildMs) });

    const { cid } = await node.runtime.publish(built.bytes, (await import('../host/model/index.js')).DEFAULT_LIMITS);
    const machine = await node.machines.load(cid);
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const sampler = createHeapSampler(5);
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const report = await replayVerify(node, store, machine, () => sampler.sample());
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const peak = sampler.stop();
    gc();
    const heapAfter = process.memoryUsage().heapUsed;
    if (!report.equivalent || report.intentions !== COUNT) throw new Error(`replay: ${JSON.stringify(report)}`);
    rows.push({ name: `replay-verify ${COUNT} counter intentions`, value: (COUNT * 1000) / ms, unit: 'intentions/s' });
    rows.push({ name: 'replay-verify total', value: ms / 1000, unit: 's', target: 10 });
    // CPU time of this process during the replay: what the replay costs when the machine is shared.
    rows.push({ name: 'replay-verify CPU time', value: cpuMs / 1000, unit: 's' });
    rows.push({ name: 'replay-verify per CPU second', value: (COUNT * 1000) / cpuMs, unit: 'intentions/s' });
    // Sampled every 5 ms and after each batch of 4096 seqs (a batch runs synchronously, so between batches). The
    // baseline includes asc and binaryen, loaded in this process to build and instrument the module.
    rows.push({ name: 'peak heap during the replay', value: peak.peakHeapUsed / 2 ** 20, unit: 'MiB', heapBeforeMiB: heapBefore / 2 ** 20 });
    rows.push({ name: 'peak heap growth during the replay (sampled between batches)', value: (peak.peakHeapUsed - heapBefore) / 2 ** 20, unit: 'MiB' });
    // After a full GC: what the replay left behind. The growth above is garbage not yet collected, not kept.
    rows.push({ name: 'heap retained after the replay (after a full GC)', value: (heapAfter - heapBefore) / 2 ** 20, unit: 'MiB' });
    rows.push({ name: 'peak RSS during the replay', value: peak.peakRss / 2 ** 20, unit: 'MiB' });
    // The candidate's apply alone (the runtime's reused instance), same machine, same run: the replay's floor.
    const lastSeq = store.seq;
    const sample = decodeSigned(store.getSigned(store.history({ from: lastSeq, to: lastSeq })[0]!.hash)!, { verify: false });
    const input = { hash: sample.hash, intention: sample.intention, body: sample.intention.ops.subarray(1) };
    const reader = store.stateReader();
    const applyPerSec = measure(() => machine.apply(input, reader), { minMs: 2000 });
    rows.push({ name: 'WasmStateMachine.apply alone (counter-fast)', value: applyPerSec, unit: 'applies/s' });
    rows.push(ratioRow('replay-verify / bare apply', { name: 'replay', value: (COUNT * 1000) / ms, unit: 'intentions/s' }, { name: 'apply', value: applyPerSec, unit: 'applies/s' }));
    console.log(`replayed ${COUNT} in ${(ms / 1000).toFixed(2)} s; heap ${formatBytes(heapBefore)} → peak ${formatBytes(peak.peakHeapUsed)}`);
  } finally {
    await node.close();
  }
  writeResults('replay-verify', rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
