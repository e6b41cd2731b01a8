// Helpers of the hot-fix tests: real nodes in temp dirs (initNode/openNode, real LMDB), the module variants built
// once per test file with the pinned asc, members added to the mesh, and counter intentions of other authors signed
// here and ingested into a store in large batches (what a peer's pushes would deliver, without the network).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished } from 'vitest';
import { encodeValue, val } from '../../../abi/values.js';
import { encodeSystemOp, type Store } from '../../../host/kernel/index.js';
import {
  compareBytes, decodeSigned, encodeAppOps, encodeSigned, fromHex, NodeKey, signIntention, ZERO_HASH, type Hash, type Hlc, type NodeId,
} from '../../../host/model/index.js';
import { ChannelNetwork } from '../../../host/net/channel-network.js';
import { ChannelTransport } from '../../../host/net/channel-transport.js';
import { buildModule } from '../../../host/node/module-build.js';
import { initNode, openNode, type Node } from '../../../host/node/node.js';

export const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
export const variantDir = (name: string): string => join(ROOT, 'modules', 'variants', name);

/** The .wasm bytes of a module variant, built with the pinned asc (not written to disk). */
export async function variant(name: string): Promise<Uint8Array> {
  return (await buildModule(variantDir(name), { write: false })).bytes;
}

export const tempDir = (prefix = 'lattice-hotfix-'): string => mkdtempSync(join(tmpdir(), prefix));

export interface TestNode {
  node: Node;
  dataDir: string;
}

/** A new node (own data dir, key and mesh), closed and removed when the test ends; `transport` for network tests. */
export async function createNode(options: { network?: ChannelNetwork; keepDir?: boolean } = {}): Promise<TestNode> {
  const dir = tempDir();
  const init = await initNode(join(dir, 'node'));
  const node = await open(init.dataDir, options.network);
  onTestFinished(async () => {
    await node.close().catch(() => undefined);
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
  });
  return { node, dataDir: init.dataDir };
}

/** Opens an initialised data dir, on the in-memory network when one is given. */
export async function open(dataDir: string, network?: ChannelNetwork): Promise<Node> {
  if (!network) return openNode({ dataDir });
  const key = NodeKey.fromSeed(fromHex(readFileSync(join(dataDir, 'node.key'), 'utf8').trim(), 32));
  const transport = new ChannelTransport({ key: { publicKey: key.publicKey as NodeId }, network }, { connectTimeoutMs: 500 });
  return openNode({ dataDir, transport });
}

/** Makes each key a member of the node's default mesh (a PeerAdd in its root store), so its intentions apply. */
export async function addMembers(node: Node, keys: readonly NodeKey[]): Promise<void> {
  const root = await node.store(node.meshId());
  for (const k of keys) await root.submit(encodeSystemOp({ op: 'PeerAdd', node: k.publicKey, addrs: [] }));
}

/** The app bytes of a demo:counter op: the value [bytes key, i64 delta] (what the module's command appends). */
export function counterOp(key: string, delta: number): Uint8Array {
  return encodeAppOps(encodeValue(val.list([val.bytes(new TextEncoder().encode(key)), val.i64(delta)])));
}

/** The app bytes of a core:kvstore put of one key. */
export function kvPut(key: string, value: string): Uint8Array {
  return encodeAppOps(encodeValue(val.list([val.list([val.string('put'), val.string(key), val.string(value)])])));
}

interface Dep {
  hash: Hash;
  hlc: Hlc;
}

const later = (a: Hlc, b: Hlc): Hlc => (a.wallMs > b.wallMs || (a.wallMs === b.wallMs && a.counter > b.counter) ? a : b);

/**
 * Remote authors writing to one store: each keeps its chain (storePrev) and its clock; the first write of each names
 * the store's genesis. `write` signs one intention whose condition also names `deps` (e.g. a ModuleUpgrade).
 */
export class Authors {
  readonly keys: NodeKey[];
  private readonly tips = new Map<number, Dep>();
  private clock: Hlc;
  private readonly genesis: Dep;

  constructor(store: Store, count: number, seed = 1) {
    this.keys = Array.from({ length: count }, (_, k) => NodeKey.fromSeed(new Uint8Array(32).fill(seed * 16 + k + 1)));
    const g = store.info().genesis;
    if (!g) throw new Error('the store has no genesis');
    const hlc = decodeSigned(store.getSigned(g)!, { verify: false }).intention.timestamp;
    this.genesis = { hash: g, hlc };
    this.clock = { wallMs: Math.max(Date.now(), hlc.wallMs), counter: 0 };
  }

  /** Author `a`'s last signed intention (undefined before its first). */
  tip(a: number): Dep | undefined {
    return this.tips.get(a);
  }

  /** Makes author `a` sign its next intention on `tip` again: two intentions on one storePrev are an equivocation. */
  rewind(a: number, tip: Dep | undefined): void {
    if (tip) this.tips.set(a, tip);
    else this.tips.delete(a);
  }

