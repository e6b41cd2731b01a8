// The per-store kernel rows (storeRows table): witness head, projection cursor, state hash, signed chain head,
// verified checkpoint, the local chain's last issued intention, the clock, the pause, genesis and latest upgrade.
// Loaded once on open into a HeadState; a batch works on a copy and writes it back in its own transaction.
import { type Hash, type Hlc, HLC_ZERO, ZERO_HASH } from '../model/index.js';
import { rowKey, type Table } from '../storage/index.js';
import type { StoreId } from '../model/index.js';
import { packValue, unpackValue } from './system-ops.js';

export interface PauseInfo {
  readonly code: string;
  readonly message: string;
  /** The seq whose projection failed. */
  readonly seq: number;
}

export interface HeadState {
  /** Last witnessed seq (0: none). */
  seq: number;
  /** BLAKE3 of the record at `seq` (ZERO_HASH when seq is 0). */
  recordHash: Hash;
  /** Last projected seq (≤ seq). */
  projected: number;
  stateHash: Uint8Array;
  /** Last issued local intention (the next local write's storePrev). */
  local: { hash: Hash; hlc: Hlc } | null;
  clock: Hlc;
  paused: PauseInfo | null;
  genesis: Hash | null;
  latestUpgrade: { hash: Hash; hlc: Hlc } | null;
}

export interface SignedHead {
  readonly seq: number;
  readonly recordHash: Hash;
  readonly signature: Uint8Array;
}

export interface Checkpoint {
  readonly seq: number;
  readonly recordHash: Hash;
}

const HEAD_ROW = 'kernel';

export function emptyHead(): HeadState {
  return { seq: 0, recordHash: ZERO_HASH, projected: 0, stateHash: new Uint8Array(32), local: null, clock: HLC_ZERO, paused: null, genesis: null, latestUpgrade: null };
}

export function cloneHead(h: HeadState): HeadState {
  return { ...h, stateHash: new Uint8Array(h.stateHash) };
}

type Row = Record<string, unknown>;

export function loadHead(rows: Table, storeId: StoreId): HeadState {
  const raw = rows.get(rowKey(storeId, HEAD_ROW));
  if (!raw) return emptyHead();
  const r = unpackValue(new Uint8Array(raw)) as Row;
  const bytes = (v: unknown): Uint8Array => new Uint8Array(v as Uint8Array);
  return {
    seq: r.seq as number,
    recordHash: bytes(r.recordHash) as Hash,
    projected: r.projected as number,
    stateHash: bytes(r.stateHash),
    local: r.local ? { hash: bytes((r.local as Row).hash) as Hash, hlc: (r.local as Row).hlc as Hlc } : null,
    clock: r.clock as Hlc,
    paused: (r.paused as PauseInfo | null) ?? null,
    genesis: r.genesis ? (bytes(r.genesis) as Hash) : null,
    latestUpgrade: r.latestUpgrade ? { hash: bytes((r.latestUpgrade as Row).hash) as Hash, hlc: (r.latestUpgrade as Row).hlc as Hlc } : null,
  };
}

export function saveHead(rows: Table, storeId: StoreId, h: HeadState): void {
  rows.putSync(rowKey(storeId, HEAD_ROW), packValue({
    seq: h.seq,
    recordHash: h.recordHash,
    projected: h.projected,
    stateHash: h.stateHash,
    local: h.local,
    clock: { wallMs: h.clock.wallMs, counter: h.clock.counter },
    paused: h.paused,
    genesis: h.genesis,
    latestUpgrade: h.latestUpgrade,
  }));
}

export function loadSignedHead(rows: Table, storeId: StoreId): SignedHead | null {
  const raw = rows.get(rowKey(storeId, 'head'));
  if (!raw) return null;
  const r = unpackValue(new Uint8Array(raw)) as Row;
  return { seq: r.seq as number, recordHash: new Uint8Array(r.recordHash as Uint8Array) as Hash, signature: new Uint8Array(r.signature as Uint8Array) };
}

export function saveSignedHead(rows: Table, storeId: StoreId, h: SignedHead): void {
  rows.putSync(rowKey(storeId, 'head'), packValue({ seq: h.seq, recordHash: h.recordHash, signature: h.signature }));
}

export function loadCheckpoint(rows: Table, storeId: StoreId): Checkpoint {
  const raw = rows.get(rowKey(storeId, 'checkpoint'));
  if (!raw) return { seq: 0, recordHash: ZERO_HASH };
  const r = unpackValue(new Uint8Array(raw)) as Row;
  return { seq: r.seq as number, recordHash: new Uint8Array(r.recordHash as Uint8Array) as Hash };
}

export function saveCheckpoint(rows: Table, storeId: StoreId, c: Checkpoint): void {
  rows.putSync(rowKey(storeId, 'checkpoint'), packValue({ seq: c.seq, recordHash: c.recordHash }));
}
