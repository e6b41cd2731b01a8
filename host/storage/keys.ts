// Key layouts for the tables (env.ts). Per-store keys start with the 16-byte store id; seqs are u64 big-endian so
// byte order is seq order and a seq range is one range read. Every key is a fresh Buffer (never reused).
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

/** A plain Uint8Array copy of bytes LMDB returned (LMDB may reuse its buffers; decoders must not alias them). */
export const own = (b: Uint8Array): Uint8Array => new Uint8Array(b);
