// The N-node simulator (DESIGN §7): real nodes over one ChannelNetwork (latency, jitter, lost connects, dropped
// connections), joined into one mesh with a kv store, linked by a topology (a ring plus random chords; each node
// talks to its neighbours only). Random writers write while a partition splits the mesh and then heals; then
// anti-entropy rounds (every node syncs with each neighbour) run until every node has the same state hash.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, toHex, type NodeId } from '../../host/model/index.js';
import { ChannelNetwork } from '../../host/net/channel-network.js';
import { ChannelTransport } from '../../host/net/channel-transport.js';
import type { Connection } from '../../host/net/transport.js';
import { initNode, openNode, type Node } from '../../host/node/node.js';

export interface SimOptions {
  nodes?: number;
  /** Writes per node, spread over the write phase (half before the partition heals, half after). */
  writesPerNode?: number;
  /** Random chords per node on top of the ring. */
  chords?: number;
  latencyMs?: number;
  jitterMs?: number;
  /** Probability that a connect attempt is lost. */
  connectLoss?: number;
  /** Probability per write that a random live link is dropped by the network. */
  dropRate?: number;
  maxRounds?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface SimResult {
  nodes: number;
  links: number;
  writes: number;
  converged: boolean;
  roundsToConvergence: number;
  messages: number;
  bytes: number;
  gapRecoveries: number;
  pushed: number;
  lostConnects: number;
  droppedLinks: number;
  stateHash: string;
  setupMs: number;
  runMs: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function retry<T>(what: string, fn: () => Promise<T>, tries = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= tries || (e as { code?: string }).code !== 'E_PEER_UNREACHABLE') throw new Error(`${what}: ${(e as Error).message}`);
    }
  }
}

