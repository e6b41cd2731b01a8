// What a store type gives the kernel (DESIGN §3, §4.4): an engine that maps the module in force to a StateMachine,
// optional system-op handlers, and an optional authorization hook. StoreManager picks the engine by store type
// through a registry of openers.
import type { Cid, ConsensusLimits, Hash, SignedIntention, StoreId } from '../model/index.js';
import type { StateMachine } from './state-machine.js';
import type { SystemOpHandler } from './system-ops.js';

/**
 * Authorization verdict (DESIGN §6): 'float' holds it until `Store.recheckHeld()`; 'reject' refuses to store it;
 * 'reject-witness' stores and witnesses it like any intention (it counts as "already have it", releases what floats
 * on it, travels in sync, stays its author's tip) but projects it as rejected(E_UNAUTHORIZED) with no writes, on
 * every replay. That is how a node that learned a revoke first ends with the witness log, and the state, of one that
 * applied the revoked author's write first and re-projected it (`Store.reauthorize`).
 */
export type AuthorizeVerdict = 'ok' | 'float' | 'reject' | 'reject-witness';

export interface StoreEngine {
  /** The machine for a module CID and its consensus limits (the upgrade in force of an intention). Cache inside. */
  machineFor(cid: Cid, limits: ConsensusLimits): StateMachine;
  /** Extra system ops of this store type (beyond Genesis, ModuleUpgrade, SetName). */
  readonly systemHandlers?: readonly SystemOpHandler[];
  /** Membership check, before the DAG insert, and again by `recheckHeld` / `reauthorize`. Must not throw. */
  authorize?(signed: SignedIntention, hash: Hash): AuthorizeVerdict;
  close?(): void | Promise<void>;
}

/** The self-description written once at creation (DESIGN §3). */
export interface StoreMeta {
  readonly storeId: StoreId;
  readonly storeType: string;
  /** The mesh's root store id (the store itself for a root store). */
  readonly meshId: StoreId;
  readonly name?: string;
  readonly schemaVersion: number;
  readonly createdAt: number;
}

export interface OpenContext {
  readonly meta: StoreMeta;
}

/** Builds the engine for stores of one type. */
export type StoreOpener = (ctx: OpenContext) => StoreEngine | Promise<StoreEngine>;
