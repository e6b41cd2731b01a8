// The Intention and its canonical encoding: the Rust Lattice's Borsh layout, byte for byte (DESIGN §2).
// author 32 ‖ wallMs u64 LE ‖ counter u32 LE ‖ storeId 16 ‖ storePrev 32 ‖ condition tag u8 (0) ‖ u32 LE count ‖
// deps (32 each, sorted, unique) ‖ u32 LE ops length ‖ ops. hash = BLAKE3(encoding); signature = Ed25519(hash).
// A SignedIntention on the wire and on disk is encoding ‖ signature. Decoding throws only LatticeError.
import { compareBytes } from './bytes.js';
import { LatticeError } from './errors.js';
import { blake3 } from './hash.js';
import type { Hlc } from './hlc.js';
import type { Hash, NodeId, StoreId } from './ids.js';
import { NodeKey, SIGNATURE_LEN, verifySignature } from './keys.js';
import { MAX_DEPS, MAX_PAYLOAD } from './limits.js';

export interface Intention {
  readonly author: NodeId;
  readonly timestamp: Hlc;
  readonly storeId: StoreId;
  /** The author's previous intention in this store, ZERO_HASH for its first. */
  readonly storePrev: Hash;
  /** Causal deps: sorted, unique, at most MAX_DEPS. */
  readonly condition: readonly Hash[];
  /** The ops envelope (tag byte + body), at most MAX_PAYLOAD bytes. */
  readonly ops: Uint8Array;
}

export interface SignedIntention {
  readonly intention: Intention;
  readonly hash: Hash;
  readonly signature: Uint8Array;
  /** The canonical encoding (without the signature). */
  readonly encoding: Uint8Array;
}

const FIXED = 32 + 8 + 4 + 16 + 32 + 1 + 4; // up to the deps
const MAX_WALL_MS = Number.MAX_SAFE_INTEGER;

// A fresh copy of a range. Never Buffer#slice, which returns a view: decoded fields must not alias the input.
const copyRange = (b: Uint8Array, start: number, end?: number): Uint8Array => new Uint8Array(b.subarray(start, end));

function malformed(reason: string, message: string): LatticeError {
  return new LatticeError('E_MALFORMED_INTENTION', message, { reason });
}

/** Checks the limits and dep order; throws the typed error for the first violation. */
export function checkIntention(i: Intention): void {
  if (i.ops.length > MAX_PAYLOAD) {
    throw new LatticeError('E_PAYLOAD_TOO_LARGE', `ops are ${i.ops.length} bytes, the limit is ${MAX_PAYLOAD}`, { size: i.ops.length, limit: MAX_PAYLOAD });
  }
  if (i.condition.length > MAX_DEPS) {
    throw new LatticeError('E_TOO_MANY_DEPS', `${i.condition.length} deps, the limit is ${MAX_DEPS}`, { count: i.condition.length, limit: MAX_DEPS });
  }
  for (let k = 1; k < i.condition.length; k++) {
    if (compareBytes(i.condition[k - 1]!, i.condition[k]!) >= 0) {
      throw malformed('unsorted-deps', 'condition deps must be sorted and unique');
    }
  }
  const { wallMs, counter } = i.timestamp;
  if (!Number.isInteger(wallMs) || wallMs < 0 || wallMs > MAX_WALL_MS) throw malformed('timestamp-range', `wallMs out of range: ${wallMs}`);
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) throw malformed('timestamp-range', `counter out of range: ${counter}`);
  if (i.author.length !== 32 || i.storeId.length !== 16 || i.storePrev.length !== 32 || i.condition.some((d) => d.length !== 32)) {
    throw malformed('field-length', 'author, storePrev and deps are 32 bytes, storeId 16');
  }
}

export function encodeIntention(i: Intention): Uint8Array {
  checkIntention(i);
  const out = new Uint8Array(FIXED + 32 * i.condition.length + 4 + i.ops.length);
  const view = new DataView(out.buffer);
  let o = 0;
  out.set(i.author, o); o += 32;
  view.setBigUint64(o, BigInt(i.timestamp.wallMs), true); o += 8;
  view.setUint32(o, i.timestamp.counter, true); o += 4;
  out.set(i.storeId, o); o += 16;
  out.set(i.storePrev, o); o += 32;
  out[o++] = 0;
  view.setUint32(o, i.condition.length, true); o += 4;
  for (const d of i.condition) { out.set(d, o); o += 32; }
  view.setUint32(o, i.ops.length, true); o += 4;
  out.set(i.ops, o);
  return out;
}

