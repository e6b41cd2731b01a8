// Crash trials (DESIGN §9 "kill -9 during ingest"): a child ingests in a loop and is killed with SIGKILL at a random
// moment; after each restart the chain verifies, every intention the child reported as committed is there, the
// state hash equals a replay of the witnessed log, and the node never signed two intentions on one storePrev.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { COUNTER_STORE_TYPE, nativeCounterOpener, StoreManager } from '../../host/kernel/index.js';
import { bytesEqual, decodeSigned, LatticeError, newStoreId, NodeKey, toHex, type Hash } from '../../host/model/index.js';
import { openStorage } from '../../host/storage/index.js';

const CHILD = fileURLToPath(new URL('./kernel-crash-child.ts', import.meta.url));

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Bundles the child once (esbuild, tsx's own compiler) so each restart costs a plain node start, not a TS load.
 * The bundle lives under node_modules/.cache so its bare imports resolve; the verify worker is copied beside it.
 */
export async function bundleChild(): Promise<string> {
  const outDir = join(ROOT, 'node_modules', '.cache', `lattice-kernel-crash-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  copyFileSync(join(ROOT, 'host', 'kernel', 'verify-worker.mjs'), join(outDir, 'verify-worker.mjs'));
  const outfile = join(outDir, 'crash-child.mjs');
  await build({
    entryPoints: [CHILD], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'error',
    external: ['lmdb', 'hash-wasm', 'msgpackr'],
  });
  return outfile;
}

export interface TrialSetup {
  dir: string;
  childPath: string;
  nodeSeed: Uint8Array;
  remoteSeed: Uint8Array;
  storeId: Uint8Array;
  /** Everything ever reported as committed, across trials. */
  reported: Set<string>;
}

export function newTrialSetup(childPath: string): TrialSetup {
  return {
    dir: mkdtempSync(join(tmpdir(), 'lattice-crash-')), childPath, nodeSeed: NodeKey.generate().seed, remoteSeed: NodeKey.generate().seed,
    storeId: newStoreId(), reported: new Set(),
  };
}

export function disposeTrialSetup(s: TrialSetup): void {
  rmSync(s.dir, { recursive: true, force: true });
}

/** Runs the child until a random moment (after `ready`), kills it with SIGKILL, returns the lines it reported. */
export function runAndKill(s: TrialSetup, seed: number, killAfterMs: number): Promise<{ lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [s.childPath, s.dir, toHex(s.nodeSeed), toHex(s.storeId), toHex(s.remoteSeed), String(seed)], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    let stderr = '';
    const lines: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code ?? signal} before the kill: ${stderr.slice(0, 2000)}`));
      else resolve({ lines });
    });
  });
}

export interface TrialCheck {
  seq: number;
  committed: number;
  localChain: number;
}

/** Reopens the data dir in this process and checks every crash property; throws a LatticeError naming the breach. */
/**
 * `full`: also re-verify the whole chain and every signature (O(store) Ed25519 verifies); otherwise the open-time
 * check covers every record written since the previous restart, which over consecutive trials is all of them.
 */
export async function checkAfterCrash(s: TrialSetup, lines: string[], full = true): Promise<TrialCheck> {
  for (const line of lines) if (line.startsWith('L ') || line.startsWith('R ')) s.reported.add(line.split(' ')[1]!);
  const env = openStorage(s.dir, { mapSize: 1024 ** 3 });
  const nodeKey = NodeKey.fromSeed(s.nodeSeed);
  const manager = new StoreManager({ env, nodeKey, openers: { [COUNTER_STORE_TYPE]: nativeCounterOpener }, verifyPool: undefined });
  const fail = (msg: string): never => {
    throw new LatticeError('E_HOST_FAULT', `crash check: ${msg}`);
  };
  try {
    if (!manager.peek(s.storeId as never)) {
      if (s.reported.size > 0) fail('store meta missing after commits were reported');
      return { seq: 0, committed: 0, localChain: 0 };
    }
    const store = await manager.open(s.storeId as never); // open verifies the chain from the last checkpoint
    if (full) store.verify(); // all of it: records, intention bytes and signatures, live state against the state hash
    for (const h of s.reported) if (!store.isWitnessed(Buffer.from(h, 'hex') as unknown as Hash)) fail(`reported intention ${h} is not witnessed`);
    const replay = await store.rebuild({ dryRun: true });
    if (!bytesEqual(replay.stateHash, store.stateHash) || replay.differences !== 0) fail('state hash differs from a replay of the log');
    // The local chain: one intention per storePrev, each chained on the previous one.
    const prevs = new Set<string>();
    let last = '00'.repeat(32);
    let localChain = 0;
    for (const e of store.history({ author: nodeKey.publicKey, limit: 1e9 })) {
      const prev = toHex(decodeSigned(store.getSigned(e.hash)!, { verify: false }).intention.storePrev);
      if (prevs.has(prev)) fail(`two local intentions on storePrev ${prev}`);
      if (prev !== last) fail(`local intention ${toHex(e.hash)} does not chain on the previous one`);
      prevs.add(prev);
      last = toHex(e.hash);
      localChain++;
    }
    if (store.info().evidence !== 0) fail('equivocation evidence in a single-writer store');
    return { seq: store.info().seq, committed: s.reported.size, localChain };
  } finally {
    await manager.close();
    await env.close();
  }
}
