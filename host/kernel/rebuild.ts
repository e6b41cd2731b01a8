// Re-projection (DESIGN §3): state is derived from the witness log, so a store can always be re-projected. The
// store's state rows and projection records are dropped and replayed from seq 1 in one write transaction (either
// the old projection or the new one is on disk, never a mix); a dry run computes the same and rolls it back, which
// is how tests and `store verify --replay` compare a replay with the live state.
import { bytesEqual, LatticeError, type StoreId } from '../model/index.js';
import { own, prefixEnd, storeKey, type StorageEnv } from '../storage/index.js';
import { cloneHead, saveHead, type HeadState, type PauseInfo } from './head-state.js';
import type { Projector } from './projector.js';
import { encodeProjection } from './records.js';

export interface RebuildReport {
  /** Seqs re-projected. */
  readonly records: number;
  readonly stateHash: Uint8Array;
  /** Projection records that differ from the ones they replace (result, writesDigest, state hash or cid). */
  readonly differences: number;
  readonly firstDifference?: number;
  readonly paused: PauseInfo | null;
  /** The head after the rebuild (internal: the store adopts it). */
  readonly head: HeadState;
}

class DryRun extends Error {}

/** Drops a store's state and projection records and rewinds the draft head to seq 0 (inside a transaction). */
export function resetProjection(env: StorageEnv, storeId: StoreId, draft: HeadState): void {
  const t = env.tables;
  const prefix = storeKey(storeId);
  for (const key of t.projection.getKeys({ start: prefix, end: prefixEnd(prefix) })) t.projection.removeSync(Buffer.from(key as Uint8Array));
  for (const key of t.state.getKeys({ start: prefix, end: prefixEnd(prefix) })) t.state.removeSync(Buffer.from(key as Uint8Array));
  draft.projected = 0;
  draft.stateHash = new Uint8Array(32);
  draft.paused = null;
}

export function rebuildProjection(env: StorageEnv, storeId: StoreId, current: HeadState, projector: Projector, dryRun: boolean): RebuildReport {
  const t = env.tables;
  const prefix = storeKey(storeId);
  const old = new Map<number, Uint8Array>();
  for (const { key, value } of t.projection.getRange({ start: prefix, end: prefixEnd(prefix) })) {
    old.set(Number(Buffer.from(key as Uint8Array).readBigUInt64BE(16)), own(value));
  }
  const draft = cloneHead(current);
  let report: RebuildReport | undefined;
  try {
    env.transaction(() => {
      resetProjection(env, storeId, draft);
      const records = projector.run(draft);
      let differences = 0;
      let firstDifference: number | undefined;
      for (const r of records) {
        const before = old.get(r.seq);
        if (!before || !bytesEqual(before, encodeProjection(r))) {
          differences++;
          firstDifference ??= r.seq;
        }
      }
      report = { records: records.length, stateHash: new Uint8Array(draft.stateHash), differences, ...(firstDifference !== undefined ? { firstDifference } : {}), paused: draft.paused, head: draft };
      if (dryRun) throw new DryRun();
      saveHead(t.storeRows, storeId, draft);
    });
  } catch (e) {
    if (!(e instanceof DryRun)) throw e;
  }
  if (!report) throw new LatticeError('E_HOST_FAULT', 'rebuild produced no report');
  return report;
}
