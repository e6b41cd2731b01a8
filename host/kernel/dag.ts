// The DAG step of a batch (DESIGN §3 steps 4-5), run inside the batch's write transaction: insert, equivocation
// check, witness or float, and the iterative cascade that releases floating intentions when what they wait for is
// witnessed. Also decides, per witnessed intention, the envelope verdict and the upgrade in force (§4.4).
import {
  bytesEqual, compareBytes, compareHlc, decodeSigned, DEFAULT_LIMITS, HLC_ZERO, isBeyondSkew, isZero, maxHlc, ZERO_HASH,
  type Hash, type Hlc, type Intention, type SignedIntention, type StoreId,
} from '../model/index.js';
import { hashKey, KeyScratch, own, peek, prefixEnd, rowKey, storeKey, type Tables } from '../storage/index.js';
import { ByteMap } from './byte-map.js';
import type { HeadState } from './head-state.js';
import {
  decodeIndexEntry, decodeUpgrade, encodeIndexEntry, encodeUpgrade, encodeWitnessRecord, INDEX_ENTRY_LEN, recordHash, WITNESS_RECORD_LEN,
  type IndexEntry, type UpgradeRow,
} from './records.js';
import { upgradeOf } from './system-ops.js';

/** Floating-index sentinels: intentions held for the clock skew, or by the authorization hook. */
export const SKEW_HOLD = new Uint8Array(32).fill(0xff) as Hash;
export const AUTH_HOLD = new Uint8Array(32).fill(0xfe) as Hash;
const EMPTY = new Uint8Array(0);

/**
 * The kernel row that marks an intention unauthorized (an authorization verdict 'reject-witness', DESIGN §6): it is
 * witnessed like any other and projected as rejected(E_UNAUTHORIZED). Not part of the projection, so a rebuild
 * keeps it. `Store.reauthorize` sets and clears it as the verdict changes (unlike the `frozen:` rows, which only grow).
 */
export const unauthorizedRow = (storeId: StoreId, hash: Hash): Buffer => rowKey(storeId, `unauthorized:${Buffer.from(hash).toString('hex')}`);

export type InsertOutcome = 'witnessed' | 'floated' | 'duplicate' | 'evidence' | 'held';

export interface WitnessedItem {
  readonly seq: number;
  readonly hash: Hash;
  readonly signed: SignedIntention;
  readonly entry: IndexEntry;
}

export class DagTxn {
  /** Intentions witnessed in this transaction, in seq order. */
  readonly witnessed: WitnessedItem[] = [];
  /** Hashes this batch's intentions depend on that are neither witnessed nor floating (what to fetch). */
  readonly missing = new Map<string, Hash>();
  private readonly upgradeCache = new ByteMap<UpgradeRow>();
  /** Set when an equivocation froze an author, or an intention was marked unauthorized, after some were projected. */
  reproject = false;
  /** Author tips changed by this batch, written once per author by flush(). */
  private readonly tips = new ByteMap<{ author: Uint8Array; hash: Hash; seq: number }>();
  /**
   * Index entries this transaction witnessed or read: a dep is most often witnessed in the same batch, and an entry
   * never changes once written (a re-projection rewrites projection rows, not entries).
   */
  private readonly entries = new ByteMap<IndexEntry>();
  /** Reusable keys and values for the rows written per intention (lmdb copies both when a put runs in the transaction). */
  private readonly hashKeys: KeyScratch;
  private readonly linkKeys: KeyScratch;
  private readonly seqKeys: KeyScratch;
  private readonly recordBuf = new Uint8Array(WITNESS_RECORD_LEN);
  /** Whether the floating index may hold rows of this store (unknown until the first cascade): none, no cascade read. */
  private mayFloat: boolean | undefined;
  private readonly entryBuf = new Uint8Array(INDEX_ENTRY_LEN);

