// Projection (DESIGN §3): applies witnessed intentions in seq order with the module in force (§4.4), handles
// system ops (§5), writes state, the state hash and one projection record per seq, all in the caller's transaction.
// A deterministic rejection is a record like any other; a host fault (a throw from the engine or machine, an
// unknown ops tag) stops projection at that seq and pauses the store, while witnessing goes on.
import {
  asLatticeError, decodeOps, decodeSigned, isLatticeError, isZero, LatticeError, MAX_KEY, MAX_VALUE, REJECTION, toHex, ZERO_CID,
  bytesEqual, compareBytes, type Cid, type Hash, type SignedIntention, type StoreId,
} from '../model/index.js';
import { hashKey, KeyScratch, NS_MODULE, NS_SYSTEM, own, prefixEnd, rowKey, seqKey, stateKey, type Tables } from '../storage/index.js';
import type { StoreEngine, StoreMeta } from './engine.js';
import type { HeadState, PauseInfo } from './head-state.js';
import {
  decodeIndexEntry, decodeUpgrade, decodeWitnessRecord, encodeProjection, PROJECTION_RECORD_LEN, writesDigest, type IndexEntry, type NsWrite, type ProjectionRecord,
} from './records.js';
import type { StateMachine } from './state-machine.js';
import { applyWrites, StateCache, TableStateReader } from './state-view.js';
import { unauthorizedRow } from './dag.js';
import { decodeKernelOp, decodeSystemOp, packValue, unpackValue, type KernelSystemOp, type SystemOpHandler, type SystemState } from './system-ops.js';

export interface ProjectedRecord extends ProjectionRecord {
  readonly seq: number;
  readonly hash: Hash;
}

/** The system table of one apply: reads see its own writes; writes reach the store only when the op applies. */
class SystemOverlay implements SystemState {
  readonly writes = new Map<string, Uint8Array | null>();
  constructor(private readonly t: Tables, private readonly storeId: StoreId) {}
  get(key: string): unknown {
    const w = this.writes.get(key);
    if (w !== undefined) return w === null ? undefined : unpackValue(w);
    const raw = this.t.state.get(stateKey(this.storeId, NS_SYSTEM, Buffer.from(key, 'utf8')));
    return raw === undefined ? undefined : unpackValue(own(raw));
  }
  set(key: string, value: unknown): void {
    this.writes.set(key, value === undefined || value === null ? null : packValue(value));
  }
  delete(key: string): void {
    this.writes.set(key, null);
  }
  nsWrites(): NsWrite[] {
    return [...this.writes].map(([k, v]) => ({ key: Uint8Array.of(NS_SYSTEM, ...Buffer.from(k, 'utf8')), value: v }));
  }
}

/** An (hlc, author, hash) stamp as fixed-width hex: string order is LWW order. */
export function stampOf(s: SignedIntention): string {
  const t = s.intention.timestamp;
  return `${t.wallMs.toString(16).padStart(14, '0')}.${t.counter.toString(16).padStart(8, '0')}.${toHex(s.intention.author)}.${toHex(s.hash)}`;
}

export class Projector {
  private readonly machines = new Map<string, StateMachine>();
  private readonly handlers = new Map<string, SystemOpHandler>();
  /** Frozen equivocators: author hex → the height of their fork point (DESIGN §3). */
  private frozen = new Map<string, number>();
  /** Per run(): whether any intention of this store is marked unauthorized (none: no lookup per intention). */
  private anyUnauthorized = true;
  /** Per run(): the live state as this run read and wrote it (write-through; a re-projection starts a new run). */
  private cache: StateCache | undefined;
  private lastMachine: { upgrade: Hash; machine: StateMachine } | undefined;
  private readonly seqKeys: KeyScratch;
  private readonly recordBuf = new Uint8Array(PROJECTION_RECORD_LEN);

  constructor(
    private readonly storeId: StoreId,
    private readonly t: Tables,
    private readonly meta: StoreMeta,
    private readonly engine: StoreEngine,
  ) {
    for (const h of engine.systemHandlers ?? []) for (const op of h.ops) this.handlers.set(op, h);
    this.seqKeys = new KeyScratch(storeId, 24);
  }

