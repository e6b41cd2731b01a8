// `lattice demo` (DESIGN §8): the whole story on three embedded nodes over loopback Iroh, in temp dirs under
// $TMPDIR that it removes: a mesh, invites and joins, the counter module, concurrent writes from every node,
// convergence shown by equal state hashes, an equivalent hot-fix accepted and a changed one refused with its first
// divergence.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { asCid, blake3, cidToString, isLatticeError, LatticeError } from '../model/index.js';
import { buildModule } from './module-build.js';
import { initNode, openNode, type Node } from './node.js';
import { packageRoot } from './package-root.js';

export interface DemoResult {
  nodes: number;
  converged: boolean;
  stateHash: string;
  total: number;
  hotfix: { accepted: string; refused: { cid: string; firstDivergence: Record<string, unknown> } };
}

export interface DemoOptions {
  /** The caller prints JSON itself; the narration goes to `log` either way. */
  json?: boolean;
  nodes?: number;
  writesPerNode?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function converge(nodes: Node[], store: string, log: (l: string) => void): Promise<{ converged: boolean; stateHash: string }> {
  for (let round = 1; round <= 30; round++) {
    for (const n of nodes) await n.sync(store).catch(() => undefined);
    const hashes = await Promise.all(nodes.map(async (n) => (await n.storeInfo(store).catch(() => undefined))?.stateHash ?? ''));
    if (hashes[0] && hashes.every((h) => h === hashes[0])) {
      log(`  converged after ${round} sync round${round > 1 ? 's' : ''}: every node has state hash ${hashes[0]!.slice(0, 16)}…`);
      return { converged: true, stateHash: hashes[0]! };
    }
    await sleep(200);
  }
  return { converged: false, stateHash: '' };
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const log = options.log ?? (() => undefined);
  const count = Math.max(2, options.nodes ?? 3);
  const writes = options.writesPerNode ?? 10;
  const dir = mkdtempSync(join(tmpdir(), 'lattice-demo-'));
  const nodes: Node[] = [];
  try {
    const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
    log(`Starting ${count} nodes in ${dir} (QUIC on loopback, Iroh)`);
    for (let i = 0; i < count; i++) {
      const name = names[i] ?? `node${i}`;
      const init = await initNode(join(dir, name));
      nodes.push(await openNode({ dataDir: init.dataDir, network: true }));
      log(`  ${name}: node ${init.nodeId.slice(0, 16)}…`);
    }
    const [a, ...others] = nodes as [Node, ...Node[]];
    options.signal?.throwIfAborted();

    const counter = await prebuilt(join(packageRoot(), 'modules', 'counter'));
    const published = await a.modulePublish(counter.bytes, 'demo:counter');
    log(`alice publishes the counter module (AssemblyScript → Wasm, ${counter.size} bytes): ${published.cid}`);
    const created = await a.storeCreate('demo:counter', 'clicks');
    log(`alice creates the counter store "clicks" (${created.storeId})`);

    for (const [i, n] of others.entries()) {
      const { token } = await a.peerInvite({ expiresInSec: 600 });
      await n.peerJoin(token);
      log(`${names[i + 1]} joins with an invite token (${token.slice(0, 24)}…) and clones the mesh`);
    }

    log(`Every node increments the counters "red" and "blue" ${writes} times, concurrently`);
    await Promise.all(nodes.map(async (n, i) => {
      for (let k = 0; k < writes; k++) await n.storeExec('clicks', 'increment', [k % 2 === 0 ? 'red' : 'blue', String(i + 1)]);
    }));
    const first = await converge(nodes, 'clicks', log);
    const red = (await a.storeQuery('clicks', 'get', ['red'])).result;
    const blue = (await a.storeQuery('clicks', 'get', ['blue'])).result;
    log(`  red = ${String(red)}, blue = ${String(blue)} on every node`);

    const variants = join(packageRoot(), 'modules', 'variants');
    const fast = await prebuilt(join(variants, 'counter-fast'));
    log(`alice publishes an optimised counter (${fast.cidText.slice(0, 19)}…): every store of demo:counter is replayed with it first`);
    const accepted = await a.modulePublish(fast.bytes, 'demo:counter');
    log(`  accepted: ${accepted.intentions ?? 0} intentions replayed with the same results and write sets; the store now runs ${accepted.cid.slice(0, 19)}…`);
    await Promise.all(nodes.map((n, i) => n.storeExec('clicks', 'increment', ['red', String(i + 1)])));
    const second = await converge(nodes, 'clicks', log);

    const double = await prebuilt(join(variants, 'counter-double'));
    log(`alice tries a counter that counts by two (${double.cidText.slice(0, 19)}…)`);
    let firstDivergence: Record<string, unknown> = {};
    try {
      await a.modulePublish(double.bytes, 'demo:counter');
      throw new LatticeError('E_HOST_FAULT', 'the demo expected the changed counter to be refused');
    } catch (e) {
      if (!isLatticeError(e, 'E_HOTFIX_DIVERGES')) throw e;
      firstDivergence = e.details['firstDivergence'] as Record<string, unknown>;
      const keys = (firstDivergence['keys'] as { key: string; old: string; new: string }[] | undefined) ?? [];
      log(`  refused (E_HOTFIX_DIVERGES): first divergence at seq ${String(firstDivergence['seq'])}, intention ${String(firstDivergence['intention']).slice(0, 16)}…`);
      for (const k of keys.slice(0, 3)) log(`    key ${k.key}: ${String(k.old)} → ${String(k.new)}`);
      log('  a change of meaning needs a new store type and a migration; the store keeps running the accepted module');
    }
    const converged = first.converged && second.converged;
    log(converged ? `Done: ${count} nodes converged, one hot-fix accepted, one refused.` : 'Done, but the nodes did not converge.');
    return {
      nodes: count,
      converged,
      stateHash: second.stateHash,
      total: writes * count + count,
      hotfix: { accepted: accepted.cid, refused: { cid: double.cidText, firstDivergence } },
    };
  } finally {
    for (const n of nodes) await n.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A module of this package as the install built it (`<dir>/build/<name>.wasm`, written by scripts/build-modules.mjs),
 * else compiled now: the demo does not wait for the compiler when `npm ci` already ran it.
 */
async function prebuilt(dir: string): Promise<{ bytes: Uint8Array; size: number; cidText: string }> {
  const file = join(dir, 'build', `${basename(dir)}.wasm`);
  if (!existsSync(file)) return buildModule(dir, { write: false });
  const bytes = new Uint8Array(readFileSync(file));
  return { bytes, size: bytes.length, cidText: cidToString(asCid(blake3(bytes))) };
}
