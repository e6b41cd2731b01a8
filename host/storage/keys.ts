// Key layouts for the tables (env.ts). Per-store keys start with the 16-byte store id; seqs are u64 big-endian so
// byte order is seq order and a seq range is one range read. Every key these functions return is a fresh Buffer;
// `KeyScratch` is the reusable one for hot paths.
import type { Hash, StoreId } from '../model/index.js';

export const NS_MODULE = 0x00;
export const NS_SYSTEM = 0x01;

export function seqKey(storeId: StoreId, seq: number): Buffer {
  const k = Buffer.allocUnsafe(24);
  k.set(storeId, 0);
  k.writeBigUInt64BE(BigInt(seq), 16);
  return k;
}

export function seqOfKey(key: Uint8Array): number {
  return Number(Buffer.from(key.buffer, key.byteOffset, key.byteLength).readBigUInt64BE(16));
}

/** storeId ‖ parts… */
export function storeKey(storeId: StoreId, ...parts: Uint8Array[]): Buffer {
  let n = 16;
  for (const p of parts) n += p.length;
  const k = Buffer.allocUnsafe(n);
  k.set(storeId, 0);
  let o = 16;
  for (const p of parts) {
    k.set(p, o);
    o += p.length;
  }
  return k;
}

/** The key one past every key that starts with `prefix` (the exclusive end of a prefix range). */
export function prefixEnd(prefix: Uint8Array): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.alloc(prefix.length + 1, 0xff);
}

export const stateKey = (storeId: StoreId, ns: number, key: Uint8Array): Buffer => storeKey(storeId, Uint8Array.of(ns), key);
export const rowKey = (storeId: StoreId, field: string): Buffer => storeKey(storeId, Buffer.from(field, 'utf8'));
export const hashKey = (storeId: StoreId, hash: Hash): Buffer => storeKey(storeId, hash);

/**
 * The value at `key` without the copy `get` makes: a view of lmdb's read buffer, valid until the next read (decode or
 * copy it at once). `getBinaryFast` itself returns that buffer with a patched `length`, hence the subarray.
 */
export function peek(table: { getBinaryFast(key: Uint8Array): Buffer | undefined }, key: Uint8Array): Uint8Array | undefined {
  const b = table.getBinaryFast(key);
  return b === undefined ? undefined : b.subarray(0, b.length);
}

/** A plain Uint8Array copy of bytes LMDB returned (LMDB may reuse its buffers; decoders must not alias them). */
export const own = (b: Uint8Array): Uint8Array => new Uint8Array(b);

/**
 * A reusable key of one fixed layout, storeId ‖ `length - 16` bytes, refilled per use: for a get, put or remove that
 * uses the key at once (lmdb copies keys into its own buffer), where a fresh Buffer per key was a measurable share
 * of ingest. Never a range bound (iterators read theirs lazily) nor a key that is kept.
 */
export class KeyScratch {
  private readonly key: Buffer;
  constructor(storeId: StoreId, length: number) {
    this.key = Buffer.alloc(length);
    this.key.set(storeId, 0);
  }

  /** storeId ‖ a (‖ b). */
  of(a: Uint8Array, b?: Uint8Array): Buffer {
    this.key.set(a, 16);
    if (b) this.key.set(b, 16 + a.length);
    return this.key;
  }

  /** storeId ‖ seq u64 BE (the witnessLog / projection layout; length 24). */
  seq(seq: number): Buffer {
    this.key.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), 16);
    this.key.writeUInt32BE(seq >>> 0, 20);
    return this.key;
  }
}
