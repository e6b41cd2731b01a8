// Ed25519 through node:crypto with cached KeyObjects (DESIGN §2): the node key signs intentions (over their bare
// hash) and everything else over a purpose-tagged hash, so no signature of one kind passes as another.
import { createPrivateKey, createPublicKey, randomBytes, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { toHex } from './bytes.js';
import { LatticeError } from './errors.js';
import { purposeHash } from './hash.js';
import type { NodeId } from './ids.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
export const SIGNATURE_LEN = 64;

export class NodeKey {
  readonly publicKey: NodeId;
  private constructor(
    private readonly privateKey: KeyObject,
    readonly seed: Uint8Array,
  ) {
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    this.publicKey = new Uint8Array(spki.subarray(spki.length - 32)) as NodeId;
  }

  static fromSeed(seed: Uint8Array): NodeKey {
    if (seed.length !== 32) throw new LatticeError('E_BAD_ARGUMENT', 'an Ed25519 seed is 32 bytes');
    const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    return new NodeKey(key, new Uint8Array(seed));
  }

  static generate(): NodeKey {
    return NodeKey.fromSeed(new Uint8Array(randomBytes(32)));
  }

  /** Raw Ed25519 signature over `message` (64 bytes). */
  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(edSign(null, message, this.privateKey));
  }

  /** Signature over BLAKE3("lattice/<purpose>/v1" ‖ payload): witness heads, attestations, join proofs. */
  signFor(purpose: string, payload: Uint8Array): Uint8Array {
    return this.sign(purposeHash(purpose, payload));
  }
}

const publicKeyCache = new Map<string, KeyObject>();
const CACHE_MAX = 4096;

function publicKeyObject(pub: Uint8Array): KeyObject {
  const id = toHex(pub);
  let key = publicKeyCache.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]), format: 'der', type: 'spki' });
    if (publicKeyCache.size >= CACHE_MAX) publicKeyCache.delete(publicKeyCache.keys().next().value!);
    publicKeyCache.set(id, key);
  }
  return key;
}

/** Strict RFC 8032 verification (OpenSSL). Never throws: a malformed key or signature is `false`. */
export function verifySignature(pub: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (pub.length !== 32 || signature.length !== SIGNATURE_LEN) return false;
  try {
    return edVerify(null, message, publicKeyObject(pub), signature);
  } catch {
    return false;
  }
}

export function verifyFor(pub: Uint8Array, purpose: string, payload: Uint8Array, signature: Uint8Array): boolean {
  return verifySignature(pub, purposeHash(purpose, payload), signature);
}
