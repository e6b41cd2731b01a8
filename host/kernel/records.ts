// Fixed-layout rows of the kernel (DESIGN §3): witness records (order only, hash-linked), projection records
// (derived), witness index entries, upgrade rows; and the state hash terms and writesDigest. Pure codecs.
import { blake3, type Cid, type ConsensusLimits, type Hash, type Hlc, type NodeId } from '../model/index.js';

export const WITNESS_RECORD_LEN = 72;

export interface WitnessRecord {
  readonly intentionHash: Hash;
  readonly wallTime: number;
  readonly prevRecordHash: Hash;
}

export function encodeWitnessRecord(r: WitnessRecord): Uint8Array {
  const b = new Uint8Array(WITNESS_RECORD_LEN);
  const v = new DataView(b.buffer);
  b.set(r.intentionHash, 0);
  v.setBigUint64(32, BigInt(r.wallTime), true);
  b.set(r.prevRecordHash, 40);
  return b;
}

export function decodeWitnessRecord(b: Uint8Array): WitnessRecord {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    intentionHash: b.slice(0, 32) as Hash,
    wallTime: b.length >= 40 ? Number(v.getBigUint64(32, true)) : 0,
    prevRecordHash: b.slice(40, 72) as Hash,
  };
}

export const recordHash = (recordBytes: Uint8Array): Hash => blake3(recordBytes);

export interface ProjectionRecord {
  readonly cid: Cid;
  readonly result: number;
  readonly writesDigest: Hash;
  readonly stateHash: Hash;
}

export function encodeProjection(p: ProjectionRecord): Uint8Array {
  const b = new Uint8Array(100);
  b.set(p.cid, 0);
  new DataView(b.buffer).setInt32(32, p.result, true);
  b.set(p.writesDigest, 36);
  b.set(p.stateHash, 68);
  return b;
}

export function decodeProjection(b: Uint8Array): ProjectionRecord {
  return {
    cid: b.slice(0, 32) as Cid,
    result: new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(32, true),
    writesDigest: b.slice(36, 68) as Hash,
    stateHash: b.slice(68, 100) as Hash,
  };
}

/** A witnessed intention as the DAG needs it without decoding it: seq, HLC, author, upgrade in force, envelope. */
export interface IndexEntry {
  readonly seq: number;
  readonly hlc: Hlc;
  readonly author: NodeId;
  /** The upgrade in force (hash of the Genesis/ModuleUpgrade), ZERO when none is among its ancestors. */
  readonly upgrade: Hash;
  /** False when an envelope rule is broken: it is witnessed as rejected(E_ENVELOPE). */
  readonly envelopeOk: boolean;
  /** Position in its author's chain: storePrev's height + 1 (1 for an author's first). Equivocation freeze uses it. */
  readonly height: number;
}

export function encodeIndexEntry(e: IndexEntry): Uint8Array {
  const b = new Uint8Array(89);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(e.seq), true);
  v.setBigUint64(8, BigInt(e.hlc.wallMs), true);
  v.setUint32(16, e.hlc.counter, true);
  b.set(e.author, 20);
  b.set(e.upgrade, 52);
  b[84] = e.envelopeOk ? 1 : 0;
  v.setUint32(85, e.height, true);
  return b;
}

export function decodeIndexEntry(b: Uint8Array): IndexEntry {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    seq: Number(v.getBigUint64(0, true)),
    hlc: { wallMs: Number(v.getBigUint64(8, true)), counter: v.getUint32(16, true) },
    author: b.slice(20, 52) as NodeId,
    upgrade: b.slice(52, 84) as Hash,
    envelopeOk: b[84] === 1,
    height: v.getUint32(85, true),
  };
}

/** A Genesis or ModuleUpgrade as the projection needs it: the module and limits it puts in force, and its HLC. */
export interface UpgradeRow {
  readonly cid: Cid;
  readonly limits: ConsensusLimits;
  readonly hlc: Hlc;
}

export function encodeUpgrade(u: UpgradeRow): Uint8Array {
  const b = new Uint8Array(60);
  const v = new DataView(b.buffer);
  b.set(u.cid, 0);
  v.setBigUint64(32, BigInt(u.limits.fuel), true);
  v.setUint32(40, u.limits.memoryPages, true);
  v.setUint32(44, u.limits.depth, true);
  v.setBigUint64(48, BigInt(u.hlc.wallMs), true);
  v.setUint32(56, u.hlc.counter, true);
  return b;
}

export function decodeUpgrade(b: Uint8Array): UpgradeRow {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    cid: b.slice(0, 32) as Cid,
    limits: { fuel: Number(v.getBigUint64(32, true)), memoryPages: v.getUint32(40, true), depth: v.getUint32(44, true) },
    hlc: { wallMs: Number(v.getBigUint64(48, true)), counter: v.getUint32(56, true) },
  };
}

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};

/** The state hash term of one live pair: BLAKE3(u32 LE len(k) ‖ k ‖ v) (k includes the namespace byte). */
export const stateTerm = (key: Uint8Array, value: Uint8Array): Hash => blake3(u32(key.length), key, value);

/** One write of a write set, key namespaced. */
export interface NsWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/** BLAKE3 over the write set sorted by key (u32 len ‖ key ‖ u8 op ‖ u32 len ‖ value), then the result as i32 LE. */
export function writesDigest(sortedWrites: readonly NsWrite[], result: number): Hash {
  const parts: Uint8Array[] = [];
  for (const w of sortedWrites) {
    parts.push(u32(w.key.length), w.key, Uint8Array.of(w.value === null ? 0 : 1), u32(w.value?.length ?? 0));
    if (w.value) parts.push(w.value);
  }
  const r = new Uint8Array(4);
  new DataView(r.buffer).setInt32(0, result, true);
  parts.push(r);
  return blake3(...parts);
}