  /** The machine for an upgrade (Genesis/ModuleUpgrade hash); throws (a host fault) if the engine cannot give one. */
  machineFor(upgrade: Hash): StateMachine {
    const last = this.lastMachine;
    if (last && bytesEqual(last.upgrade, upgrade)) return last.machine; // one upgrade in force for long runs of seqs
    const id = toHex(upgrade);
    let m = this.machines.get(id);
    if (!m) {
      const raw = this.t.upgrades.get(hashKey(this.storeId, upgrade));
      if (!raw) throw new LatticeError('E_HOST_FAULT', `no upgrade row for ${id}`);
      const row = decodeUpgrade(raw);
      m = this.engine.machineFor(row.cid, row.limits);
      this.machines.set(id, m);
    }
    this.lastMachine = { upgrade: new Uint8Array(upgrade) as Hash, machine: m };
    return m;
  }

  /** Projects (head.projected, head.seq] unless paused; returns the records written. `recent`: seqs this batch witnessed. */
  run(head: HeadState, recent?: ReadonlyMap<number, { signed: SignedIntention; entry: IndexEntry }>): ProjectedRecord[] {
    const out: ProjectedRecord[] = [];
    if (head.paused || head.projected >= head.seq) return out;
    this.frozen = this.loadFrozen();
    const marked = rowKey(this.storeId, 'unauthorized:');
    this.anyUnauthorized = false;
    for (const key of this.t.storeRows.getKeys({ start: marked, end: prefixEnd(marked), limit: 1 })) this.anyUnauthorized = key !== undefined;
    this.cache = new StateCache();
    try {
      while (!head.paused && head.projected < head.seq) {
        const seq = head.projected + 1;
        try {
          const r = this.projectOne(seq, head, recent?.get(seq));
          out.push(r);
        } catch (e) {
          const err = asLatticeError(e);
          const pause: PauseInfo = { code: err.code, message: err.message, seq };
          head.paused = pause;
        }
      }
    } finally {
      this.cache = undefined;
    }
    return out;
  }

  private loadFrozen(): Map<string, number> {
    const out = new Map<string, number>();
    const prefix = rowKey(this.storeId, 'frozen:');
    for (const { key, value } of this.t.storeRows.getRange({ start: prefix, end: prefixEnd(prefix) })) {
      const author = Buffer.from(key as Uint8Array).subarray(prefix.length).toString('latin1');
      const forkPoint = own(value) as Hash;
      const e = isZero(forkPoint) ? undefined : this.t.witnessIndex.get(hashKey(this.storeId, forkPoint));
      out.set(author, e ? decodeIndexEntry(e).height : isZero(forkPoint) ? 0 : Number.MAX_SAFE_INTEGER);
    }
    return out;
  }

  /** Equivocators' names and fork heights, for info(). */
  frozenAuthors(): string[] {
    return [...this.loadFrozen().keys()];
  }

  private load(seq: number): { signed: SignedIntention; entry: IndexEntry } {
    const rec = this.t.witnessLog.get(seqKey(this.storeId, seq));
    if (!rec) throw new LatticeError('E_HOST_FAULT', `witness record ${seq} is missing`, { seq });
    const hash = decodeWitnessRecord(rec).intentionHash;
    const entryRaw = this.t.witnessIndex.get(hashKey(this.storeId, hash));
    const bytes = this.t.intentions.get(Buffer.from(hash));
    if (!entryRaw || !bytes) throw new LatticeError('E_HOST_FAULT', `intention of seq ${seq} is missing`, { seq });
    return { signed: decodeSigned(own(bytes), { verify: false }), entry: decodeIndexEntry(entryRaw) };
  }

  private projectOne(seq: number, head: HeadState, known?: { signed: SignedIntention; entry: IndexEntry }): ProjectedRecord {
    const { signed: s, entry } = known ?? this.load(seq);
    const hash = s.hash;
    let cid: Cid = ZERO_CID;
    let code: number;
    let writes: NsWrite[] = [];
    const forkHeight = this.frozen.size > 0 ? this.frozen.get(toHex(s.intention.author)) : undefined;
    if (!entry.envelopeOk) code = REJECTION.E_ENVELOPE;
    else if (forkHeight !== undefined && entry.height > forkHeight) code = REJECTION.E_EQUIVOCATION;
    else {
      const inForce = isZero(entry.upgrade) ? undefined : this.machineFor(entry.upgrade);
      if (inForce) cid = inForce.cid;
      // Marked unauthorized ('reject-witness', or a revoke that landed after it was applied): app and system ops
      // alike, the record a machine's rejection gives (cid of the module in force, no writes).
      if (this.anyUnauthorized && this.t.storeRows.get(unauthorizedRow(this.storeId, hash)) !== undefined) code = REJECTION.E_UNAUTHORIZED;
      else ({ code, writes } = this.apply(s, inForce));
    }
    const sorted = collapse(writes);
    const digest = writesDigest(sorted, code);
    applyWrites(this.t.state, this.storeId, sorted, head.stateHash, this.cache);
    const record: ProjectionRecord = { cid, result: code, writesDigest: digest, stateHash: new Uint8Array(head.stateHash) as Hash };
    this.t.projection.putSync(this.seqKeys.seq(seq), encodeProjection(record, this.recordBuf));
    head.projected = seq;
    return { ...record, seq, hash };
  }

