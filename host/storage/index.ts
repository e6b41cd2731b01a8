// The storage layer's public surface.
export * from './env.js';
export * from './keys.js';
