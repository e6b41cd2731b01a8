// BLAKE3-256, behind one function so the implementation can change by measurement.
// Measured on this VM (see the foundation commit): hash-wasm's Wasm BLAKE3 does 1.21M hashes/s of 200 bytes and
// 686 MiB/s at 64 KiB; @noble/hashes does 147k/s and 46 MiB/s. The hot path uses hash-wasm.
import { createBLAKE3 } from 'hash-wasm';
import type { Hash } from './ids.js';

const hasher = await createBLAKE3();

/** BLAKE3-256 of the concatenation of the parts. Synchronous; the returned array is fresh. */
export function blake3(...parts: Uint8Array[]): Hash {
  hasher.init();
  for (const p of parts) hasher.update(p);
  return hasher.digest('binary') as Hash;
}

/** Domain-separated hash for every node-key signature that is not an intention's (DESIGN §2). */
export function purposeHash(purpose: string, payload: Uint8Array): Hash {
  return blake3(new TextEncoder().encode(`lattice/${purpose}/v1`), payload);
}
