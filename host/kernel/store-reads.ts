// Lock-free reads of one store (DESIGN §3: reads never wait on the writer): history, author tips, the items for
// Negentropy sync, witness-order fetch for clone, signed bytes by hash.
import { decodeSigned, type Hash, type Hlc, type NodeId, type StoreId } from '../model/index.js';
import { hashKey, own, prefixEnd, seqKey, storeKey, type Tables } from '../storage/index.js';
import { decodeIndexEntry, decodeProjection, decodeWitnessRecord } from './records.js';

export interface HistoryEntry {
  readonly seq: number;
  readonly hash: Hash;
  readonly author: NodeId;
  readonly hlc: Hlc;
  /** Local wall time when this node witnessed it. */
  readonly witnessedAt: number;
  /** Projection: undefined while not projected (paused). */
  readonly cid?: Uint8Array;
  readonly result?: number;
  readonly stateHash?: Uint8Array;
  readonly ops: Uint8Array;
}

export interface HistoryOptions {
  /** First seq (default 1). */
  from?: number;
  /** Last seq, inclusive (default the head). */
  to?: number;
  author?: Uint8Array;
  /** At most this many entries (default 1000). */
  limit?: number;
}

export interface AuthorTip {
  readonly author: NodeId;
  readonly hash: Hash;
  readonly seq: number;
}

export class StoreReads {
  constructor(
    protected readonly storeId: StoreId,
    protected readonly tables: Tables,
  ) {}

  /** SignedIntention bytes (encoding ‖ signature) of an intention of this store that this node holds. */
  getSigned(hash: Hash): Uint8Array | undefined {
    if (!this.has(hash)) return undefined;
    const raw = this.tables.intentions.get(Buffer.from(hash));
    return raw ? own(raw) : undefined;
  }

  /** Witnessed, floating or held as evidence. */
  has(hash: Hash): boolean {
    const k = hashKey(this.storeId, hash);
    return this.tables.witnessIndex.get(k) !== undefined || this.tables.floating.get(k) !== undefined || this.tables.evidence.get(k) !== undefined;
  }

  isWitnessed(hash: Hash): boolean {
    return this.tables.witnessIndex.get(hashKey(this.storeId, hash)) !== undefined;
  }

  /** The seq at which a hash was witnessed. */
  seqOf(hash: Hash): number | undefined {
    const raw = this.tables.witnessIndex.get(hashKey(this.storeId, hash));
    return raw ? decodeIndexEntry(raw).seq : undefined;
  }

  history(options: HistoryOptions = {}): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    const from = Math.max(1, options.from ?? 1);
    const limit = options.limit ?? 1000;
    const end = options.to === undefined ? prefixEnd(storeKey(this.storeId)) : seqKey(this.storeId, options.to + 1);
    for (const { key, value } of this.tables.witnessLog.getRange({ start: seqKey(this.storeId, from), end })) {
      if (out.length >= limit) break;
      const seq = Number(Buffer.from(key as Uint8Array).readBigUInt64BE(16));
      const rec = decodeWitnessRecord(value);
      const raw = this.tables.intentions.get(Buffer.from(rec.intentionHash));
      if (!raw) continue;
      const s = decodeSigned(own(raw), { verify: false });
      if (options.author && Buffer.compare(Buffer.from(options.author), Buffer.from(s.intention.author)) !== 0) continue;
      const p = this.tables.projection.get(seqKey(this.storeId, seq));
      const proj = p ? decodeProjection(p) : undefined;
      out.push({
        seq, hash: rec.intentionHash, author: s.intention.author, hlc: s.intention.timestamp, witnessedAt: rec.wallTime,
        ...(proj ? { cid: proj.cid, result: proj.result, stateHash: proj.stateHash } : {}), ops: s.intention.ops,
      });
    }
    return out;
  }

  /** The last witnessed intention of each author. */
  heads(): AuthorTip[] {
    const prefix = storeKey(this.storeId);
    const out: AuthorTip[] = [];
    for (const { key, value } of this.tables.authorTips.getRange({ start: prefix, end: prefixEnd(prefix) })) {
      const v = own(value);
      out.push({ author: own((key as Uint8Array).subarray(16, 48)) as NodeId, hash: v.slice(0, 32) as Hash, seq: Number(new DataView(v.buffer).getBigUint64(32, true)) });
    }
    return out;
  }

  /** (wallMs, hash) of every witnessed intention and every piece of held evidence: the Negentropy items. */
  *syncItems(): Generator<{ wallMs: number; hash: Hash }> {
    const prefix = storeKey(this.storeId);
    for (const { key, value } of this.tables.witnessIndex.getRange({ start: prefix, end: prefixEnd(prefix) })) {
      yield { wallMs: decodeIndexEntry(value).hlc.wallMs, hash: own((key as Uint8Array).subarray(16)) as Hash };
    }
    for (const key of this.tables.evidence.getKeys({ start: prefix, end: prefixEnd(prefix) })) {
      const hash = own((key as Uint8Array).subarray(16)) as Hash;
      const raw = this.tables.intentions.get(Buffer.from(hash));
      if (raw) yield { wallMs: decodeSigned(own(raw), { verify: false }).intention.timestamp.wallMs, hash };
    }
  }

  /** SignedIntentions in witness order from `fromSeq` (1-based), at most `max` (bootstrap clone). */
  witnessedFrom(fromSeq: number, max: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const prefix = storeKey(this.storeId);
    for (const { value } of this.tables.witnessLog.getRange({ start: seqKey(this.storeId, Math.max(1, fromSeq)), end: prefixEnd(prefix), limit: max })) {
      const raw = this.tables.intentions.get(Buffer.from(decodeWitnessRecord(value).intentionHash));
      if (raw) out.push(own(raw));
    }
    return out;
  }

  floatingCount(): number {
    const prefix = storeKey(this.storeId);
    return this.tables.floating.getKeysCount({ start: prefix, end: prefixEnd(prefix) });
  }

  evidenceCount(): number {
    const prefix = storeKey(this.storeId);
    return this.tables.evidence.getKeysCount({ start: prefix, end: prefixEnd(prefix) });
  }
}
