// Fixed-layout rows of the kernel (DESIGN §3): witness records (order only, hash-linked), projection records
// (derived), witness index entries, upgrade rows; and the state hash terms and writesDigest. Pure codecs.
import { blake3, type Cid, type ConsensusLimits, type Hash, type Hlc, type NodeId } from '../model/index.js';

export const WITNESS_RECORD_LEN = 72;

/** A copy of b[start, end), also when b is a Buffer (whose own slice is a view; lmdb's getBinaryFast buffer is reused). */
const copyOf = (b: Uint8Array, start: number, end: number): Uint8Array => Uint8Array.prototype.slice.call(b, start, end);

export interface WitnessRecord {
  readonly intentionHash: Hash;
  readonly wallTime: number;
  readonly prevRecordHash: Hash;
}

export function encodeWitnessRecord(r: WitnessRecord, into: Uint8Array = new Uint8Array(WITNESS_RECORD_LEN)): Uint8Array {
  into.set(r.intentionHash, 0);
  setU64(into, 32, r.wallTime);
  into.set(r.prevRecordHash, 40);
  return into;
}

/** u64 LE without a BigInt (a safe integer; the same bytes as setBigUint64(BigInt(n), true)). */
function setU64(b: Uint8Array, at: number, n: number): void {
  const lo = n >>> 0;
  const hi = Math.floor(n / 0x1_0000_0000) >>> 0;
  b[at] = lo & 0xff;
  b[at + 1] = (lo >>> 8) & 0xff;
  b[at + 2] = (lo >>> 16) & 0xff;
  b[at + 3] = lo >>> 24;
  b[at + 4] = hi & 0xff;
  b[at + 5] = (hi >>> 8) & 0xff;
  b[at + 6] = (hi >>> 16) & 0xff;
  b[at + 7] = hi >>> 24;
}

function setU32(b: Uint8Array, at: number, n: number): void {
  b[at] = n & 0xff;
  b[at + 1] = (n >>> 8) & 0xff;
  b[at + 2] = (n >>> 16) & 0xff;
  b[at + 3] = (n >>> 24) & 0xff;
}

export function decodeWitnessRecord(b: Uint8Array): WitnessRecord {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    intentionHash: copyOf(b, 0, 32) as Hash,
    wallTime: b.length >= 40 ? Number(v.getBigUint64(32, true)) : 0,
    prevRecordHash: copyOf(b, 40, 72) as Hash,
  };
}

export const recordHash = (recordBytes: Uint8Array): Hash => blake3(recordBytes);

export interface ProjectionRecord {
  readonly cid: Cid;
  readonly result: number;
  readonly writesDigest: Hash;
  readonly stateHash: Hash;
}

export const PROJECTION_RECORD_LEN = 100;

export function encodeProjection(p: ProjectionRecord, into: Uint8Array = new Uint8Array(PROJECTION_RECORD_LEN)): Uint8Array {
  into.set(p.cid, 0);
  setU32(into, 32, p.result | 0);
  into.set(p.writesDigest, 36);
  into.set(p.stateHash, 68);
  return into;
}

export function decodeProjection(b: Uint8Array): ProjectionRecord {
  return {
    cid: copyOf(b, 0, 32) as Cid,
    result: new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(32, true),
    writesDigest: copyOf(b, 36, 68) as Hash,
    stateHash: copyOf(b, 68, 100) as Hash,
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

export const INDEX_ENTRY_LEN = 89;

export function encodeIndexEntry(e: IndexEntry, into: Uint8Array = new Uint8Array(INDEX_ENTRY_LEN)): Uint8Array {
  setU64(into, 0, e.seq);
  setU64(into, 8, e.hlc.wallMs);
  setU32(into, 16, e.hlc.counter);
  into.set(e.author, 20);
  into.set(e.upgrade, 52);
  into[84] = e.envelopeOk ? 1 : 0;
  setU32(into, 85, e.height);
  return into;
}

export function decodeIndexEntry(b: Uint8Array): IndexEntry {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    seq: Number(v.getBigUint64(0, true)),
    hlc: { wallMs: Number(v.getBigUint64(8, true)), counter: v.getUint32(16, true) },
    author: copyOf(b, 20, 52) as NodeId,
    upgrade: copyOf(b, 52, 84) as Hash,
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
    cid: copyOf(b, 0, 32) as Cid,
    limits: { fuel: Number(v.getBigUint64(32, true)), memoryPages: v.getUint32(40, true), depth: v.getUint32(44, true) },
    hlc: { wallMs: Number(v.getBigUint64(48, true)), counter: v.getUint32(56, true) },
  };
}

/** The state hash term of one live pair: BLAKE3(u32 LE len(k) ‖ k ‖ v) (k includes the namespace byte). */
export function stateTerm(key: Uint8Array, value: Uint8Array): Hash {
  const b = new Uint8Array(4 + key.length + value.length); // one update: cheaper than three into the wasm hasher
  setU32(b, 0, key.length);
  b.set(key, 4);
  b.set(value, 4 + key.length);
  return blake3(b);
}

/** One write of a write set, key namespaced. */
export interface NsWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/** BLAKE3 over the write set sorted by key (u32 len ‖ key ‖ u8 op ‖ u32 len ‖ value), then the result as i32 LE. */
export function writesDigest(sortedWrites: readonly NsWrite[], result: number): Hash {
  let n = 4;
  for (const w of sortedWrites) n += 9 + w.key.length + (w.value?.length ?? 0);
  const b = new Uint8Array(n); // the same bytes as before, hashed in one update
  let o = 0;
  for (const w of sortedWrites) {
    setU32(b, o, w.key.length);
    b.set(w.key, o + 4);
    o += 4 + w.key.length;
    b[o] = w.value === null ? 0 : 1;
    setU32(b, o + 1, w.value?.length ?? 0);
    o += 5;
    if (w.value) {
      b.set(w.value, o);
      o += w.value.length;
    }
  }
  setU32(b, o, result | 0);
  return blake3(b);
}
