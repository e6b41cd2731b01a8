// The value encoding of command/query arguments and outputs (DESIGN §4.2): u8 tag ‖ u32 LE len ‖ bytes; tags
// string, bytes, i64, u64, bool, list (payload u32 count ‖ values). Also the convention for app ops, so a store's
// history can be shown without knowing the module. Decoding never traps: malformed bytes give null.
import { TAG_STRING, TAG_BYTES, TAG_I64, TAG_U64, TAG_BOOL, TAG_LIST } from "./abi.generated";
import { bytesOf, stringOf } from "./bytes";

/** Nesting deeper than this is refused when decoding (peer bytes must not exhaust the stack). */
export const MAX_VALUE_DEPTH: i32 = 16;

export class Value {
  constructor(
    public readonly tag: u8,
    /** The payload of a scalar (UTF-8 for strings, 8 LE bytes for integers, 1 byte for bool). */
    public readonly data: Uint8Array,
    /** The items of a list (empty for scalars). */
    public readonly items: Value[],
  ) {}

  static fromString(s: string): Value { return new Value(TAG_STRING, bytesOf(s), []); }
  static fromBytes(b: Uint8Array): Value { return new Value(TAG_BYTES, b, []); }
  static fromI64(v: i64): Value {
    const d = new Uint8Array(8);
    store<i64>(d.dataStart, v);
    return new Value(TAG_I64, d, []);
  }
  static fromU64(v: u64): Value {
    const d = new Uint8Array(8);
    store<u64>(d.dataStart, v);
    return new Value(TAG_U64, d, []);
  }
  static fromBool(v: bool): Value {
    const d = new Uint8Array(1);
    d[0] = v ? 1 : 0;
    return new Value(TAG_BOOL, d, []);
  }
  static list(items: Value[]): Value { return new Value(TAG_LIST, new Uint8Array(0), items); }

  isString(): bool { return this.tag == TAG_STRING; }
  isBytes(): bool { return this.tag == TAG_BYTES; }
  isI64(): bool { return this.tag == TAG_I64; }
  isU64(): bool { return this.tag == TAG_U64; }
  isBool(): bool { return this.tag == TAG_BOOL; }
  isList(): bool { return this.tag == TAG_LIST; }

  /** The string (decodes the UTF-8 payload); check isString() first. */
  asString(): string { return stringOf(this.data); }
  /** The raw payload: the UTF-8 bytes of a string, the bytes of a bytes value. */
  asBytes(): Uint8Array { return this.data; }
  asI64(): i64 { return this.data.length == 8 ? load<i64>(this.data.dataStart) : 0; }
  asU64(): u64 { return this.data.length == 8 ? load<u64>(this.data.dataStart) : 0; }
  asBool(): bool { return this.data.length == 1 && this.data[0] == 1; }
  asList(): Value[] { return this.items; }

  /** Bytes of the encoding, header included. */
  encodedLength(): i32 {
    if (this.tag != TAG_LIST) return 5 + this.data.length;
    let n = 5 + 4;
    for (let i = 0; i < this.items.length; i++) n += unchecked(this.items[i]).encodedLength();
    return n;
  }

  /** Writes the encoding at ptr; returns the pointer after it. */
  writeAt(ptr: usize): usize {
    store<u8>(ptr, this.tag);
    if (this.tag != TAG_LIST) {
      store<u32>(ptr + 1, <u32>this.data.length);
      memory.copy(ptr + 5, this.data.dataStart, <usize>this.data.length);
      return ptr + 5 + <usize>this.data.length;
    }
    let p = ptr + 9;
    for (let i = 0; i < this.items.length; i++) p = unchecked(this.items[i]).writeAt(p);
    store<u32>(ptr + 1, <u32>(p - ptr - 5));
    store<u32>(ptr + 5, <u32>this.items.length);
    return p;
  }

  encode(): Uint8Array {
    const out = new Uint8Array(this.encodedLength());
    this.writeAt(out.dataStart);
    return out;
  }

  /** Decodes exactly one value filling the whole array; null if malformed or followed by trailing bytes. */
  static decode(b: Uint8Array): Value | null {
    const r = new ValueReader(b, 0, b.length);
    const v = r.value(0);
    return v != null && r.pos == b.length ? v : null;
  }
}

/** A bounds-checked cursor over encoded values; every read fails softly (null / false). */
export class ValueReader {
  constructor(public readonly buf: Uint8Array, public pos: i32, public readonly end: i32) {}

  remaining(): i32 { return this.end - this.pos; }

  u8(): i32 {
    if (this.pos + 1 > this.end) return -1;
    return this.buf[this.pos++];
  }

  /** A u16 LE, or -1 past the end. */
  u16(): i32 {
    if (this.pos + 2 > this.end) return -1;
    const v = <i32>load<u16>(this.buf.dataStart + <usize>this.pos);
    this.pos += 2;
    return v;
  }

  /** A u32 LE as i64 (so every u32 fits), or -1 past the end. */
  u32(): i64 {
    if (this.pos + 4 > this.end) return -1;
    const v = <i64>load<u32>(this.buf.dataStart + <usize>this.pos);
    this.pos += 4;
    return v;
  }

  /** n bytes as a fresh array, or null past the end. */
  bytes(n: i64): Uint8Array | null {
    if (n < 0 || n > <i64>(this.end - this.pos)) return null;
    const out = new Uint8Array(<i32>n);
    memory.copy(out.dataStart, this.buf.dataStart + <usize>this.pos, <usize>n);
    this.pos += <i32>n;
    return out;
  }

  value(depth: i32): Value | null {
    const tag = this.u8();
    const len = this.u32();
    if (tag < 0 || len < 0 || len > <i64>this.remaining()) return null;
    if (tag == TAG_LIST) {
      if (depth >= MAX_VALUE_DEPTH) return null;
      const stop = this.pos + <i32>len;
      const count = this.u32();
      if (count < 0 || count > <i64>(stop - this.pos) / 5) return null;
      const items = new Array<Value>(<i32>count);
      const inner = new ValueReader(this.buf, this.pos, stop);
      for (let i = 0; i < <i32>count; i++) {
        const item = inner.value(depth + 1);
        if (item == null) return null;
        items[i] = item;
      }
      if (inner.pos != stop) return null;
      this.pos = stop;
      return new Value(TAG_LIST, new Uint8Array(0), items);
    }
    if (tag == TAG_I64 || tag == TAG_U64) {
      if (len != 8) return null;
    } else if (tag == TAG_BOOL) {
      if (len != 1) return null;
      const b = this.buf[this.pos];
      if (b > 1) return null;
    } else if (tag != TAG_STRING && tag != TAG_BYTES) {
      return null;
    }
    const data = this.bytes(len);
    if (data == null) return null;
    return new Value(<u8>tag, data, []);
  }
}
