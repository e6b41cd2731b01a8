// The fixed inputs of the Negentropy golden vectors (test/fixtures/negentropy/*.json), shared by the recorder
// (record-golden.ts, which runs the reference C++ harness) and the golden test. Deterministic: ids are SHA-256 of
// a label; the fixtures also carry a digest of each side's items, so a drift here fails loudly as "inputs differ".
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../../host/model/bytes.js';

export interface GoldenItem {
  timestamp: bigint;
  id: Uint8Array;
}

export interface GoldenCase {
  name: string;
  description: string;
  /** FRAMESIZELIMIT of the initiator and of the responder (0 = none). */
  frameSizeLimit1: number;
  frameSizeLimit2: number;
  initiator: GoldenItem[];
  responder: GoldenItem[];
}

const enc = new TextEncoder();
const hash = (label: string): Uint8Array => sha256(enc.encode(label));

/** Splits generated items between the sides: p1 only the initiator, p2 only the responder, the rest both. */
function split(name: string, items: GoldenItem[], p1: number, p2: number): Pick<GoldenCase, 'initiator' | 'responder'> {
  const initiator: GoldenItem[] = [];
  const responder: GoldenItem[] = [];
  items.forEach((item, i) => {
    const h = hash(`${name}/side/${i}`);
    const r = (h[0]! * 256 + h[1]!) / 65536;
    if (r < p1) initiator.push(item);
    else if (r < p1 + p2) responder.push(item);
    else {
      initiator.push(item);
      responder.push(item);
    }
  });
  return { initiator, responder };
}

function gen(name: string, n: number, ts: (i: number, h: Uint8Array) => bigint): GoldenItem[] {
  return Array.from({ length: n }, (_, i) => {
    const id = hash(`${name}/id/${i}`);
    return { timestamp: ts(i, hash(`${name}/ts/${i}`)), id };
  });
}

const u64 = (h: Uint8Array): bigint => {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(h[i]!);
  return v % 0xffff_ffff_ffff_ffffn; // < 2^64 - 1 (infinity is reserved)
};

const EDGES = [0n, 1n, 127n, 128n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 1n, 2n ** 53n - 1n,
  2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 3n, 2n ** 64n - 2n];

const HLC_BASE = 1_763_900_000_000n; // HLC wall milliseconds (Nov 2025), above 2^40

export function goldenCases(): GoldenCase[] {
  const cases: GoldenCase[] = [];
  const add = (c: Omit<GoldenCase, 'initiator' | 'responder'>, items: GoldenItem[], p1: number, p2: number): void => {
    cases.push({ ...c, ...split(c.name, items, p1, p2) });
  };
  add({ name: 'empty', description: 'both sides empty', frameSizeLimit1: 0, frameSizeLimit2: 0 }, [], 0, 0);
  add({ name: 'one-sided', description: '20 items only on the initiator (IdList, have only)', frameSizeLimit1: 0, frameSizeLimit2: 0 },
    gen('one-sided', 20, (i) => HLC_BASE + BigInt(i)), 1, 0);
  add({ name: 'u64-edges', description: '400 items on 64-bit edge and random u64 timestamps, 10%/10% differences', frameSizeLimit1: 0, frameSizeLimit2: 0 },
    gen('u64-edges', 400, (i, h) => (i < EDGES.length * 8 ? EDGES[i % EDGES.length]! : u64(h))), 0.1, 0.1);
  add({ name: 'shared-prefix', description: '300 items on one timestamp whose ids share 29-31 byte prefixes (long bounds)', frameSizeLimit1: 0, frameSizeLimit2: 0 },
    Array.from({ length: 300 }, (_, i) => {
      const id = new Uint8Array(32).fill(0xab);
      id[29] = i >> 6;
      id[30] = (i >> 3) & 7;
      id[31] = i & 7;
      return { timestamp: HLC_BASE, id };
    }), 0.15, 0.15);
  add({ name: 'hlc-diff', description: '3000 items, HLC ms timestamps with repeats, 5%/5% differences, no frame limit', frameSizeLimit1: 0, frameSizeLimit2: 0 },
    gen('hlc-diff', 3000, (i) => HLC_BASE + BigInt(Math.floor(i / 3))), 0.05, 0.05);
  add({ name: 'hlc-framed', description: '2000 items, 20%/20% differences, frameSizeLimit 4096 on both sides', frameSizeLimit1: 4096, frameSizeLimit2: 4096 },
    gen('hlc-framed', 2000, (i) => HLC_BASE + BigInt(i * 7)), 0.2, 0.2);
  add({ name: 'hlc-framed-responder', description: '1200 items, 30% only on the responder, responder frameSizeLimit 4096', frameSizeLimit1: 0, frameSizeLimit2: 4096 },
    gen('hlc-framed-responder', 1200, (i) => HLC_BASE + 2n ** 40n + BigInt(i)), 0.02, 0.3);
  return cases;
}

/** The harness lines of one side's items, and their digest (SHA-256 of the lines joined by \n). */
export function itemLines(items: GoldenItem[]): string[] {
  return items.map((it) => `${it.timestamp},${toHex(it.id)}`);
}

export function itemsDigest(items: GoldenItem[]): string {
  return toHex(sha256(enc.encode(itemLines(items).join('\n'))));
}
