// A store: the single-writer actor (DESIGN §3). Every mutation (ingest, submit, resume, rebuild) runs through one
// FIFO queue and commits one LMDB write transaction per batch: DAG rows, floating index, witness and projection
// records, state, state hash, author tips, the signed head. Reads (store-reads.ts) never wait on the queue.
import {
  asLatticeError, compareBytes, decodeSigned, encodeAppOps, encodeSigned, isBeyondSkew, issueHlc, LatticeError, MAX_BATCH, maxHlc,
  bytesEqual, signIntention, toHex, ZERO_CID, ZERO_HASH, type Cid, type Hash, type NodeId, type NodeKey, type SignedIntention,
} from '../model/index.js';
import { own, prefixEnd, rowKey, storeKey } from '../storage/index.js';
import { saveCheckpoint, saveHead, saveSignedHead, cloneHead, loadHead, type HeadState, type PauseInfo } from './head-state.js';
import { AUTH_HOLD, DagTxn, SKEW_HOLD, type WitnessedItem } from './dag.js';
import { signHead, verifyAll, verifyTail, type VerifyReport } from './chain.js';
import type { StoreMeta } from './engine.js';
import { Projector, type ProjectedRecord } from './projector.js';
import type { Call, QueryOutcome, StateReader } from './state-machine.js';
import { TableStateReader } from './state-view.js';
import { StoreReads } from './store-reads.js';
import { rebuildProjection, resetProjection, type RebuildReport } from './rebuild.js';
import type { IngestReport, Prepared, StoreDeps, StoreInfo, WitnessedEvent } from './store-types.js';

export type { IngestItemError, IngestReport, StoreDeps, StoreInfo, WitnessedEvent } from './store-types.js';