/** Decodes one canonical encoding occupying exactly `bytes` (trailing bytes are an error). Copies all fields. */
export function decodeIntention(bytes: Uint8Array): Intention {
  if (!(bytes instanceof Uint8Array)) throw malformed('type', 'an intention must be bytes');
  const { intention, end } = decodeIntentionAt(bytes, 0);
  if (end !== bytes.length) throw malformed('trailing-bytes', `${bytes.length - end} trailing bytes after the intention`);
  return intention;
}

function decodeIntentionAt(bytes: Uint8Array, start: number): { intention: Intention; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (o: number, n: number): void => {
    if (o + n > bytes.length) throw malformed('truncated', `intention truncated at byte ${o} (need ${n} more)`);
  };
  let o = start;
  need(o, FIXED);
  const author = copyRange(bytes, o, o + 32) as NodeId; o += 32;
  const wall = view.getBigUint64(o, true); o += 8;
  if (wall > BigInt(MAX_WALL_MS)) throw malformed('timestamp-range', `wallMs ${wall} is above 2^53`);
  const counter = view.getUint32(o, true); o += 4;
  const storeId = copyRange(bytes, o, o + 16) as StoreId; o += 16;
  const storePrev = copyRange(bytes, o, o + 32) as Hash; o += 32;
  const tag = bytes[o++];
  if (tag !== 0) throw malformed('condition-tag', `unknown condition tag ${tag}`);
  const count = view.getUint32(o, true); o += 4;
  if (count > MAX_DEPS) throw new LatticeError('E_TOO_MANY_DEPS', `${count} deps, the limit is ${MAX_DEPS}`, { count, limit: MAX_DEPS });
  need(o, 32 * count + 4);
  const condition: Hash[] = new Array(count);
  for (let k = 0; k < count; k++) { condition[k] = copyRange(bytes, o, o + 32) as Hash; o += 32; }
  const opsLen = view.getUint32(o, true); o += 4;
  if (opsLen > MAX_PAYLOAD) throw new LatticeError('E_PAYLOAD_TOO_LARGE', `ops are ${opsLen} bytes, the limit is ${MAX_PAYLOAD}`, { size: opsLen, limit: MAX_PAYLOAD });
  need(o, opsLen);
  const ops = copyRange(bytes, o, o + opsLen); o += opsLen;
  const intention: Intention = { author, timestamp: { wallMs: Number(wall), counter }, storeId, storePrev, condition, ops };
  for (let k = 1; k < count; k++) {
    if (compareBytes(condition[k - 1]!, condition[k]!) >= 0) throw malformed('unsorted-deps', 'condition deps must be sorted and unique');
  }
  return { intention, end: o };
}

export const hashIntention = (encoding: Uint8Array): Hash => blake3(encoding);

export function signIntention(key: NodeKey, intention: Intention): SignedIntention {
  const encoding = encodeIntention(intention);
  const hash = hashIntention(encoding);
  return { intention, hash, signature: key.sign(hash), encoding };
}

/** encoding ‖ signature. */
export function encodeSigned(s: SignedIntention): Uint8Array {
  const out = new Uint8Array(s.encoding.length + SIGNATURE_LEN);
  out.set(s.encoding, 0);
  out.set(s.signature, s.encoding.length);
  return out;
}

export interface DecodeOptions {
  /** Verify the signature (default true). Batch ingest verifies separately, on a worker pool. */
  verify?: boolean;
}

/** Decodes `encoding ‖ signature`; checks the signature unless told not to. Throws only LatticeError. */
export function decodeSigned(bytes: Uint8Array, options: DecodeOptions = {}): SignedIntention {
  if (!(bytes instanceof Uint8Array)) throw malformed('type', 'a signed intention must be bytes');
  if (bytes.length < FIXED + 4 + SIGNATURE_LEN) throw malformed('truncated', `signed intention of ${bytes.length} bytes is truncated`);
  const encoding = copyRange(bytes, 0, bytes.length - SIGNATURE_LEN);
  const signature = copyRange(bytes, bytes.length - SIGNATURE_LEN);
  const intention = decodeIntention(encoding);
  const hash = hashIntention(encoding);
  const signed: SignedIntention = { intention, hash, signature, encoding };
  if (options.verify !== false) assertSignature(signed);
  return signed;
}

export function verifyIntentionSignature(s: SignedIntention): boolean {
  return verifySignature(s.intention.author, s.hash, s.signature);
}

export function assertSignature(s: SignedIntention): void {
  if (!verifyIntentionSignature(s)) throw new LatticeError('E_BAD_SIGNATURE', 'intention signature does not verify', { author: Buffer.from(s.intention.author).toString('hex') });
}
