// Test helpers for the kernel: a node's storage + StoreManager in a temp dir (real LMDB) that cleans up after
// itself, and generators of signed intentions from remote authors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { COUNTER_STORE_TYPE, encodeCounterOp, nativeCounterOpener, StoreManager, VerifyPool, type StoreOpener } from '../../host/kernel/index.js';
import {
  compareBytes, encodeAppOps, encodeSigned, NodeKey, signIntention, ZERO_HASH, type Hash, type Hlc, type SignedIntention, type StoreId,
} from '../../host/model/index.js';
import { openStorage, type StorageEnv } from '../../host/storage/index.js';
import { rng } from './kernel-random.js';

export interface KernelNode {
  dir: string;
  env: StorageEnv;
  manager: StoreManager;
  key: NodeKey;
  close(): Promise<void>;
}

export const tempDir = (prefix = 'lattice-kernel-'): string => mkdtempSync(join(tmpdir(), prefix));

/** Opens a node's storage and manager; cleans up at the end of the current test unless `keep`. */
export async function createKernelNode(options: { dir?: string; key?: NodeKey; openers?: Record<string, StoreOpener>; pool?: VerifyPool; now?: () => number; keep?: boolean; durable?: boolean } = {}): Promise<KernelNode> {
  const dir = options.dir ?? tempDir();
  const env = openStorage(dir, { mapSize: 1024 ** 3, durable: options.durable ?? true });
  const key = options.key ?? NodeKey.generate();
  const manager = new StoreManager({
    env, nodeKey: key, openers: options.openers ?? { [COUNTER_STORE_TYPE]: nativeCounterOpener },
    ...(options.pool ? { verifyPool: options.pool } : {}), ...(options.now ? { now: options.now } : {}),
  });
  let closed = false;
  const node: KernelNode = {
    dir, env, manager, key,
    async close() {
      if (closed) return;
      closed = true;
      await manager.close();
      await env.close();
    },
  };
  if (!options.keep) {
    onTestFinished(async () => {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    });
  }
  return node;
}

export { rng, shuffle } from './kernel-random.js';

export interface DagOptions {
  storeId: StoreId;
  genesis: Hash;
  genesisHlc: Hlc;
  authors: NodeKey[];
  count: number;
  seed: number;
  /** Max cross-author deps per intention (default 2). */
  crossDeps?: number;
  keys?: number;
}

/** A random multi-author DAG of counter increments on top of a genesis, in a causal order. */
export function makeDag(o: DagOptions): SignedIntention[] {
  const random = rng(o.seed);
  const out: SignedIntention[] = [];
  const tips = new Map<NodeKey, Hash>();
  let wall = o.genesisHlc.wallMs + 1;
  for (let n = 0; n < o.count; n++) {
    const author = o.authors[Math.floor(random() * o.authors.length)]!;
    const prev = tips.get(author);
    const deps = new Map<string, Hash>();
    if (!prev) deps.set(Buffer.from(o.genesis).toString('hex'), o.genesis);
    const cross = Math.floor(random() * ((o.crossDeps ?? 2) + 1));
    for (let c = 0; c < cross && out.length > 0; c++) {
      const d = out[Math.floor(random() * out.length)]!;
      if (d.intention.author !== author.publicKey) deps.set(Buffer.from(d.hash).toString('hex'), d.hash);
    }
    const key = `k${Math.floor(random() * (o.keys ?? 4))}`;
    const s = signIntention(author, {
      author: author.publicKey, timestamp: { wallMs: wall++, counter: 0 }, storeId: o.storeId, storePrev: prev ?? ZERO_HASH,
      condition: [...deps.values()].sort(compareBytes), ops: encodeAppOps(encodeCounterOp(key, 1 + Math.floor(random() * 5))),
    });
    tips.set(author, s.hash);
    out.push(s);
  }
  return out;
}

export const bytesOf = (items: SignedIntention[]): Uint8Array[] => items.map(encodeSigned);
