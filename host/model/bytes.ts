// Byte helpers: hex and base32 text forms, comparison, little-endian integers. No I/O.
import { LatticeError } from './errors.js';

const HEX = '0123456789abcdef';
const HEX_TABLE: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4]! + HEX[i & 15]!);

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX_TABLE[bytes[i]!];
  return s;
}

export function fromHex(text: string, expectedLength?: number): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new LatticeError('E_BAD_ARGUMENT', `not a hex string: ${text.slice(0, 80)}`);
  }
  const out = Buffer.from(text, 'hex');
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new LatticeError('E_BAD_ARGUMENT', `expected ${expectedLength} bytes of hex, got ${out.length}`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

// RFC 4648 base32, lowercase, no padding: used for invite tokens (case-insensitive, URL and shell safe).
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
export function toBase32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

export function fromBase32(text: string): Uint8Array {
  const s = text.toLowerCase();
  const out = new Uint8Array(Math.floor((s.length * 5) / 8));
  let bits = 0;
  let value = 0;
  let j = 0;
  for (const ch of s) {
    const v = B32.indexOf(ch);
    if (v < 0) throw new LatticeError('E_BAD_ARGUMENT', `not a base32 character: ${JSON.stringify(ch)}`);
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out[j++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  // One text per byte string: leftover bits must be zero padding, fewer than one character's worth.
  if (bits >= 5 || (value & ((1 << bits) - 1)) !== 0) throw new LatticeError('E_BAD_ARGUMENT', 'not canonical base32');
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic byte order (-1, 0, 1). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function fromUtf8(b: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(b);
}

/** A copy that owns its own ArrayBuffer (safe to hand to an async put or keep past a reused buffer). */
export function copyBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}
