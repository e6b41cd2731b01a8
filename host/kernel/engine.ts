// What a store type gives the kernel (DESIGN §3, §4.4): an engine that maps the module in force to a StateMachine,
// optional system-op handlers, and an optional authorization hook. StoreManager picks the engine by store type
// through a registry of openers.
import type { Cid, ConsensusLimits, Hash, SignedIntention, StoreId } from '../model/index.js';
import type { StateMachine } from './state-machine.js';
import type { SystemOpHandler } from './system-ops.js';

/** Authorization verdict (DESIGN §6): 'float' holds it until `Store.recheckHeld()`; 'reject' refuses to store it. */
export type AuthorizeVerdict = 'ok' | 'float' | 'reject';

export interface StoreEngine {
  /** The machine for a module CID and its consensus limits (the upgrade in force of an intention). Cache inside. */
  machineFor(cid: Cid, limits: ConsensusLimits): StateMachine;
  /** Extra system ops of this store type (beyond Genesis, ModuleUpgrade, SetName). */
  readonly systemHandlers?: readonly SystemOpHandler[];
  /** Membership check, before the DAG insert. Must not throw. */
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
