// Shared helpers for the sync tests: a seeded PRNG, random item sets, and a session driver that checks frame limits.
import { expect } from 'vitest';
import { toHex } from '../../../host/model/bytes.js';
import { Negentropy } from '../../../host/sync/negentropy.js';
import { NegentropyTree } from '../../../host/sync/negentropy-tree.js';

export interface Item {
  timestamp: bigint;
  id: Uint8Array;
}

/** mulberry32: deterministic, so a failing seed reproduces. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomId(rand: () => number): Uint8Array {
  const id = new Uint8Array(32);
  for (let i = 0; i < 32; i++) id[i] = Math.floor(rand() * 256);
  return id;
}

export type TimestampStyle = 'hlc' | 'u64' | 'same';

export function randomTimestamp(rand: () => number, style: TimestampStyle, i: number): bigint {
  if (style === 'same') return 1_763_900_000_000n;
  if (style === 'hlc') return 1_763_900_000_000n + BigInt(Math.floor(i / 2 + rand() * 20));
  const hi = BigInt(Math.floor(rand() * 0x1_0000_0000));
  const lo = BigInt(Math.floor(rand() * 0x1_0000_0000));
  return ((hi << 32n) | lo) % 0xffff_ffff_ffff_ffffn;
}

export function buildTree(items: Item[], mode: 'bulk' | 'incremental' = 'bulk'): NegentropyTree {
  const t = new NegentropyTree();
  if (mode === 'incremental') t.seal();
  for (const it of items) t.insert(it.timestamp, it.id);
  return t.seal();
}

export interface SessionResult {
  have: Set<string>;
  need: Set<string>;
  rounds: number;
  messages: string[];
}

/** Runs a whole session, asserting every message respects its sender's frame limit. */
export function runSession(a: NegentropyTree, b: NegentropyTree, limitA = 0, limitB = 0, maxRounds = 10_000): SessionResult {
  const init = new Negentropy(a, limitA);
  const resp = new Negentropy(b, limitB);
  const have = new Set<string>();
  const need = new Set<string>();
  const messages: string[] = [];
  let msg: Uint8Array | null = init.initiate();
  let rounds = 0;
  while (msg) {
    if (limitA) expect(msg.length).toBeLessThanOrEqual(limitA);
    messages.push(toHex(msg));
    const reply = resp.respond(msg);
    if (limitB) expect(reply.length).toBeLessThanOrEqual(limitB);
    messages.push(toHex(reply));
    const r = init.reconcile(reply);
    for (const id of r.have) have.add(toHex(id));
    for (const id of r.need) need.add(toHex(id));
    msg = r.output;
    if (++rounds > maxRounds) throw new Error('reconciliation did not terminate');
  }
  return { have, need, rounds, messages };
}

/** A seeded Fisher-Yates shuffle (a copy). */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const rand = prng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
