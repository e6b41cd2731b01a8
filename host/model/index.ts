// The model layer's public surface: ids, bytes, hashes, keys, HLC, intentions, ops, limits, errors. No I/O.
export * from './bytes.js';
export * from './errors.js';
export * from './hash.js';
export * from './hlc.js';
export * from './ids.js';
export * from './intention.js';
export * from './keys.js';
export * from './limits.js';
export * from './ops.js';
export * from './rejections.js';
export * from './u256.js';