  constructor(
    private readonly storeId: StoreId,
    private readonly t: Tables,
    private readonly head: HeadState,
    private readonly now: () => number,
  ) {
    this.hashKeys = new KeyScratch(storeId, 48);
    this.linkKeys = new KeyScratch(storeId, 80);
    this.seqKeys = new KeyScratch(storeId, 24);
  }

  /** Witnessed, floating or held as evidence ("already have it"). */
  has(hash: Hash): boolean {
    if (this.entries.has(hash)) return true;
    const k = this.hashKeys.of(hash); // getBinaryFast: no copy of a value only tested for presence
    return this.t.witnessIndex.getBinaryFast(k) !== undefined || this.t.floating.getBinaryFast(k) !== undefined || this.t.evidence.getBinaryFast(k) !== undefined;
  }

  entry(hash: Hash): IndexEntry | undefined {
    const known = this.entries.get(hash);
    if (known) return known;
    const raw = peek(this.t.witnessIndex, this.hashKeys.of(hash));
    if (!raw) return undefined;
    const e = decodeIndexEntry(raw); // copies what it keeps
    this.entries.set(own(hash), e);
    return e;
  }

  /**
   * Marks `hash` unauthorized (see `unauthorizedRow`): projected as rejected(E_UNAUTHORIZED) whenever it is
   * witnessed. If it is already witnessed (applied before a revoke landed) the store re-projects from seq 1 in this
   * transaction. Returns false when it was marked already.
   */
  markUnauthorized(hash: Hash): boolean {
    const key = unauthorizedRow(this.storeId, hash);
    if (this.t.storeRows.get(key) !== undefined) return false;
    this.t.storeRows.putSync(key, EMPTY);
    const e = this.entry(hash);
    if (e && e.seq <= this.head.projected) this.reproject = true;
    return true;
  }

  /**
   * Clears a mark whose verdict is 'ok' again (membership is not monotone: a later root op can make a marked
   * intention valid). Re-projects from seq 1 when the intention was already projected. False when it was not marked.
   */
  clearUnauthorized(hash: Hash): boolean {
    const key = unauthorizedRow(this.storeId, hash);
    if (this.t.storeRows.get(key) === undefined) return false;
    this.t.storeRows.removeSync(key);
    const e = this.entry(hash);
    if (e && e.seq <= this.head.projected) this.reproject = true;
    return true;
  }

  isUnauthorized(hash: Hash): boolean {
    return this.t.storeRows.get(unauthorizedRow(this.storeId, hash)) !== undefined;
  }

  /** Inserts a verified, authorized intention of this store and witnesses or floats it (then cascades). */
  insert(s: SignedIntention, signedBytes: Uint8Array, hold: Hash | null = null): InsertOutcome {
    if (this.has(s.hash)) return 'duplicate';
    const i = s.intention;
    const link = this.linkKeys.of(i.author, i.storePrev);
    const raw = peek(this.t.chainLinks, link);
    const first = raw ? own(raw) : undefined;
    this.t.intentions.putSync(s.hash, signedBytes);
    if (first && !bytesEqual(first, s.hash)) {
      // A second intention of one author on one storePrev: kept as evidence (it travels in sync), never witnessed.
      // The author is frozen at the fork point: its intentions after it are rejected, so re-project if any applied.
      this.t.evidence.putSync(hashKey(this.storeId, s.hash), EMPTY);
      const freeze = rowKey(this.storeId, `frozen:${Buffer.from(i.author).toString('hex')}`);
      if (this.t.storeRows.get(freeze) === undefined) {
        this.t.storeRows.putSync(freeze, i.storePrev);
        if (this.entry(first as Hash)) this.reproject = true;
      }
      return 'evidence';
    }
    if (!first) this.t.chainLinks.putSync(link, s.hash);
    if (hold) {
      this.float(s.hash, [hold]);
      return 'held';
    }
    return this.place(s);
  }