  /** One signed intention (its SignedIntention bytes) of author `a` carrying `ops`. */
  write(store: Store, a: number, ops: Uint8Array, deps: readonly Dep[] = [], sameTime?: Hlc): { bytes: Uint8Array; hash: Hash; hlc: Hlc } {
    const key = this.keys[a]!;
    const tip = this.tips.get(a);
    const condition = new Map<string, Dep>();
    if (!tip) condition.set(Buffer.from(this.genesis.hash).toString('hex'), this.genesis);
    for (const d of deps) condition.set(Buffer.from(d.hash).toString('hex'), d);
    let floor = tip?.hlc ?? this.genesis.hlc;
    for (const d of condition.values()) floor = later(floor, d.hlc);
    const timestamp = sameTime ?? { wallMs: Math.max(this.clock.wallMs, floor.wallMs) + 1, counter: 0 };
    this.clock = later(this.clock, timestamp);
    const signed = signIntention(key, {
      author: key.publicKey, timestamp, storeId: store.meta.storeId, storePrev: tip?.hash ?? ZERO_HASH,
      condition: [...condition.values()].map((d) => d.hash).sort(compareBytes), ops,
    });
    this.tips.set(a, { hash: signed.hash, hlc: timestamp });
    return { bytes: encodeSigned(signed), hash: signed.hash, hlc: timestamp };
  }
}

/** `count` counter increments round-robin over the authors, key `keyOf(i)`, signed bytes in causal order. */
export function counterHistory(store: Store, authors: Authors, count: number, keyOf: (i: number) => string, deps: readonly Dep[] = []): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) out.push(authors.write(store, i % authors.keys.length, counterOp(keyOf(i), 1 + (i % 5)), deps).bytes);
  return out;
}

/** Ingests in batches and checks that every intention was witnessed. */
export async function ingestAll(store: Store, items: readonly Uint8Array[], batch = 4096): Promise<void> {
  for (let i = 0; i < items.length; i += batch) {
    const r = await store.ingest(items.slice(i, i + batch));
    if (r.witnessed !== Math.min(batch, items.length - i) || r.errors.length > 0) {
      throw new Error(`ingest: ${r.witnessed} witnessed, ${r.floated} floated, ${r.held} held, errors ${JSON.stringify(r.errors.slice(0, 3).map((e) => e.error.message))}`);
    }
  }
}

/** The upgrade a store's next local write names: the hash and HLC of its latest witnessed ModuleUpgrade. */
export function latestUpgrade(store: Store): Dep {
  const up = store.history({ from: Math.max(1, store.seq - 64), limit: 100 }).filter((e) => e.ops[0] === 1).at(-1);
  if (!up) throw new Error('no system op among the last 64 seqs');
  return { hash: up.hash, hlc: up.hlc };
}

/**
 * Runs a child script (`node --import tsx <script> ...args` from the project root) until it prints its first replay
 * progress line (`{"event":"progress","done","total"}`), and kills it with SIGKILL there. Rejects if it exits any
 * other way (or is not killed within 75 s), with its output.
 */
export function killAtFirstProgress(script: string, args: string[]): Promise<{ pid: number; progress: { done: number; total: number }; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    let progress: { done: number; total: number } | null = null;
    const timer = setTimeout(() => child.kill('SIGKILL'), 75_000);
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      const m = JSON.parse(line) as { event: string; done: number; total: number };
      if (m.event === 'progress' && !progress) {
        progress = { done: m.done, total: m.total };
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (progress && signal === 'SIGKILL') resolve({ pid: child.pid!, progress, lines });
      else reject(new Error(`child exited (${signal ?? code}) without being killed mid-replay: ${lines.join(' | ')} ${stderr.slice(-2000)}`));
    });
  });
}

/**
 * Writes `wasm` to a file, runs `script` with (dataDir, that file, ...extra) and kills it at its first replay
 * progress (killAtFirstProgress); checks it died mid-replay and left its scratch env behind. `scratch()` lists the
 * dead child's scratch envs (for the check that a later replay swept them).
 */
export async function killMidReplay(script: string, dataDir: string, wasm: Uint8Array, extra: string[] = []): Promise<{ pid: number; wasmFile: string; scratch: () => string[] }> {
  const wasmFile = join(tempDir(), 'module.wasm');
  writeFileSync(wasmFile, wasm);
  const killed = await killAtFirstProgress(script, [dataDir, wasmFile, ...extra]);
  expect(killed.progress.done).toBeGreaterThan(0);
  expect(killed.progress.done).toBeLessThan(killed.progress.total);
  expect(killed.lines.some((l) => l.includes('"event":"done"'))).toBe(false);
  const scratch = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith(`lattice-replay-${killed.pid}-`));
  expect(scratch()).toHaveLength(1); // the dead child's scratch env is left behind
  return { pid: killed.pid, wasmFile, scratch };
}
