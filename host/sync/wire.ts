// Negentropy wire primitives: a growable byte writer and a bounds-checked reader with 64-bit-correct varints
// (base-128, most significant group first). The JS reference breaks above 2^31; HLC milliseconds are above that,
// so values above 2^53 travel as bigint. Every decoding failure is a LatticeError E_BAD_FRAME.
import { LatticeError } from '../model/errors.js';

export const MAX_U64 = 0xffff_ffff_ffff_ffffn;
const TWO_53 = 2 ** 53;

export function badFrame(reason: string, message: string): LatticeError {
  return new LatticeError('E_BAD_FRAME', `negentropy: ${message}`, { reason });
}

export class ByteWriter {
  buf: Uint8Array;
  len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  bytes(src: Uint8Array, offset = 0, length = src.length - offset): void {
    this.ensure(length);
    this.buf.set(src.subarray(offset, offset + length), this.len);
    this.len += length;
  }

  append(other: ByteWriter): void {
    this.bytes(other.buf, 0, other.len);
  }

  /** A varint of a non-negative safe integer. */
  varint(n: number): void {
    if (n < 128) {
      this.byte(n);
      return;
    }
    let groups = 1;
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) groups++;
    this.ensure(groups);
    let v = n;
    for (let i = groups - 1; i >= 0; i--) {
      this.buf[this.len + i] = (v % 128) | (i === groups - 1 ? 0 : 0x80);
      v = Math.floor(v / 128);
    }
    this.len += groups;
  }

  /** A varint of a u64 held as bigint. */
  varintBig(n: bigint): void {
    if (n < BigInt(TWO_53)) {
      this.varint(Number(n));
      return;
    }
    const groups: number[] = [];
    for (let v = n; v > 0n; v >>= 7n) groups.push(Number(v & 0x7fn));
    for (let i = groups.length - 1; i >= 0; i--) this.byte(groups[i]! | (i === 0 ? 0 : 0x80));
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class ByteReader {
  pos = 0;

  constructor(readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw badFrame('truncated', 'parse ends prematurely');
    return this.buf[this.pos++]!;
  }

  /** A view of the next n bytes (valid while the message buffer is). */
  bytes(n: number): Uint8Array {
    if (n > this.remaining) throw badFrame('truncated', 'parse ends prematurely');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A varint as bigint; more than 64 bits of value is malformed (the C++ would silently wrap). */
  varintBig(): bigint {
    let small = 0;
    let big: bigint | null = null;
    for (;;) {
      if (this.pos >= this.buf.length) throw badFrame('truncated', 'premature end of varint');
      const b = this.buf[this.pos++]!;
      if (big === null && small < 2 ** 45) small = small * 128 + (b & 0x7f);
      else {
        big = ((big ?? BigInt(small)) << 7n) | BigInt(b & 0x7f);
        if (big > MAX_U64) throw badFrame('varint-overflow', 'varint exceeds 64 bits');
      }
      if ((b & 0x80) === 0) return big ?? BigInt(small);
    }
  }

  /** A varint that must be a safe integer (counts, lengths, modes). */
  varint(): number {
    const v = this.varintBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw badFrame('varint-range', `varint too large: ${v}`);
    return Number(v);
  }
}
