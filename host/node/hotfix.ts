// The hot-fix gate (DESIGN §4.4, docs/hotfix.md): replay a store's witnessed history with a candidate module and
// compare each app intention's result and writesDigest with the store's own projection record. Everything the
// kernel decided about the history (witness order, envelope verdicts, the module in force, system ops) is a fact of
// the log and does not depend on the module, so the replay re-runs only the module: in witness order, it applies
// each app intention with the candidate against a scratch LMDB environment that holds the module state alone, and
// writes the candidate's write set there. While every write set is equal, the scratch state at each seq is the state
// the original module saw (never live state is touched). The history is streamed in batches (one read of the live
// tables and one scratch transaction per batch), so memory stays bounded whatever the store's size. The first
// difference is explained by running the module that applied it on the same state: the keys whose values differ
// (old → new), both results, both fuel figures.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeIndexEntry, decodeProjection, decodeUpgrade, TableStateReader, writesDigest,
  type ApplyOutcome, type ApplyInput, type NsWrite, type ProjectionRecord, type StateMachine, type StateReader, type Store,
} from '../kernel/index.js';
import {
  bytesEqual, cidToString, compareBytes, decodeIntention, decodeOps, DEFAULT_LIMITS, describeResult, fromUtf8, hashIntention, isZero, LatticeError, MAX_KEY,
  MAX_VALUE, REJECTION, SIGNATURE_LEN, toHex, type Cid, type ConsensusLimits, type Hash,
} from '../model/index.js';
import { hashKey, KeyScratch, NS_MODULE, openStorage, peek, seqKey, seqOfKey, type StorageEnv, type Tables } from '../storage/index.js';
import type { ReplayReport } from './api.js';
import { guardRevoked } from './authorize.js';
import type { Node } from './node.js';

/** Seqs per scratch transaction (and between yields to the event loop). */
const BATCH = 4096;
const SCRATCH_PREFIX = 'lattice-replay-';

