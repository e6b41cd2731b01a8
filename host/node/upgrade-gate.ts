// The receive side of the hot-fix gate (DESIGN §4.4): a ModuleUpgrade that reaches this node from a peer is applied
// only once this node has replayed its own history with the new module and found it equivalent. The gate sits in
// front of the membership check (authorize.ts) in each Wasm store's engine: an upgrade without a passing verdict
// that covers it is held ('float', the kernel's AUTH_HOLD), so everything in its causal future floats on it, and a
// verification is queued. The queue runs one replay at a time for the whole node, spaced out (rate limit: a peer can
// make this node replay, so at most half of the time goes to replays). On a pass the verdict is cached in LMDB
// (upgrade-verdicts.ts), an attestation is signed, and the store is rechecked: the upgrade is witnessed and what
// waited on it is applied. On a divergence the verdict is cached with its report, the upgrade stays held and the
// store is paused with the report (`lattice store info` shows both), so this node never runs other code than its
// peers. Verdicts are final for a (store, CID): a divergent one is never replayed again, a passing one covers any
// upgrade to that CID whose parents it had witnessed.
import type { AuthorizeVerdict, Store, StoreMeta } from '../kernel/index.js';
import { decodeIndexEntry, upgradeOf } from '../kernel/index.js';
import {
  cidToString, decodeSigned, DEFAULT_LIMITS, isZero, toHex, type Cid, type ConsensusLimits, type Hash, type Intention, type SignedIntention, type StoreId,
} from '../model/index.js';
import { hashKey } from '../storage/index.js';
import type { ReplayReport, StoreInfo } from './api.js';
import { replayCheck, type ReplayOptions } from './hotfix.js';
import { logger } from './logger.js';
import type { Node } from './node.js';
import { signAttestation, stateHashAt, UpgradeVerdicts, witnessedFingerprint, type AttestationAlarm, type UpgradeVerdict } from './upgrade-verdicts.js';

const log = logger('lattice:node:upgrade');

export interface UpgradeGateOptions {
  /** Least pause between two replays (ms); the pause is also at least the last replay's duration. Default 250. */
  minGapMs?: number;
  /** Upgrades waiting at most; more are left held and queued again by the next recheck. Default 256. */
  maxQueue?: number;
}

type JobState = 'queued' | 'waiting-for-parents' | 'waiting-for-module' | 'verifying';

interface Job {
  readonly storeId: StoreId;
  readonly upgrade: Hash;
  readonly cid: Cid;
  readonly limits: ConsensusLimits | undefined;
  state: JobState;
  retryMs: number;
}

/** What `store info` shows of the gate (api.ts). */
export type UpgradeGateInfo = NonNullable<StoreInfo['upgrades']>;

export class UpgradeGate {
  readonly verdicts: UpgradeVerdicts;
  /** Replays this process ran for received upgrades, and their outcomes. */
  readonly metrics = { replays: 0, passed: 0, diverged: 0, deferred: 0, failed: 0 };
  /** Batch size and progress of the replays this gate runs (tests watch them; a kill test stops one mid-way). */
  replayOptions: Pick<ReplayOptions, 'batchSize' | 'onProgress'> = {};
  private readonly jobs = new Map<string, Job>();
  private readonly queue: string[] = [];
  private readonly parked = new Map<string, () => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private readonly minGapMs: number;
  private readonly maxQueue: number;
  private running: Promise<void> | null = null;
  private wake: NodeJS.Timeout | null = null;
  private nextAt = 0;
  private closed = false;

  constructor(private readonly node: Node, options: UpgradeGateOptions = {}) {
    this.verdicts = new UpgradeVerdicts(node.env);
    this.minGapMs = options.minGapMs ?? 250;
    this.maxQueue = options.maxQueue ?? 256;
  }

  /** The store's authorization: `membership` first, then, for a ModuleUpgrade it lets in, the gate. Never throws. */
  authorize(meta: StoreMeta, membership: (signed: SignedIntention, hash: Hash) => AuthorizeVerdict): (signed: SignedIntention, hash: Hash) => AuthorizeVerdict {
    return (signed, hash) => {
      const verdict = membership(signed, hash);
      if (verdict !== 'ok') return verdict;
      try {
        return this.check(meta.storeId, signed);
      } catch (e) {
        log.error('upgrade gate: %s', (e as Error).message);
        return 'float';
      }
    };
  }

  private check(storeId: StoreId, signed: SignedIntention): AuthorizeVerdict {
    const up = upgradeOf(signed.intention.ops);
    if (!up || up.op !== 'ModuleUpgrade') return 'ok';
    const verdicts = this.verdicts.list(storeId, up.cid);
    if (verdicts.some((v) => !v.equivalent)) return 'float'; // diverged here: held for good (start() re-pauses)
    if (this.covered(storeId, signed.intention, verdicts)) return 'ok';
    this.enqueue({ storeId, upgrade: signed.hash, cid: up.cid, limits: up.limits, state: 'queued', retryMs: 1000 });
    return 'float';
  }

