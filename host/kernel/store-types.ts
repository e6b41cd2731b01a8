// The types of a store's public API (store.ts): ingest reports, witnessed events, info, and what a store is built from.
import type { Cid, Hash, LatticeError, NodeKey, SignedIntention } from '../model/index.js';
import type { StorageEnv } from '../storage/index.js';
import type { StoreEngine, StoreMeta } from './engine.js';
import type { PauseInfo } from './head-state.js';
import type { ProjectedRecord } from './projector.js';
import type { AuthorTip } from './store-reads.js';
import type { VerifyPool } from './verify-pool.js';

export interface IngestItemError {
  readonly index: number;
  readonly hash?: Hash;
  readonly error: LatticeError;
}

export interface IngestReport {
  /** Witnessed by this batch, including floating intentions (of any batch) that it released. */
  witnessed: number;
  /** Items that floated on arrival (some may be released later in the same batch and count in `witnessed`). */
  floated: number;
  duplicates: number;
  /** Items refused (malformed, bad signature, wrong store, unauthorized): each also in `errors`. */
  rejected: number;
  /** Equivocations kept as evidence. */
  evidence: number;
  /** Held for clock skew or by the authorization hook. */
  held: number;
  errors: IngestItemError[];
  /** Deps of this batch that this node has neither witnessed nor floating (what to fetch). */
  missing: Hash[];
}

export interface WitnessedEvent {
  readonly seq: number;
  readonly hash: Hash;
  readonly signed: SignedIntention;
  readonly projection?: ProjectedRecord;
}

export interface StoreInfo {
  readonly storeId: Uint8Array;
  readonly storeType: string;
  readonly meshId: Uint8Array;
  readonly seq: number;
  readonly projected: number;
  readonly stateHash: Uint8Array;
  readonly heads: AuthorTip[];
  readonly floating: number;
  readonly evidence: number;
  readonly paused: PauseInfo | null;
  /** The module in force for the next local write (ZERO_CID for native types or before genesis). */
  readonly cid: Cid;
  readonly genesis: Hash | null;
  readonly localHead: Hash | null;
  /** Authors frozen for equivocation (hex). */
  readonly equivocators: string[];
}

export interface StoreDeps {
  readonly env: StorageEnv;
  readonly meta: StoreMeta;
  readonly engine: StoreEngine;
  readonly nodeKey: NodeKey;
  readonly verifyPool: VerifyPool;
  /** Wall clock (tests inject one). */
  readonly now?: () => number;
}

export interface Prepared {
  items: { index: number; signed: SignedIntention; bytes: Uint8Array }[];
  report: IngestReport;
}