export interface ReplayOptions {
  /** Seqs per batch (default 4096): the memory bound and the progress granularity. */
  batchSize?: number;
  /** Called after each batch with the seqs replayed so far and the store's projected seq. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Bytes as people read them: printable runs as text, other runs as <hex>; 8 non-printable bytes also as an i64. */
export function readable(b: Uint8Array | null | undefined): string | null {
  if (b === null || b === undefined) return null;
  if (b.length === 0) return '';
  const printable = (x: number): boolean => x >= 0x20 && x < 0x7f && x !== 0x3c && x !== 0x3e;
  if (b.every(printable)) return fromUtf8(b);
  let out = '';
  for (let i = 0; i < b.length; ) {
    let j = i;
    const text = printable(b[i]!);
    while (j < b.length && printable(b[j]!) === text) j++;
    out += text ? fromUtf8(b.subarray(i, j)) : `<${toHex(b.subarray(i, j))}>`;
    i = j;
  }
  if (b.length === 8 && !b.every(printable)) out += ` (i64 ${new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true)})`;
  return out;
}

/** A write set as the kernel records it: oversized writes reject, last write per key wins, namespaced, sorted. */
function canonical(outcome: ApplyOutcome): { code: number; writes: NsWrite[] } {
  if (outcome.code !== 0) return { code: outcome.code, writes: [] };
  const big = outcome.writes.find((w) => w.key.length > MAX_KEY || (w.value?.length ?? 0) > MAX_VALUE);
  if (big) return { code: big.key.length > MAX_KEY ? REJECTION.E_KEY_TOO_LARGE : REJECTION.E_VALUE_TOO_LARGE, writes: [] };
  const writes = outcome.writes.map((w): NsWrite => {
    const key = new Uint8Array(w.key.length + 1); // NS_MODULE (0) ‖ key
    key.set(w.key, 1);
    return { key, value: w.value };
  });
  if (writes.length < 2) return { code: 0, writes };
  // A stable sort keeps equal keys in write order: the last of each run is the write that wins.
  writes.sort((a, b) => compareBytes(a.key, b.key));
  const out: NsWrite[] = [];
  for (let i = 0; i < writes.length; i++) {
    if (i + 1 < writes.length && bytesEqual(writes[i]!.key, writes[i + 1]!.key)) continue;
    out.push(writes[i]!);
  }
  return { code: 0, writes: out };
}

/** Where a diverging replay stopped: what the explanation needs. */
interface Stop {
  seq: number;
  input: ApplyInput;
  record: ProjectionRecord;
  limits: ConsensusLimits;
  next: ApplyOutcome;
}

/** Removes scratch dirs left by replays whose process is gone (a node killed mid-replay). */
function sweepStaleScratch(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((n) => n.startsWith(SCRATCH_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.slice(SCRATCH_PREFIX.length).split('-')[0]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/** The replay of one store: the live tables (read only) and the scratch environment with the module state. */
class Replay {
  compared = 0;
  seq = 0;
  private readonly live: Tables;
  private readonly scratchState;
  private readonly reader: StateReader;
  private readonly seqKey: KeyScratch;
  private readonly keyBuf: Buffer;
  /** The current seq's intention hash and the writesDigest its record names, copied out of LMDB's read buffer. */
  private readonly hash = Buffer.alloc(32);
  private readonly expected = new Uint8Array(32);

  constructor(
    private readonly store: Store,
    live: Tables,
    private readonly scratch: StorageEnv,
    private readonly candidate: StateMachine,
  ) {
    this.live = live;
    this.scratchState = scratch.tables.state;
    this.reader = new TableStateReader(this.scratchState, store.meta.storeId, NS_MODULE);
    this.seqKey = new KeyScratch(store.meta.storeId, 24);
    this.keyBuf = Buffer.alloc(16 + 1 + MAX_KEY);
    this.keyBuf.set(store.meta.storeId, 0);
  }

  get state(): StateReader {
    return this.reader;
  }

  /**
   * Replays seqs (this.seq, upto] in one scratch transaction; the first divergence stops it (its writes not kept).
   * Live rows are read as views of LMDB's read buffer and compared in place (valid until the next read): what is kept
   * past the next read is copied into the reused buffers below, and only a divergence decodes its record.
   */
  batch(upto: number): Stop | null {
    const sid = this.store.meta.storeId;
    const t = this.live;
    const hash = this.hash;
    const expected = this.expected;
    return this.scratch.transaction(() => {
      for (const { key, value } of t.witnessLog.getRange({ start: seqKey(sid, this.seq + 1), end: seqKey(sid, upto + 1) })) {
        const seq = seqOfKey(key as Uint8Array);
        hash.set((value as Uint8Array).subarray(0, 32)); // the witness record's intention hash
        const proj = peek(t.projection, this.seqKey.seq(seq));
        if (!proj) throw new LatticeError('E_HOST_FAULT', `seq ${seq} of store ${toHex(sid)} has no projection record`, { seq });
        // Decided by the kernel whatever the module: a broken envelope, no module in force, or an equivocator's
        // intention after its fork point. The projector names no module in those records (their cid is zero).
        if (isZero(proj.subarray(0, 32))) {
          this.seq = seq;
          continue;
        }
        const result = proj[32]! | (proj[33]! << 8) | (proj[34]! << 16) | (proj[35]! << 24); // i32 LE
        expected.set(proj.subarray(36, 68)); // the record's writesDigest
        const bytes = peek(t.intentions, hash);
        if (!bytes) throw new LatticeError('E_HOST_FAULT', `the intention of seq ${seq} of store ${toHex(sid)} is missing`, { seq });
        const encoding = bytes.subarray(0, Math.max(0, bytes.length - SIGNATURE_LEN)); // encoding ‖ signature
        const own = hashIntention(encoding);
        if (!bytesEqual(own, hash)) throw new LatticeError('E_TAMPERED', `the intention of seq ${seq} does not hash to its witness record`, { seq });
        const intention = decodeIntention(encoding); // copies what it keeps
        const ops = decodeOps(intention.ops);
        if (ops.kind !== 'app') {
          this.seq = seq;
          continue;
        }
        const input: ApplyInput = { hash: own, intention, body: ops.body };
        const next = this.candidate.apply(input, this.reader);
        const c = canonical(next);
        this.compared++;
        if (c.code !== result || !bytesEqual(writesDigest(c.writes, c.code), expected)) {
          return { seq, input, record: decodeProjection(t.projection.get(seqKey(sid, seq))!), limits: this.limits(own), next };
        }
        for (const w of c.writes) {
          const k = this.stateKey(w.key);
          if (w.value === null) this.scratchState.removeSync(k);
          else this.scratchState.putSync(k, w.value);
        }
        this.seq = seq;
      }
      this.seq = Math.max(this.seq, upto);
      return null;
    });
  }

  /** storeId ‖ nsKey in the reused key buffer (LMDB copies a key when it puts or removes it). */
  private stateKey(nsKey: Uint8Array): Buffer {
    this.keyBuf.set(nsKey, 16);
    return this.keyBuf.subarray(0, 16 + nsKey.length);
  }

  /** The consensus limits the old module applied an intention under: those of the upgrade in force for it. */
  private limits(intention: Hash): ConsensusLimits {
    const sid = this.store.meta.storeId;
    const entry = this.live.witnessIndex.get(hashKey(sid, intention));
    const raw = entry ? this.live.upgrades.get(hashKey(sid, decodeIndexEntry(entry).upgrade)) : undefined;
    return raw ? decodeUpgrade(raw).limits : DEFAULT_LIMITS;
  }
}

/** The first divergence as the CLI reports it: what differs, both results, both fuel figures. */
async function explain(node: Node, store: Store, stop: Stop, state: StateReader, candidate: Cid): Promise<Record<string, unknown>> {
  const oldCid = stop.record.cid;
  let prev: ApplyOutcome | null = null;
  let prevError: string | undefined;
  try {
    prev = guardRevoked(node, store.meta, await node.machines.load(oldCid, stop.limits)).apply(stop.input, state);
  } catch (e) {
    prevError = (e as Error).message; // the old module is gone from this node: report what is known
  }
  const oldW = prev ? canonical(prev) : null;
  const newW = canonical(stop.next);
  const current = (nsKey: Uint8Array): Uint8Array | undefined => state.get(nsKey.subarray(1));
  // Each key either module writes: its value after the old module's apply and after the new one's.
  const keys = new Map<string, { key: Uint8Array; old: Uint8Array | null | undefined; new: Uint8Array | null | undefined; writtenBy: Set<string> }>();
  const entry = (k: Uint8Array) => {
    const id = toHex(k);
    let e = keys.get(id);
    if (!e) keys.set(id, (e = { key: k, old: current(k) ?? null, new: current(k) ?? null, writtenBy: new Set() }));
    return e;
  };
  for (const w of oldW?.writes ?? []) {
    const e = entry(w.key);
    e.old = w.value;
    e.writtenBy.add('old');
  }
  for (const w of newW.writes) {
    const e = entry(w.key);
    e.new = w.value;
    e.writtenBy.add('new');
  }
  const same = (a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): boolean => (a ?? null) === null ? (b ?? null) === null : b != null && bytesEqual(a!, b);
  const differing = [...keys.values()].filter((k) => !same(k.old, k.new));
  // Keys only one module wrote and that end equal (a set and delete of a key that was absent): the write sets differ.
  const writeSetOnly = [...keys.values()].filter((k) => same(k.old, k.new) && k.writtenBy.size === 1);
  const write = (w: NsWrite) => ({ key: readable(w.key.subarray(1)), value: w.value === null ? 'deleted' : readable(w.value) });
  return {
    seq: stop.seq,
    intention: toHex(stop.input.hash),
    author: toHex(stop.input.intention.author),
    keys: differing.map((k) => ({ key: readable(k.key.subarray(1)), old: readable(k.old), new: readable(k.new) })),
    writtenByOneOnly: writeSetOnly.map((k) => ({ key: readable(k.key.subarray(1)), by: [...k.writtenBy][0], value: readable(k.new) })),
    writes: { old: oldW ? oldW.writes.map(write) : null, new: newW.writes.map(write) },
    result: { old: describeResult(stop.record.result), new: describeResult(newW.code) },
    fuel: { old: prev?.fuel ?? null, new: stop.next.fuel },
    ...(prev && canonical(prev).code !== stop.record.result ? { note: 'the old module does not reproduce its own record on this state' } : {}),
    ...(prevError ? { oldModuleError: prevError } : {}),
    oldCid: cidToString(oldCid),
    newCid: cidToString(candidate),
  };
}

/**
 * Replays `store`'s history with `candidate` up to its projected seq (catching up with intentions projected while it
 * runs) and reports whether every app intention gives the same result and write set as its projection record.
 */
export async function replayVerify(node: Node, store: Store, candidate: StateMachine, options: ReplayOptions | ((done: number, total: number) => void) = {}): Promise<ReplayReport> {
  return (await replayCheck(node, store, candidate, options)).report;
}

/**
 * replayVerify, also naming the last seq the replay covered: seqs 1..seq are the witnessed set the verdict is about
 * (their fingerprint and the state hash at `seq` are what an attestation signs, upgrade-verdicts.ts).
 */
export async function replayCheck(node: Node, store: Store, candidate: StateMachine, options: ReplayOptions | ((done: number, total: number) => void) = {}): Promise<{ report: ReplayReport; seq: number }> {
  const opts: ReplayOptions = typeof options === 'function' ? { onProgress: options } : options;
  opts.signal?.throwIfAborted();
  const batch = Math.max(1, Math.floor(opts.batchSize ?? BATCH));
  sweepStaleScratch();
  const dir = mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
  let env: StorageEnv | undefined;
  try {
    env = openStorage(dir, { mapSize: 64 * 1024 ** 3, durable: false }); // thrown away at the end: no fsync per batch
    // The node's own policy wraps every module of the store the same way (authorize.ts): a revoked author's
    // intentions beyond its last valid tip are rejected whatever the module, so the candidate runs under it too.
    const replay = new Replay(store, node.env.tables, env, guardRevoked(node, store.meta, candidate));
    for (let end = store.info().projected; replay.seq < end; end = store.info().projected) {
      const stop = replay.batch(Math.min(end, replay.seq + batch));
      if (stop) return { report: { equivalent: false, intentions: replay.compared, firstDivergence: await explain(node, store, stop, replay.state, candidate.cid) }, seq: stop.seq };
      opts.onProgress?.(replay.seq, end);
      await new Promise<void>((r) => setImmediate(r)); // the node keeps serving between batches
      opts.signal?.throwIfAborted();
    }
    return { report: { equivalent: true, intentions: replay.compared, firstDivergence: null }, seq: replay.seq };
  } finally {
    await env?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