  /** Witnesses `s` if its deps are witnessed, else floats it; runs the cascade. */
  private place(s: SignedIntention): InsertOutcome {
    if (isBeyondSkew(s.intention.timestamp, this.now())) {
      this.float(s.hash, [SKEW_HOLD]);
      return 'held';
    }
    const deps = this.deps(s.intention);
    if (deps.missing.length > 0) {
      this.float(s.hash, deps.missing);
      for (const m of deps.missing) if (this.t.floating.getBinaryFast(this.hashKeys.of(m)) === undefined) this.missing.set(Buffer.from(m).toString('hex'), m);
      return 'floated';
    }
    this.witness(s, deps.entries, deps.foreign, false);
    this.cascade(s.hash);
    return 'witnessed';
  }

  /** Re-runs placement for held intentions of one kind (skew or authorization); `keep` says which stay held. */
  releaseHeld(sentinel: Hash, keep: (s: SignedIntention) => boolean): number {
    const prefix = storeKey(this.storeId, sentinel);
    let released = 0;
    for (const key of this.t.floatingIndex.getKeys({ start: prefix, end: prefixEnd(prefix) })) {
      const waiter = own(key.subarray(48, 80)) as Hash;
      const s = this.load(waiter);
      if (!s || keep(s)) continue;
      this.t.floatingIndex.removeSync(Buffer.from(key));
      this.t.floating.removeSync(hashKey(this.storeId, waiter));
      this.place(s);
      released++;
    }
    return released;
  }

  private load(hash: Hash): SignedIntention | undefined {
    const raw = this.t.intentions.get(Buffer.from(hash));
    return raw ? decodeSigned(own(raw), { verify: false }) : undefined;
  }

  private deps(i: Intention): { missing: Hash[]; entries: IndexEntry[]; foreign: boolean } {
    const all = isZero(i.storePrev) ? i.condition : [i.storePrev, ...i.condition];
    const missing: Hash[] = [];
    const entries: IndexEntry[] = [];
    let foreign = false;
    for (const d of all) {
      const e = this.entry(d);
      if (e) {
        entries.push(e);
        continue;
      }
      // A dep stored under another store breaks the same-store rule: known now, so rejected, not floated.
      const other = this.t.intentions.get(Buffer.from(d));
      if (other && !bytesEqual(other.subarray(44, 60), this.storeId)) foreign = true;
      else missing.push(d);
    }
    return { missing, entries, foreign };
  }

  private float(hash: Hash, waitingFor: readonly Hash[]): void {
    this.mayFloat = true;
    this.t.floating.putSync(hashKey(this.storeId, hash), EMPTY);
    for (const m of waitingFor) this.t.floatingIndex.putSync(storeKey(this.storeId, m, hash), EMPTY);
  }

  private upgradeRow(hash: Hash): UpgradeRow | undefined {
    let row = this.upgradeCache.get(hash);
    if (!row) {
      const raw = peek(this.t.upgrades, this.hashKeys.of(hash));
      if (!raw) return undefined;
      row = decodeUpgrade(raw);
      this.upgradeCache.set(own(hash), row);
    }
    return row;
  }