  /** The highest seq among an intention's parents, or undefined while one is not witnessed. */
  private parentsSeq(storeId: StoreId, i: Intention): number | undefined {
    let max = 0;
    for (const d of isZero(i.storePrev) ? i.condition : [i.storePrev, ...i.condition]) {
      const raw = this.node.env.tables.witnessIndex.get(hashKey(storeId, d));
      if (!raw) return undefined;
      max = Math.max(max, decodeIndexEntry(raw).seq);
    }
    return max;
  }

  /** A passing verdict covers an upgrade whose causal past it replayed (every parent at or below its last seq). */
  private covered(storeId: StoreId, i: Intention, verdicts: readonly UpgradeVerdict[]): boolean {
    const need = this.parentsSeq(storeId, i);
    return need !== undefined && verdicts.some((v) => v.equivalent && v.seq >= need);
  }

  private enqueue(job: Job): void {
    const id = toHex(job.upgrade);
    if (this.jobs.has(id) || this.closed) return;
    if (this.jobs.size >= this.maxQueue) {
      this.metrics.deferred++;
      return;
    }
    this.jobs.set(id, job);
    this.queue.push(id);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.running || this.wake || this.queue.length === 0) return;
    this.wake = setTimeout(() => {
      this.wake = null;
      this.running = this.runNext().finally(() => {
        this.running = null;
        this.schedule();
      });
    }, Math.max(0, this.nextAt - Date.now()));
  }

  private async runNext(): Promise<void> {
    const id = this.queue.shift();
    const job = id ? this.jobs.get(id) : undefined;
    if (!id || !job) return;
    try {
      await this.process(id, job);
    } catch (e) {
      this.jobs.delete(id);
      if (this.closed) return;
      this.metrics.failed++;
      log.error('verification of upgrade %s failed: %s', id.slice(0, 12), (e as Error).message);
    }
  }

  /** Runs `fn` after `ms` unless the gate closes first. */
  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private async process(id: string, job: Job): Promise<void> {
    const store = await this.node.store(job.storeId);
    // The gate is asked inside an ingest batch whose commit may still be on lmdb's write thread: read what it
    // decided only once it has committed.
    await store.settled();
    const t = this.node.env.tables;
    const raw = store.getSigned(job.upgrade);
    if (!raw || store.isWitnessed(job.upgrade) || t.floating.get(hashKey(job.storeId, job.upgrade)) === undefined) {
      this.jobs.delete(id); // applied, or no longer held: nothing to verify
      return;
    }
    const signed = decodeSigned(raw, { verify: false });
    // Its causal past first: the replay must cover every ancestor of the upgrade, and it runs up to the projected seq
    // (a store paused by a host fault waits, else its verdict would never cover the upgrade and it would replay again).
    const need = this.parentsSeq(job.storeId, signed.intention);
    if (need === undefined || need > store.info().projected) {
      job.state = 'waiting-for-parents';
      this.park(store);
      return;
    }
    const verdicts = this.verdicts.list(job.storeId, job.cid);
    if (verdicts.some((v) => !v.equivalent) || this.covered(job.storeId, signed.intention, verdicts)) {
      this.jobs.delete(id);
      await store.recheckHeld();
      return;
    }
    try {
      await this.node.ensureModule(job.cid); // from the CAS, else fetched from a peer by CID
    } catch (e) {
      job.state = 'waiting-for-module';
      log.trace('upgrade %s: module %s: %s', id.slice(0, 12), cidToString(job.cid), (e as Error).message);
      this.later(job.retryMs, () => this.requeue(id));
      job.retryMs = Math.min(job.retryMs * 2, 60_000);
      return;
    }
    job.state = 'verifying';
    const machine = await this.node.machines.load(job.cid, job.limits ?? DEFAULT_LIMITS);
    const started = Date.now();
    this.metrics.replays++;
    let result: { report: ReplayReport; seq: number };
    try {
      result = await replayCheck(this.node, store, machine, { ...this.replayOptions, signal: this.abort.signal });
    } finally {
      // Rate limit: the next replay waits at least as long as this one took.
      this.nextAt = Date.now() + Math.max(this.minGapMs, Date.now() - started);
    }
    this.jobs.delete(id);
    const verdict = await this.record(store, job.cid, result, 'receive', job.upgrade);
    if (verdict.equivalent) {
      this.metrics.passed++;
      log('upgrade %s to %s verified on store %s (%d intentions)', id.slice(0, 12), cidToString(job.cid), toHex(job.storeId).slice(0, 8), verdict.intentions);
      await store.recheckHeld();
    } else {
      this.metrics.diverged++;
      log.error('upgrade %s to %s diverges from store %s at seq %d: held, store paused', id.slice(0, 12), cidToString(job.cid), toHex(job.storeId), verdict.seq);
      await store.pauseWith(pauseOf(verdict));
    }
  }

  private requeue(id: string): void {
    const job = this.jobs.get(id);
    if (!job || this.queue.includes(id)) return;
    job.state = 'queued';
    this.queue.push(id);
    this.schedule();
  }

  /** Waits for more of a store to be witnessed, then queues its upgrades that waited for their parents. */
  private park(store: Store): void {
    const sid = toHex(store.meta.storeId);
    if (this.parked.has(sid)) return;
    const off = store.onWitnessed(() => {
      off();
      this.parked.delete(sid);
      for (const [id, job] of this.jobs) if (toHex(job.storeId) === sid && job.state === 'waiting-for-parents') this.requeue(id);
    });
    this.parked.set(sid, off);
  }

  /** Caches a verdict and, when it passes, signs and stores this node's attestation. */
  async record(store: Store, cid: Cid, result: { report: ReplayReport; seq: number }, by: 'publish' | 'receive', upgrade: Hash | null): Promise<UpgradeVerdict> {
    const t = this.node.env.tables;
    const storeId = store.meta.storeId;
    const { report, seq } = result;
    const verdict: UpgradeVerdict = {
      storeId, cid, fingerprint: witnessedFingerprint(t, storeId, seq), equivalent: report.equivalent, seq,
      stateHash: stateHashAt(t, storeId, report.equivalent ? seq : seq - 1), intentions: report.intentions, upgrade, by, at: Date.now(),
      firstDivergence: report.firstDivergence,
    };
    await this.verdicts.put(verdict);
    if (verdict.equivalent) {
      await this.verdicts.attest(signAttestation(this.node.key, { storeId, cid, fingerprint: verdict.fingerprint, stateHash: verdict.stateHash }));
    }
    return verdict;
  }

  /**
   * After the stores opened: re-pauses stores whose held upgrade diverged (a pause ends with the process), and
   * rechecks stores that hold intentions, so upgrades held when the node stopped are verified (or let in by a
   * cached verdict, without a replay).
   */
  async start(): Promise<void> {
    for (const meta of this.node.manager.list()) {
      const store = this.node.openedStore(meta.storeId);
      if (!store) continue;
      const diverged = this.verdicts.list(meta.storeId).filter((v) => !v.equivalent && v.upgrade && !store.isWitnessed(v.upgrade));
      if (diverged[0] && !store.info().paused) await store.pauseWith(pauseOf(diverged[0]));
      if (store.floatingCount() > 0) await store.recheckHeld();
    }
  }

  /** What `store info` shows: upgrades waiting, verdicts (with the divergence report), attestations, alarms. */
  info(storeId: StoreId): UpgradeGateInfo | undefined {
    const verdicts = this.verdicts.list(storeId);
    const pending = [...this.jobs.values()].filter((j) => toHex(j.storeId) === toHex(storeId));
    const attestations = this.verdicts.attestations(storeId);
    const alarms = this.verdicts.alarms(storeId);
    if (verdicts.length + pending.length + attestations.length + alarms.length === 0) return undefined;
    return {
      pending: pending.map((j) => ({ upgrade: toHex(j.upgrade), cid: cidToString(j.cid), state: j.state })),
      verdicts: verdicts.map((v) => ({
        cid: cidToString(v.cid), fingerprint: toHex(v.fingerprint), equivalent: v.equivalent, intentions: v.intentions, seq: v.seq,
        stateHash: toHex(v.stateHash), by: v.by, upgrade: v.upgrade ? toHex(v.upgrade) : null, at: new Date(v.at).toISOString(),
        ...(v.firstDivergence ? { firstDivergence: v.firstDivergence } : {}),
      })),
      attestations: attestations.map((a) => ({ cid: cidToString(a.cid), fingerprint: toHex(a.fingerprint), node: toHex(a.node), stateHash: toHex(a.stateHash) })),
      alarms,
    };
  }

  /** Resolves when no verification is queued or running (tests, and close). */
  async idle(): Promise<void> {
    while (this.running || (this.wake && this.queue.length > 0)) await (this.running ?? new Promise((r) => setTimeout(r, 10)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    if (this.wake) clearTimeout(this.wake);
    this.wake = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const off of this.parked.values()) off();
    this.parked.clear();
    await this.running?.catch(() => undefined);
  }
}

function pauseOf(v: UpgradeVerdict): { code: string; message: string; seq: number } {
  return {
    code: 'E_HOTFIX_DIVERGES',
    message: `the ModuleUpgrade to ${cidToString(v.cid)} diverges from this node's history at seq ${v.seq}: it is held, and nothing after it is applied (lattice store info shows the report)`,
    seq: v.seq,
  };
}