export async function runSim(options: SimOptions = {}): Promise<SimResult> {
  const n = Math.max(2, options.nodes ?? 20);
  const writesPerNode = options.writesPerNode ?? 6;
  const random = rng(options.seed ?? 7);
  const log = options.log ?? (() => undefined);
  const network = new ChannelNetwork({ latencyMs: options.latencyMs ?? 2, jitterMs: options.jitterMs ?? 3, seed: options.seed ?? 7 });
  // Every node's data-dir lock listens for process exit: n nodes in one process are not a listener leak.
  process.setMaxListeners(Math.max(process.getMaxListeners(), 2 * n + 10));
  const root = mkdtempSync(join(tmpdir(), 'lattice-sim-'));
  const nodes: Node[] = [];
  const t0 = Date.now();
  try {
    for (let i = 0; i < n; i++) {
      const init = await initNode(join(root, `n${i}`));
      const transport = new ChannelTransport({ key: { publicKey: fromHex(init.nodeId, 32) as NodeId }, network }, { connectTimeoutMs: 200 });
      nodes.push(await openNode({ dataDir: init.dataDir, transport }));
    }
    log(`${n} nodes up in ${Date.now() - t0} ms`);
    const [first] = nodes as [Node];
    await first.storeCreate('core:kvstore', 'kv');
    for (const node of nodes.slice(1)) {
      const { token } = await first.peerInvite({ expiresInSec: 3600 });
      await retry('join', () => node.peerJoin(token));
    }
    log(`all joined at ${Date.now() - t0} ms`);

    // The topology: a ring plus random chords. Every other connection is closed: nodes talk to neighbours only.
    const edges = new Set<string>();
    const neighbours: number[][] = nodes.map(() => []);
    const link = (i: number, j: number): void => {
      if (i === j) return;
      const k = i < j ? `${i}-${j}` : `${j}-${i}`;
      if (edges.has(k)) return;
      edges.add(k);
      neighbours[i]!.push(j);
      neighbours[j]!.push(i);
    };
    for (let i = 0; i < n; i++) link(i, (i + 1) % n);
    for (let i = 0; i < n; i++) for (let c = 0; c < (options.chords ?? 1); c++) link(i, Math.floor(random() * n));
    const isEdge = (i: number, j: number): boolean => edges.has(i < j ? `${i}-${j}` : `${j}-${i}`);
    const index = new Map(nodes.map((node, i) => [toHex(node.key.publicKey), i]));
    for (const [i, node] of nodes.entries()) {
      for (const c of node.network!.transport.connections()) if (!isEdge(i, index.get(toHex(c.remoteNodeId))!)) await c.close('topology');
    }
    network.connectLoss = options.connectLoss ?? 0.05;
    const statsAt = { ...network.stats };
    const metric = (k: 'gapRecoveries' | 'pushed'): number => nodes.reduce((s, node) => s + node.network!.sync.metrics[k], 0);
    const gapsAt = metric('gapRecoveries');
    const pushedAt = metric('pushed');
    const setupMs = Date.now() - t0;
    const t1 = Date.now();

    const connect = async (i: number, j: number): Promise<Connection | undefined> => {
      try {
        return await nodes[i]!.network!.connect(nodes[j]!.key.publicKey, nodes[j]!.reachableAddrs());
      } catch {
        return undefined; // lost or partitioned: the next round tries again
      }
    };
    const linkUp = async (): Promise<void> => {
      await Promise.all([...edges].map((e) => {
        const [i, j] = e.split('-').map(Number) as [number, number];
        return connect(i, j);
      }));
    };

    // Writes: half with the mesh split in two, half after it heals; links drop at random meanwhile.
    await linkUp();
    const half = nodes.slice(0, Math.floor(n / 2)).map((x) => x.key.publicKey);
    const other = nodes.slice(Math.floor(n / 2)).map((x) => x.key.publicKey);
    network.partition(half, other);
    let dropped = 0;
    let writes = 0;
    const writePhase = async (phase: number): Promise<void> => {
      const per = phase === 0 ? Math.ceil(writesPerNode / 2) : Math.floor(writesPerNode / 2);
      await Promise.all(nodes.map(async (node, i) => {
        for (let k = 0; k < per; k++) {
          // Some writers hit shared keys (conflicts), the rest write their own.
          const key = random() < 0.3 ? `shared-${Math.floor(random() * 4)}` : `n${i}-p${phase}-${k}`;
          await node.storeExec('kv', 'put', [key, `${i}:${phase}:${k}`]);
          writes++;
          if (random() < (options.dropRate ?? 0.05)) {
            const j = neighbours[i]![Math.floor(random() * neighbours[i]!.length)]!;
            network.dropConnections(node.key.publicKey, nodes[j]!.key.publicKey);
            dropped++;
          }
        }
      }));
    };
    await writePhase(0);
    network.heal();
    await linkUp();
    await writePhase(1);
    await Promise.all(nodes.map((node) => node.network!.pushesSettled()));

    // Anti-entropy rounds until every node has the same state hash.
    const hashes = async (): Promise<string[]> => Promise.all(nodes.map(async (node) => (await node.storeInfo('kv')).stateHash));
    let rounds = 0;
    let converged = new Set(await hashes()).size === 1;
    const kvOf = (node: Node) => node.network!.store(node.resolveStore('kv').storeId)!;
    const rootOf = (node: Node) => node.network!.store(node.meshId())!;
    while (!converged && rounds < (options.maxRounds ?? 30)) {
      rounds++;
      await Promise.all(nodes.map(async (node, i) => {
        for (const j of neighbours[i]!) {
          if (j < i) continue; // one session per link and round: a session is symmetric
          const conn = await connect(i, j);
          if (!conn) continue;
          await node.network!.sync.syncStore(conn, rootOf(node)).catch(() => undefined);
          await node.network!.sync.syncStore(conn, kvOf(node)).catch(() => undefined);
        }
      }));
      converged = new Set(await hashes()).size === 1;
      log(`round ${rounds}: ${new Set(await hashes()).size} distinct state hashes`);
    }
    return {
      nodes: n,
      links: edges.size,
      writes,
      converged,
      roundsToConvergence: rounds,
      messages: network.stats.frames - statsAt.frames,
      bytes: network.stats.bytes - statsAt.bytes,
      gapRecoveries: metric('gapRecoveries') - gapsAt,
      pushed: metric('pushed') - pushedAt,
      lostConnects: network.stats.lostConnects - statsAt.lostConnects,
      droppedLinks: dropped,
      stateHash: (await hashes())[0]!,
      setupMs,
      runMs: Date.now() - t1,
    };
  } finally {
    await Promise.all(nodes.map((node) => node.close().catch(() => undefined)));
    rmSync(root, { recursive: true, force: true });
  }
}