  private witness(s: SignedIntention, parents: readonly IndexEntry[], foreign: boolean, wasFloating = true): void {
    const i = s.intention;
    const prevEntry = isZero(i.storePrev) ? undefined : parents[0];
    const envelopeOk = !foreign && parents.every((p) => compareHlc(p.hlc, i.timestamp) < 0) && (!prevEntry || bytesEqual(prevEntry.author, i.author));
    // Upgrade in force: the max by (hlc, hash) over the parents' upgrades, or this intention if it is one.
    let upgrade: Hash = ZERO_HASH;
    let best: UpgradeRow | undefined;
    for (const p of parents) {
      if (isZero(p.upgrade)) continue;
      const row = this.upgradeRow(p.upgrade);
      if (!row) continue;
      const c = best ? compareHlc(row.hlc, best.hlc) || compareBytes(p.upgrade, upgrade) : 1;
      if (c > 0) {
        best = row;
        upgrade = p.upgrade;
      }
    }
    const up = envelopeOk ? upgradeOf(i.ops) : null;
    // Genesis starts the chain of upgrades (only without one in force); a ModuleUpgrade needs one in force.
    if (up && (up.op === 'Genesis') === !best) {
      const row: UpgradeRow = { cid: up.cid, limits: up.limits ?? best?.limits ?? DEFAULT_LIMITS, hlc: i.timestamp };
      this.t.upgrades.putSync(hashKey(this.storeId, s.hash), encodeUpgrade(row));
      this.upgradeCache.set(s.hash, row);
      upgrade = s.hash;
      if (up.op === 'Genesis' && !this.head.genesis) this.head.genesis = s.hash;
      const lu = this.head.latestUpgrade;
      if (!lu || (compareHlc(i.timestamp, lu.hlc) || compareBytes(s.hash, lu.hash)) > 0) this.head.latestUpgrade = { hash: s.hash, hlc: i.timestamp };
    }
    const seq = this.head.seq + 1;
    const record = encodeWitnessRecord({ intentionHash: s.hash, wallTime: this.now(), prevRecordHash: this.head.recordHash }, this.recordBuf);
    this.t.witnessLog.putSync(this.seqKeys.seq(seq), record);
    const entry: IndexEntry = { seq, hlc: i.timestamp, author: i.author, upgrade, envelopeOk, height: (prevEntry?.height ?? 0) + 1 };
    const hk = this.hashKeys.of(s.hash);
    this.t.witnessIndex.putSync(hk, encodeIndexEntry(entry, this.entryBuf));
    this.entries.set(s.hash, entry);
    const tip = this.tips.get(i.author);
    if (tip) {
      tip.hash = s.hash;
      tip.seq = seq;
    } else this.tips.set(i.author, { author: i.author, hash: s.hash, seq });
    if (wasFloating) this.t.floating.removeSync(hk);
    this.head.seq = seq;
    this.head.recordHash = recordHash(record);
    this.head.clock = maxHlc(this.head.clock ?? HLC_ZERO, i.timestamp as Hlc);
    this.witnessed.push({ seq, hash: s.hash, signed: s, entry });
    if (this.missing.size > 0) this.missing.delete(Buffer.from(s.hash).toString('hex'));
  }

  /** Writes what the batch kept in memory (author tips). Call once, before the transaction commits. */
  flush(): void {
    for (const { author, hash, seq } of this.tips.values()) {
      const tip = new Uint8Array(40);
      tip.set(hash, 0);
      new DataView(tip.buffer).setBigUint64(32, BigInt(seq), true);
      this.t.authorTips.putSync(storeKey(this.storeId, author), tip);
    }
    this.tips.clear();
  }

  /** Releases what waits on `first`, iteratively (a long chain arriving backwards never recurses). */
  private cascade(first: Hash): void {
    if (this.mayFloat === undefined) {
      const prefix = storeKey(this.storeId);
      this.mayFloat = false;
      for (const key of this.t.floatingIndex.getKeys({ start: prefix, end: prefixEnd(prefix), limit: 1 })) this.mayFloat = key !== undefined;
    }
    if (!this.mayFloat) return; // nothing of this store floats: no waiter to release
    const queue: Hash[] = [first];
    while (queue.length > 0) {
      const h = queue.pop()!;
      const prefix = storeKey(this.storeId, h);
      const waiters: Hash[] = [];
      for (const key of this.t.floatingIndex.getKeys({ start: prefix, end: prefixEnd(prefix) })) {
        waiters.push(own(key.subarray(48, 80)) as Hash);
        this.t.floatingIndex.removeSync(Buffer.from(key));
      }
      for (const w of waiters) {
        if (this.t.floating.get(hashKey(this.storeId, w)) === undefined) continue;
        const s = this.load(w);
        if (!s) continue;
        const deps = this.deps(s.intention);
        if (deps.missing.length > 0) {
          this.float(w, deps.missing);
          continue;
        }
        this.witness(s, deps.entries, deps.foreign);
        queue.push(w);
      }
    }
  }
}

export function seqBytes(seq: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(seq), false);
  return b;
}