  /** Applies one intention's ops (system natively, app with the machine in force): its result and write set. */
  private apply(s: SignedIntention, inForce: StateMachine | undefined): { code: number; writes: NsWrite[] } {
    const env = decodeOps(s.intention.ops); // an unknown tag throws E_UNSUPPORTED_OP_VERSION: pause
    if (env.kind === 'system') {
      const overlay = new SystemOverlay(this.t, this.storeId);
      const code = this.system(s, env.body, overlay);
      return { code, writes: code === 0 ? overlay.nsWrites() : [] };
    }
    if (!inForce) return { code: REJECTION.E_ENVELOPE, writes: [] }; // app data with no Genesis among its ancestors
    const outcome = inForce.apply({ hash: s.hash, intention: s.intention, body: env.body }, new TableStateReader(this.t.state, this.storeId, NS_MODULE, this.cache));
    if (outcome.code !== 0) return { code: outcome.code, writes: [] };
    const big = outcome.writes.find((w) => w.key.length > MAX_KEY || (w.value?.length ?? 0) > MAX_VALUE);
    if (big) return { code: big.key.length > MAX_KEY ? REJECTION.E_KEY_TOO_LARGE : REJECTION.E_VALUE_TOO_LARGE, writes: [] };
    return { code: 0, writes: outcome.writes.map((w) => ({ key: Uint8Array.of(NS_MODULE, ...w.key), value: w.value })) };
  }

  /** A system op's result code; its writes stay in the overlay. */
  private system(s: SignedIntention, body: Uint8Array, sys: SystemOverlay): number {
    try {
      const op = decodeSystemOp(body);
      const k = decodeKernelOp(op);
      if (k) return this.kernelOp(k, s, sys);
      const handler = this.handlers.get(op.op);
      if (!handler) return REJECTION.E_MALFORMED_SYSTEM_OP;
      return handler.apply(op, { hash: s.hash, intention: s.intention, body }, sys).code;
    } catch (e) {
      if (isLatticeError(e) && e.code in REJECTION) return REJECTION[e.code as keyof typeof REJECTION];
      throw e;
    }
  }

  private kernelOp(k: KernelSystemOp, s: SignedIntention, sys: SystemState): number {
    const stamp = stampOf(s);
    const newer = (row: unknown): boolean => !row || (row as { stamp: string }).stamp < stamp;
    switch (k.op) {
      case 'Genesis':
        if (sys.get('genesis') !== undefined || k.storeType !== this.meta.storeType) return REJECTION.E_MALFORMED_SYSTEM_OP;
        sys.set('genesis', { hash: s.hash, storeType: k.storeType, cid: k.cid, limits: k.limits });
        sys.set('module', { cid: k.cid, limits: k.limits, stamp });
        return 0;
      case 'ModuleUpgrade': {
        if (sys.get('genesis') === undefined) return REJECTION.E_MALFORMED_SYSTEM_OP;
        const cur = sys.get('module') as { limits: unknown } | undefined;
        if (newer(cur)) sys.set('module', { cid: k.cid, limits: k.limits ?? cur?.limits, stamp });
        return 0;
      }
      case 'SetName':
        if (newer(sys.get('name'))) sys.set('name', { name: k.name, stamp });
        return 0;
    }
  }
}

/** Sorted by key, one write per key (the last one wins). */
function collapse(writes: NsWrite[]): NsWrite[] {
  if (writes.length <= 1) return writes;
  const byKey = new Map<string, NsWrite>();
  for (const w of writes) byKey.set(Buffer.from(w.key).toString('latin1'), w);
  return [...byKey.values()].sort((a, b) => compareBytes(a.key, b.key));
}
