// The hot-fix gate (DESIGN §4.4): replay a store's witnessed history with a new module in a scratch LMDB
// environment (never live state), comparing each app intention's result and writesDigest with the store's own
// projection record. The first difference is explained by running the module that applied it on the same state:
// the keys whose values differ (old → new), both results, both fuel figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeProjection, StoreManager, writesDigest,
  type ApplyInput, type ApplyOutcome, type Call, type CommandContext, type StateMachine, type StateReader, type Store, type Write,
} from '../kernel/index.js';
import { bytesEqual, cidToString, compareBytes, describeResult, DEFAULT_LIMITS, fromUtf8, LatticeError, MAX_KEY, MAX_VALUE, NodeKey, REJECTION, toHex, type Cid } from '../model/index.js';
import { NS_MODULE, openStorage, seqKey } from '../storage/index.js';
import type { ReplayReport } from './api.js';
import type { Node } from './node.js';

const BATCH = 2048;

/** Keys as people read them: text when printable, else hex. */
const readable = (b: Uint8Array | null | undefined): string | null => {
  if (b === null || b === undefined) return null;
  const s = fromUtf8(b);
  return /^[\x20-\x7e]*$/.test(s) ? s : `0x${toHex(b)}`;
};

/** The kernel's write-set canonical form: last write per key wins, namespaced, sorted by key. */
function canonical(outcome: ApplyOutcome): { code: number; writes: { key: Uint8Array; value: Uint8Array | null }[] } {
  if (outcome.code !== 0) return { code: outcome.code, writes: [] };
  const big = outcome.writes.find((w) => w.key.length > MAX_KEY || (w.value?.length ?? 0) > MAX_VALUE);
  if (big) return { code: big.key.length > MAX_KEY ? REJECTION.E_KEY_TOO_LARGE : REJECTION.E_VALUE_TOO_LARGE, writes: [] };
  const byKey = new Map<string, Write>();
  for (const w of outcome.writes) byKey.set(toHex(w.key), w);
  const writes = [...byKey.values()].map((w) => ({ key: Uint8Array.of(NS_MODULE, ...w.key), value: w.value }));
  writes.sort((a, b) => compareBytes(a.key, b.key));
  return { code: 0, writes };
}

/** Applies with the candidate module and checks every outcome against the original projection record. */
class ComparingMachine implements StateMachine {
  compared = 0;
  /** The first divergence; once set, the machine refuses to go on (the scratch store pauses, the replay stops). */
  divergence: Record<string, unknown> | null = null;
  constructor(
    private readonly node: Node,
    private readonly original: Store,
    private readonly candidate: StateMachine,
  ) {}
  get cid(): Cid {
    return this.candidate.cid;
  }
  describe() {
    return this.candidate.describe();
  }
  command(call: Call, state: StateReader, ctx: CommandContext) {
    return this.candidate.command(call, state, ctx);
  }
  query(call: Call, state: StateReader) {
    return this.candidate.query(call, state);
  }
  apply(input: ApplyInput, state: StateReader): ApplyOutcome {
    if (this.divergence) throw new LatticeError('E_HOTFIX_DIVERGES', 'the replay already diverged');
    const next = this.candidate.apply(input, state);
    const seq = this.original.seqOf(input.hash);
    const raw = seq === undefined ? undefined : this.node.env.tables.projection.get(seqKey(this.original.meta.storeId, seq));
    if (seq === undefined || raw === undefined) return next; // not projected in the original: nothing to compare
    const record = decodeProjection(new Uint8Array(raw));
    const c = canonical(next);
    this.compared++;
    if (c.code === record.result && bytesEqual(writesDigest(c.writes, c.code), record.writesDigest)) return next;
    this.divergence = this.explain(seq, input, state, next, record.cid);
    throw new LatticeError('E_HOTFIX_DIVERGES', `the new module diverges at seq ${seq}`);
  }

  private explain(seq: number, input: ApplyInput, state: StateReader, next: ApplyOutcome, oldCid: Cid): Record<string, unknown> {
    let prev: ApplyOutcome | null = null;
    try {
      prev = this.node.machines.get(oldCid, DEFAULT_LIMITS).apply(input, state);
    } catch {
      prev = null;
    }
    const oldW = prev ? canonical(prev) : { code: 0, writes: [] };
    const newW = canonical(next);
    const keys = new Map<string, { key: string | null; old: string | null; new: string | null }>();
    const current = (k: Uint8Array): Uint8Array | undefined => state.get(k.subarray(1));
    for (const w of oldW.writes) keys.set(toHex(w.key), { key: readable(w.key.subarray(1)), old: readable(w.value), new: readable(current(w.key)) });
    for (const w of newW.writes) {
      const e = keys.get(toHex(w.key)) ?? { key: readable(w.key.subarray(1)), old: readable(current(w.key)), new: null };
      e.new = readable(w.value);
      keys.set(toHex(w.key), e);
    }
    return {
      seq,
      intention: toHex(input.hash),
      author: toHex(input.intention.author),
      keys: [...keys.values()].filter((k) => k.old !== k.new),
      result: { old: prev ? describeResult(oldW.code) : 'unknown', new: describeResult(newW.code) },
      fuel: { old: prev?.fuel ?? null, new: next.fuel },
      oldCid: cidToString(oldCid),
      newCid: cidToString(this.candidate.cid),
    };
  }
}

/** Replays `store`'s witnessed history with `candidate` and reports whether every intention gives the same outcome. */
export async function replayVerify(node: Node, store: Store, candidate: StateMachine, onProgress?: (done: number, total: number) => void): Promise<ReplayReport> {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-replay-'));
  const env = openStorage(dir, { mapSize: 64 * 1024 ** 3 });
  const comparing = new ComparingMachine(node, store, candidate);
  const manager = new StoreManager({ env, nodeKey: NodeKey.generate() });
  try {
    manager.register(store.meta.storeType, () => ({ machineFor: () => comparing }));
    const scratch = await manager.create({ storeId: store.meta.storeId, storeType: store.meta.storeType, meshId: store.meta.meshId });
    const total = store.seq;
    for (let from = 1; from <= total; from += BATCH) {
      const batch = store.witnessedFrom(from, Math.min(BATCH, total - from + 1));
      if (batch.length === 0) break;
      await scratch.ingest(batch);
      if (comparing.divergence) return { equivalent: false, intentions: comparing.compared, firstDivergence: comparing.divergence };
      const paused = scratch.info().paused;
      if (paused) throw new LatticeError('E_HOST_FAULT', `replay paused at seq ${paused.seq}: ${paused.message}`, { paused });
      onProgress?.(Math.min(total, from + batch.length - 1), total);
    }
    return { equivalent: true, intentions: comparing.compared, firstDivergence: null };
  } finally {
    await manager.close();
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
