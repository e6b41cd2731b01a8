// The kernel layer's public surface (host/kernel/README.md lists what the node layer calls).
export * from './engine.js';
export * from './native-counter.js';
export * from './records.js';
export * from './state-machine.js';
export * from './store.js';
export * from './store-manager.js';
export * from './store-reads.js';
export * from './system-ops.js';
export * from './verify-pool.js';
export type { VerifyReport } from './chain.js';
export type { RebuildReport } from './rebuild.js';
export type { PauseInfo } from './head-state.js';
export { TableStateReader, computeStateHash } from './state-view.js';