export class Store extends StoreReads {
  readonly meta: StoreMeta;
  private head: HeadState;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly listeners = new Set<(events: readonly WitnessedEvent[]) => void>();
  private readonly projector: Projector;
  private readonly now: () => number;
  private skewTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly deps: StoreDeps) {
    super(deps.meta.storeId, deps.env.tables);
    this.meta = deps.meta;
    this.now = deps.now ?? Date.now;
    this.head = loadHead(this.tables.storeRows, this.storeId);
    this.projector = new Projector(this.storeId, this.tables, this.meta, deps.engine);
  }

  /** Opens a store: checks the chain from the last checkpoint, re-arms holds, resumes projection. */
  static async open(deps: StoreDeps): Promise<Store> {
    const store = new Store(deps);
    const signed = verifyTail(store.tables, store.storeId, deps.nodeKey.publicKey, store.head);
    store.commit((head, dag) => {
      saveCheckpoint(store.tables.storeRows, store.storeId, { seq: signed.seq, recordHash: signed.recordHash });
      head.paused = null; // a host fault pauses until restart or resume
      dag.releaseHeld(SKEW_HOLD, (s) => isBeyondSkew(s.intention.timestamp, store.now()));
    });
    store.armSkewTimer();
    return store;
  }

  get storeType(): string {
    return this.meta.storeType;
  }

  /** Runs `fn` after every mutation queued before it (single writer). */
  private run<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.closed) return Promise.reject(new LatticeError('E_CLOSED', 'store is closed'));
    const next = this.queue.then(fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * One write transaction: `fn` mutates a draft head through a DagTxn; projection runs; the head is signed if the
   * log grew. The in-memory head changes only after the commit (a failed transaction leaves everything as it was).
   */
  private commit<T>(fn: (head: HeadState, dag: DagTxn) => T): { result: T; events: WitnessedEvent[] } {
    const c = this.batch(fn);
    const result = this.deps.env.transaction(c.body);
    return { result, events: c.done() };
  }

  /**
   * `commit` with the commit's fsync on lmdb's write thread (remote ingest): this thread decodes and verifies the
   * next batch meanwhile. Resolves, and moves the in-memory head, only once the batch is durable.
   */
  private async commitAsync<T>(fn: (head: HeadState, dag: DagTxn) => T): Promise<{ result: T; events: WitnessedEvent[] }> {
    const c = this.batch(fn);
    const result = await this.deps.env.transactionAsync(c.body);
    return { result, events: c.done() };
  }

  /** A batch's transaction body, and what to do once it committed (adopt the draft head, list the events). */
  private batch<T>(fn: (head: HeadState, dag: DagTxn) => T): { body: () => T; done: () => WitnessedEvent[] } {
    const draft = cloneHead(this.head);
    const before = draft.seq;
    let dag!: DagTxn;
    let projected: ProjectedRecord[] = [];
    const body = (): T => {
      dag = new DagTxn(this.storeId, this.tables, draft, this.now);
      const r = fn(draft, dag);
      dag.flush();
      if (dag.reproject) resetProjection(this.deps.env, this.storeId, draft); // an equivocator's applied writes go
      projected = this.projector.run(draft, new Map(dag.witnessed.map((w) => [w.seq, w])));
      if (draft.seq !== before) saveSignedHead(this.tables.storeRows, this.storeId, signHead(this.deps.nodeKey, this.storeId, draft.seq, draft.recordHash));
      saveHead(this.tables.storeRows, this.storeId, draft);
      return r;
    };
    const done = (): WitnessedEvent[] => {
      this.head = draft;
      const bySeq = new Map(projected.map((p) => [p.seq, p]));
      return dag.witnessed.map((w: WitnessedItem) => ({ seq: w.seq, hash: w.hash, signed: w.signed, projection: bySeq.get(w.seq) }));
    };
    return { body, done };
  }

  private emit(events: WitnessedEvent[]): void {
    if (events.length === 0) return;
    for (const l of this.listeners) {
      try {
        l(events);
      } catch {
        // a listener's failure is its own; the commit stands
      }
    }
  }

  /** Fired after each commit with the intentions it witnessed (seq order). Returns the unsubscribe function. */
  onWitnessed(listener: (events: readonly WitnessedEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Decodes and verifies outside the queue (so verification of the next batch overlaps this one's commit). */
  private async prepare(items: readonly (Uint8Array | SignedIntention)[]): Promise<Prepared> {
    const report: IngestReport = { witnessed: 0, floated: 0, duplicates: 0, rejected: 0, evidence: 0, held: 0, errors: [], missing: [] };
    const decoded: Prepared['items'] = [];
    items.forEach((item, index) => {
      try {
        const bytes = item instanceof Uint8Array ? new Uint8Array(item) : encodeSigned(item);
        const signed = decodeSigned(bytes, { verify: false });
        if (!bytesEqual(signed.intention.storeId, this.storeId)) {
          throw new LatticeError('E_UNKNOWN_STORE', `intention for store ${toHex(signed.intention.storeId)} sent to ${toHex(this.storeId)}`, { storeId: toHex(signed.intention.storeId) });
        }
        if (this.has(signed.hash)) report.duplicates++;
        else decoded.push({ index, signed, bytes });
      } catch (e) {
        report.rejected++;
        report.errors.push({ index, error: asLatticeError(e, 'E_MALFORMED_INTENTION') });
      }
    });
    const ok = await this.deps.verifyPool.verify(decoded.map((d) => d.signed));
    const verified = decoded.filter((d, k) => {
      if (ok[k]) return true;
      report.rejected++;
      report.errors.push({ index: d.index, hash: d.signed.hash, error: new LatticeError('E_BAD_SIGNATURE', 'intention signature does not verify', { hash: toHex(d.signed.hash) }) });
      return false;
    });
    return { items: verified, report };
  }

  /** Ingests remote (or any) SignedIntentions: bytes or decoded. Per-item failures are in the report, typed. */
  async ingest(items: readonly (Uint8Array | SignedIntention)[]): Promise<IngestReport> {
    const total: IngestReport = { witnessed: 0, floated: 0, duplicates: 0, rejected: 0, evidence: 0, held: 0, errors: [], missing: [] };
    // Chunk k+1 decodes and verifies (on the pool) while chunk k commits.
    let next: Promise<Prepared> | null = items.length > 0 ? this.prepare(items.slice(0, MAX_BATCH)) : null;
    for (let start = 0; next; start += MAX_BATCH) {
      const prepared = await next;
      const committing = this.run(() => this.commitPrepared(prepared));
      next = start + MAX_BATCH < items.length ? this.prepare(items.slice(start + MAX_BATCH, start + 2 * MAX_BATCH)) : null;
      const r = await committing.catch((e: unknown) => {
        next?.catch(() => undefined); // the next chunk is abandoned with this error
        throw e;
      });
      for (const k of ['witnessed', 'floated', 'duplicates', 'rejected', 'evidence', 'held'] as const) total[k] += r[k];
      total.errors.push(...r.errors.map((e) => ({ ...e, index: e.index + start })));
      total.missing.push(...r.missing);
    }
    return total;
  }

  private async commitPrepared(p: Prepared): Promise<IngestReport> {
    const report = p.report;
    const authorize = this.deps.engine.authorize;
    const { result: missing, events } = await this.commitAsync((_head, dag) => {
      for (const { index, signed, bytes } of p.items) {
        const verdict = authorize ? authorize.call(this.deps.engine, signed, signed.hash) : 'ok';
        if (verdict === 'reject') {
          report.rejected++;
          report.errors.push({ index, hash: signed.hash, error: new LatticeError('E_UNAUTHORIZED', 'the author may not write to this store', { hash: toHex(signed.hash) }) });
          continue;
        }
        const outcome = dag.insert(signed, bytes, verdict === 'float' ? AUTH_HOLD : null);
        if (verdict === 'reject-witness' && outcome !== 'duplicate' && outcome !== 'evidence') {
          // Stored and witnessed (or floating until its deps are), projected as rejected: reported as refused too.
          dag.markUnauthorized(signed.hash);
          report.rejected++;
          report.errors.push({ index, hash: signed.hash, error: new LatticeError('E_UNAUTHORIZED', 'the author may no longer write to this store: witnessed as rejected', { hash: toHex(signed.hash), witnessed: true }) });
        }
        if (outcome === 'floated') report.floated++;
        else if (outcome === 'duplicate') report.duplicates++;
        else if (outcome === 'evidence') report.evidence++;
        else if (outcome === 'held') report.held++;
      }
      return [...dag.missing.values()];
    });
    report.witnessed = events.length; // this batch's and the floating ones it released
    report.missing = missing;
    this.emit(events);
    this.armSkewTimer();
    return report;
  }

  /**
   * A local write: issues the HLC, chains it on this node's last issued intention, conditions it on `deps` (which
   * must be witnessed) plus genesis / the latest upgrade (DESIGN §4.4), signs it and commits it through the same
   * ingest path. Resolves once it is durable (the commit is fsync'd before the next intention is signed).
   */
  submit(ops: Uint8Array, deps: readonly Hash[] = []): Promise<SignedIntention> {
    return this.run(() => this.submitLocked(ops, deps));
  }

  private submitLocked(ops: Uint8Array, deps: readonly Hash[]): SignedIntention {
    const h = this.head;
    const condition = new Map<string, Hash>();
    for (const d of deps) {
      if (!(d instanceof Uint8Array) || d.length !== 32 || !this.isWitnessed(d)) throw new LatticeError('E_BAD_ARGUMENT', `dep ${d instanceof Uint8Array ? toHex(d) : String(d)} is not witnessed in this store`);
      condition.set(toHex(d), d);
    }
    if (!h.local && h.genesis) condition.set(toHex(h.genesis), h.genesis);
    if (h.latestUpgrade) {
      const inForce = h.local ? this.tables.witnessIndex.get(Buffer.concat([this.storeId, h.local.hash])) : undefined;
      const localUpgrade = inForce ? inForce.subarray(52, 84) : ZERO_HASH;
      if (!bytesEqual(localUpgrade, h.latestUpgrade.hash)) condition.set(toHex(h.latestUpgrade.hash), h.latestUpgrade.hash);
    }
    const sorted = [...condition.values()].sort(compareBytes);
    const clock = h.local ? maxHlc(h.clock, h.local.hlc) : h.clock;
    const timestamp = issueHlc(clock, this.now());
    const intention = { author: this.deps.nodeKey.publicKey, timestamp, storeId: this.storeId, storePrev: h.local?.hash ?? ZERO_HASH, condition: sorted, ops };
    const encodingSigned = encodeSigned(signIntention(this.deps.nodeKey, intention));
    const signed = decodeSigned(encodingSigned, { verify: false });
    const { events } = this.commit((head, dag) => {
      head.local = { hash: signed.hash, hlc: timestamp };
      head.clock = maxHlc(head.clock, timestamp);
      const outcome = dag.insert(signed, encodingSigned);
      if (outcome !== 'witnessed') throw new LatticeError('E_HOST_FAULT', `local intention was ${outcome}, not witnessed`);
    });
    this.emit(events);
    return signed;
  }

  /** Runs a command through the machine in force; its appends become local intentions. */
  async command(call: Call): Promise<{ intentions: SignedIntention[]; output: Uint8Array | null }> {
    return this.run(() => {
      const machine = this.machineInForce();
      const outcome = machine.command(call, this.stateReader(), {
        head: this.head.local?.hash ?? ZERO_HASH,
        isWitnessed: (hash) => this.isWitnessed(hash),
      });
      const intentions = outcome.appends.map((a) => this.submitLocked(encodeAppOps(a.body), a.deps));
      return { intentions, output: outcome.output };
    });
  }

  query(call: Call): QueryOutcome {
    return this.machineInForce().query(call, this.stateReader());
  }

  private machineInForce() {
    const up = this.head.latestUpgrade;
    if (!up) throw new LatticeError('E_BAD_ARGUMENT', 'the store has no genesis yet');
    return this.projector.machineFor(up.hash);
  }

  /** The live module state (what queries read). */
  stateReader(): StateReader {
    return new TableStateReader(this.tables.state, this.storeId);
  }

  info(): StoreInfo {
    const h = this.head;
    let cid: Cid = ZERO_CID;
    if (h.latestUpgrade) {
      const raw = this.tables.upgrades.get(Buffer.concat([this.storeId, h.latestUpgrade.hash]));
      if (raw) cid = new Uint8Array(raw.subarray(0, 32)) as Cid;
    }
    return {
      storeId: this.storeId, storeType: this.meta.storeType, meshId: this.meta.meshId, seq: h.seq, projected: h.projected,
      stateHash: new Uint8Array(h.stateHash), heads: this.heads(), floating: this.floatingCount(), evidence: this.evidenceCount(),
      paused: h.paused, cid, genesis: h.genesis, localHead: h.local?.hash ?? null, equivocators: this.projector.frozenAuthors(),
    };
  }

  get stateHash(): Uint8Array {
    return new Uint8Array(this.head.stateHash);
  }

  get seq(): number {
    return this.head.seq;
  }

  /** Re-hashes the whole chain, every intention and the live state; throws E_TAMPERED naming the seq. */
  verify(): VerifyReport {
    return verifyAll(this.tables, this.storeId, this.deps.nodeKey.publicKey, this.head);
  }

  /** Clears a pause and projects what was witnessed meanwhile. */
  resume(): Promise<PauseInfo | null> {
    return this.run(() => {
      const { events } = this.commit((head) => {
        head.paused = null;
      });
      this.emit(events);
      return this.head.paused;
    });
  }

  /**
   * Re-evaluates held intentions (clock skew, authorization), e.g. after membership changed: 'ok' places them
   * (unmarked), 'reject-witness' places them marked unauthorized, 'float' and 'reject' keep them held.
   */
  recheckHeld(): Promise<number> {
    return this.run(() => {
      const { result, events } = this.commit((_h, dag) => {
        const auth = this.deps.engine.authorize;
        return dag.releaseHeld(SKEW_HOLD, (s) => isBeyondSkew(s.intention.timestamp, this.now())) +
          dag.releaseHeld(AUTH_HOLD, (s) => {
            const verdict = auth ? auth.call(this.deps.engine, s, s.hash) : 'ok';
            if (verdict === 'reject-witness') dag.markUnauthorized(s.hash);
            else if (verdict === 'ok') dag.clearUnauthorized(s.hash); // marked by a re-authorization while held
            return verdict === 'float' || verdict === 'reject';
          });
      });
      this.emit(events);
      return result;
    });
  }

  /**
   * Asks the authorization hook again about every intention of `authors` this store holds (witnessed, floating or
   * held; one range read of the kernel's per-author chain links, so the cost is the authors' intentions, never the
   * whole log): a verdict 'reject-witness' marks it unauthorized, 'ok' clears a mark, 'float' and 'reject' leave it
   * as it is (undecided). Membership is not monotone (a later root op can make a marked intention valid again, or a
   * valid one beyond a revoke), so marks follow the verdict both ways. If a projected intention changed, the store
   * re-projects from seq 1 in the same transaction, so its state is the one of a node that never marked it (or that
   * got the deciding op first). Idempotent. Returns how many marks were set or cleared.
   */
  reauthorize(authors: readonly NodeId[]): Promise<number> {
    return this.run(() => {
      const auth = this.deps.engine.authorize;
      if (!auth) return 0;
      const { result, events } = this.commit((_h, dag) => {
        let changed = 0;
        const seen = new Set<string>();
        for (const author of authors) {
          const prefix = storeKey(this.storeId, author);
          if (author.length !== 32 || seen.has(prefix.toString('hex'))) continue;
          seen.add(prefix.toString('hex'));
          // chainLinks: storeId ‖ author ‖ storePrev → the first intention on it (never evidence).
          for (const { value } of this.tables.chainLinks.getRange({ start: prefix, end: prefixEnd(prefix) })) {
            const s = this.load(own(value) as Hash);
            if (!s) continue;
            const verdict = auth.call(this.deps.engine, s, s.hash);
            if (verdict === 'reject-witness' ? dag.markUnauthorized(s.hash) : verdict === 'ok' && dag.clearUnauthorized(s.hash)) changed++;
          }
        }
        return changed;
      });
      this.emit(events);
      return result;
    });
  }

  /** Authors with an intention marked unauthorized in this store (what a re-authorization may have to clear). */
  markedAuthors(): NodeId[] {
    const prefix = rowKey(this.storeId, 'unauthorized:');
    const out = new Map<string, NodeId>();
    for (const key of this.tables.storeRows.getKeys({ start: prefix, end: prefixEnd(prefix) })) {
      const hex = Buffer.from(key as Uint8Array).subarray(prefix.length).toString('latin1');
      const raw = this.tables.intentions.get(Buffer.from(hex, 'hex'));
      if (raw) out.set(toHex(raw.subarray(0, 32)), own(raw.subarray(0, 32)) as NodeId);
    }
    return [...out.values()];
  }

  private load(hash: Hash): SignedIntention | undefined {
    const raw = this.getSigned(hash);
    return raw ? decodeSigned(raw, { verify: false }) : undefined;
  }

  private armSkewTimer(): void {
    if (this.skewTimer || this.closed) return;
    const prefix = Buffer.concat([this.storeId, SKEW_HOLD]);
    let any = false;
    for (const _ of this.tables.floatingIndex.getKeys({ start: prefix, limit: 1 })) any = Buffer.from(_ as Uint8Array).subarray(0, 48).equals(prefix);
    if (!any) return;
    this.skewTimer = setTimeout(() => {
      this.skewTimer = undefined;
      this.recheckHeld().then(() => this.armSkewTimer(), () => undefined);
    }, 1000);
    this.skewTimer.unref();
  }

  /**
   * Re-projects the store from its witness log (DESIGN §3): state, state hash and projection records are rebuilt
   * in one transaction. `dryRun` computes the same and rolls it back (a replay check).
   */
  rebuild(options: { dryRun?: boolean } = {}): Promise<RebuildReport> {
    return this.run(() => {
      const report = rebuildProjection(this.deps.env, this.storeId, this.head, this.projector, options.dryRun ?? false);
      if (!options.dryRun) this.head = report.head;
      return report;
    });
  }

  /**
   * Pauses projection with `info` (the node's hot-fix gate, when a ModuleUpgrade diverges from this store's history):
   * witnessing goes on, and the pause lasts until restart or resume, like a host fault's.
   */
  pauseWith(info: PauseInfo): Promise<void> {
    return this.run(() => {
      const { events } = this.commit((head) => {
        head.paused = { code: info.code, message: info.message, seq: info.seq };
      });
      this.emit(events);
    });
  }

  /** Resolves once every operation queued before this call (ingest batches, submits, rechecks) has committed. */
  settled(): Promise<void> {
    return this.run(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    if (this.skewTimer) clearTimeout(this.skewTimer);
    this.listeners.clear();
    await this.deps.engine.close?.();
  }
}
