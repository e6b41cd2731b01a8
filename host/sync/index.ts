// The sync layer's public surface: the Negentropy reconciler, its storage, and the chain-fetch core.
export { fingerprintOf, FINGERPRINT_SIZE, ID_SIZE } from './accumulator.js';
export { Negentropy, MIN_FRAME_SIZE_LIMIT, PROTOCOL_VERSION, type ReconcileResult } from './negentropy.js';
export { NegentropyTree, splitTimestamp, type Timestamp } from './negentropy-tree.js';
export { hashesToRequest, MAX_CHAIN_REQUEST, walkChain, type ChainLink, type RequestOptions, type WalkOptions, type WalkResult } from './chain-fetch.js';
