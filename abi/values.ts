// The value encoding of command/query arguments and outputs (DESIGN §4.2), host side: u8 tag ‖ u32 LE len ‖ bytes,
// tags string/bytes/i64/u64/bool/list (a list's payload is u32 count ‖ values); a call is u16 len ‖ method ‖
// u16 argc ‖ values. Pure functions: decoding and CLI conversion return results rather than throw, because abi is
// the bottom layer and has no error catalog; host/node/args.ts turns them into typed LatticeErrors.
import { VALUE_TAG } from './lattice_v1.js';

export type Value =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'bytes'; readonly value: Uint8Array }
  | { readonly type: 'i64'; readonly value: bigint }
  | { readonly type: 'u64'; readonly value: bigint }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'list'; readonly value: readonly Value[] };

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export const val = {
  string: (value: string): Value => ({ type: 'string', value }),
  bytes: (value: Uint8Array): Value => ({ type: 'bytes', value }),
  i64: (value: bigint | number): Value => ({ type: 'i64', value: BigInt.asIntN(64, BigInt(value)) }),
  u64: (value: bigint | number): Value => ({ type: 'u64', value: BigInt.asUintN(64, BigInt(value)) }),
  bool: (value: boolean): Value => ({ type: 'bool', value }),
  list: (value: readonly Value[]): Value => ({ type: 'list', value }),
};

/** Nesting deeper than this is refused (the guest SDK's MAX_VALUE_DEPTH). */
export const MAX_VALUE_DEPTH = 16;

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });

function payload(v: Value): Uint8Array {
  switch (v.type) {
    case 'string': return enc.encode(v.value);
    case 'bytes': return v.value;
    case 'i64': case 'u64': {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v.value), true);
      return b;
    }
    case 'bool': return Uint8Array.of(v.value ? 1 : 0);
    case 'list': {
      const parts = v.value.map(encodeValue);
      const out = new Uint8Array(4 + parts.reduce((n, p) => n + p.length, 0));
      new DataView(out.buffer).setUint32(0, parts.length, true);
      let o = 4;
      for (const p of parts) { out.set(p, o); o += p.length; }
      return out;
    }
  }
}

export function encodeValue(v: Value): Uint8Array {
  const p = payload(v);
  const out = new Uint8Array(5 + p.length);
  out[0] = VALUE_TAG[v.type];
  new DataView(out.buffer).setUint32(1, p.length, true);
  out.set(p, 5);
  return out;
}

class Reader {
  pos = 0;
  readonly view: DataView;
  constructor(readonly buf: Uint8Array, readonly end = buf.length) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError(`truncated at byte ${this.pos}`);
  }
  u8(): number { this.need(1); return this.buf[this.pos++]!; }
  u16(): number { this.need(2); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  bytes(n: number): Uint8Array { this.need(n); const b = this.buf.slice(this.pos, this.pos + n); this.pos += n; return b; }

  value(depth: number): Value {
    const at = this.pos;
    const tag = this.u8();
    const len = this.u32();
    this.need(len);
    const stop = this.pos + len;
    switch (tag) {
      case VALUE_TAG.string: return val.string(dec.decode(this.bytes(len)));
      case VALUE_TAG.bytes: return val.bytes(this.bytes(len));
      case VALUE_TAG.i64: case VALUE_TAG.u64: {
        if (len !== 8) throw new RangeError(`an integer at byte ${at} has length ${len}, not 8`);
        const u = this.view.getBigUint64(this.pos, true);
        this.pos += 8;
        return tag === VALUE_TAG.i64 ? val.i64(u) : val.u64(u);
      }
      case VALUE_TAG.bool: {
        const b = len === 1 ? this.u8() : -1;
        if (b !== 0 && b !== 1) throw new RangeError(`a bool at byte ${at} is not 1 byte of 0 or 1`);
        return val.bool(b === 1);
      }
      case VALUE_TAG.list: {
        if (depth >= MAX_VALUE_DEPTH) throw new RangeError(`lists nest deeper than ${MAX_VALUE_DEPTH}`);
        const inner = new Reader(this.buf, stop);
        inner.pos = this.pos;
        const count = inner.u32();
        const items: Value[] = [];
        for (let i = 0; i < count; i++) items.push(inner.value(depth + 1));
        if (inner.pos !== stop) throw new RangeError(`a list at byte ${at} has ${stop - inner.pos} bytes after its items`);
        this.pos = stop;
        return val.list(items);
      }
      default: throw new RangeError(`unknown value tag ${tag} at byte ${at}`);
    }
  }
}

function run<T>(bytes: Uint8Array, read: (r: Reader) => T): Result<T> {
  const r = new Reader(bytes);
  try {
    const value = read(r);
    if (r.pos !== bytes.length) return { ok: false, error: `${bytes.length - r.pos} trailing bytes` };
    return { ok: true, value };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Decodes exactly one value (no trailing bytes). */
export const decodeValue = (bytes: Uint8Array): Result<Value> => run(bytes, (r) => r.value(0));

/** `u16 argc ‖ values`: the `args` of a kernel Call. */
export function encodeArgs(values: readonly Value[]): Uint8Array {
  if (values.length > 0xffff) throw new RangeError('more than 65535 arguments');
  const parts = values.map(encodeValue);
  const out = new Uint8Array(2 + parts.reduce((n, p) => n + p.length, 0));
  new DataView(out.buffer).setUint16(0, values.length, true);
  let o = 2;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export const decodeArgs = (bytes: Uint8Array): Result<Value[]> =>
  run(bytes, (r) => Array.from({ length: r.u16() }, () => r.value(0)));

/** The command/query input: `u16 len ‖ method ‖ u16 argc ‖ values` (`args` already encoded by encodeArgs, or values). */
export function encodeCall(method: string, args: Uint8Array | readonly Value[]): Uint8Array {
  const m = enc.encode(method);
  if (m.length > 0xffff) throw new RangeError('method name longer than 65535 bytes');
  const a = args instanceof Uint8Array ? args : encodeArgs(args);
  const out = new Uint8Array(2 + m.length + a.length);
  new DataView(out.buffer).setUint16(0, m.length, true);
  out.set(m, 2);
  out.set(a, 2 + m.length);
  return out;
}

export const decodeCall = (bytes: Uint8Array): Result<{ method: string; args: Value[] }> =>
  run(bytes, (r) => {
    const method = dec.decode(r.bytes(r.u16()));
    const args = Array.from({ length: r.u16() }, () => r.value(0));
    return { method, args };
  });

export type Json = string | number | boolean | Json[];

/** JSON for the CLI's `result`: i64/u64 as numbers when safe, else strings; bytes as hex; lists as arrays. */
export function valueToJson(v: Value): Json {
  switch (v.type) {
    case 'string': case 'bool': return v.value;
    case 'bytes': return Buffer.from(v.value.buffer, v.value.byteOffset, v.value.byteLength).toString('hex');
    case 'i64': case 'u64': return v.value >= BigInt(Number.MIN_SAFE_INTEGER) && v.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v.value) : v.value.toString();
    case 'list': return v.value.map(valueToJson);
  }
}
