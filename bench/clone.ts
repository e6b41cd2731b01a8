// Bootstrap clone over real Iroh on loopback (DESIGN §7): two local nodes in one process; the first holds a kv
// store of N intentions (BENCH_CLONE_N, default 100k, from one writer member), the second joins the mesh and
// clones it in witness order. Reports intentions/s of the clone (target ≥ 20k/s), wire bytes per intention, and
// the simulator's figures (BENCH_SIM_NODES nodes, default 10) for rounds, messages, bytes and gap recoveries.
// Beside the clone rate: the Ed25519 verify bound of a pool of 2 workers measured just before and just after the
// clone (the clone verifies every signature, so it can be no faster; on 2 cores the rest of its work shares those
// cores), and the clone's CPU and main-thread busy time per intention (both nodes run in this process).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSigned, type SignedIntention } from '../host/model/index.js';
import { initNode, openNode, type Node } from '../host/node/node.js';
import { addWriter } from '../test/helpers/node-writer.js';
import { runSim } from '../test/sim/sim.js';
import { ratioRow, sampleMemory, writeResults, type BenchRow } from './lib.js';
import { poolBound } from './verify-bound.js';

const N = Number(process.env['BENCH_CLONE_N'] ?? 100_000);
const SIM_NODES = Number(process.env['BENCH_SIM_NODES'] ?? 10);
const rows: BenchRow[] = [];

const root = mkdtempSync(join(tmpdir(), 'lattice-bench-clone-'));
const nodes: Node[] = [];
try {
  const [ia, ib] = [await initNode(join(root, 'a')), await initNode(join(root, 'b'))];
  const a = await openNode({ dataDir: ia.dataDir, network: true });
  nodes.push(a);
  await a.storeCreate('core:kvstore', 'kv');
  const writer = await addWriter(a);
  const store = a.openedStore(a.resolveStore('kv').storeId)!;
  const t0 = performance.now();
  const sample: SignedIntention[] = [];
  for (let done = 0; done < N; done += 10_000) {
    const batch = writer.next(Math.min(10_000, N - done));
    for (const s of batch.slice(0, 8192 - sample.length)) sample.push(decodeSigned(s, { verify: false }));
    await store.ingest(batch);
    sampleMemory();
  }
  const fillMs = performance.now() - t0;
  rows.push({ name: `ingest ${N} (filling the source)`, value: (N / fillMs) * 1000, unit: 'intentions/s' });

  const b = await openNode({ dataDir: ib.dataDir, network: true });
  nodes.push(b);
  const { token } = await a.peerInvite({});
  const boundBefore = await poolBound(sample);
  const bytesBefore = a.network!.sync.metrics.bytes;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t1 = performance.now();
  const joined = await b.peerJoin(token); // clones the root store, then the kv store in witness order
  const cloneMs = performance.now() - t1;
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const boundAfter = await poolBound(sample);
  const seq = b.openedStore(b.resolveStore('kv').storeId)!.seq;
  if (joined.stores !== 1 || seq !== store.seq) throw new Error(`clone incomplete: ${seq} of ${store.seq}`);
  if ((await b.storeInfo('kv')).stateHash !== (await a.storeInfo('kv')).stateHash) throw new Error('state hashes differ after the clone');
  const bytes = a.network!.sync.metrics.bytes - bytesBefore;
  rows.push({ name: `bootstrap clone of ${store.seq} intentions over Iroh (join included)`, value: (store.seq / cloneMs) * 1000, unit: 'intentions/s', ms: Math.round(cloneMs), target: 20_000 });
  const bound: BenchRow = { name: 'ed25519 verify, pool of 2 (mean of just before and just after the clone)', value: (boundBefore + boundAfter) / 2, unit: 'verifies/s', before: Math.round(boundBefore), after: Math.round(boundAfter) };
  rows.push(bound);
  rows.push(ratioRow('clone / verify bound of the same run', rows[1]!, bound));
  rows.push({ name: 'clone CPU per intention (all threads, both nodes)', value: (cpu.user + cpu.system) / store.seq, unit: 'µs' });
  rows.push({ name: 'clone main-thread busy per intention (both nodes)', value: (elu.active * 1000) / store.seq, unit: 'µs', utilization: Number(elu.utilization.toFixed(2)) });
  rows.push({ name: 'clone wire bytes per intention', value: bytes / store.seq, unit: 'bytes' });
  // The clone can be no faster than ingest itself (verify + Wasm apply per intention): this ratio is the network's share.
  rows.push(ratioRow('clone over Iroh / local ingest of the same intentions', rows[1]!, rows[0]!));
  sampleMemory();
  for (const n of nodes.splice(0)) await n.close();

  const sim = await runSim({ nodes: SIM_NODES });
  rows.push({ name: `simulator ${sim.nodes} nodes: converged`, value: sim.converged ? 1 : 0, unit: 'bool' });
  rows.push({ name: `simulator ${sim.nodes} nodes: rounds to convergence`, value: sim.roundsToConvergence, unit: 'rounds' });
  rows.push({ name: `simulator ${sim.nodes} nodes: messages`, value: sim.messages, unit: 'frames', writes: sim.writes, links: sim.links });
  rows.push({ name: `simulator ${sim.nodes} nodes: bytes`, value: sim.bytes, unit: 'bytes' });
  rows.push({ name: `simulator ${sim.nodes} nodes: gap recoveries`, value: sim.gapRecoveries, unit: 'count' });
  writeResults('clone', rows);
} finally {
  for (const n of nodes) await n.close().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
}
