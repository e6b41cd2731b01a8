// A strict msgpack decoder for system-op bodies (DESIGN §5): maps with string keys and no duplicates, strings,
// bytes, booleans, nil, arrays and integers (returned as numbers; one beyond 2^53 is refused). Floats, ext types,
// trailing bytes and deep nesting are refused. Every failure is E_MALFORMED_SYSTEM_OP, which apply turns into a
// deterministic rejection: the same bytes give the same verdict on every node, whatever msgpackr version it runs.
import { LatticeError } from '../model/index.js';

const MAX_DEPTH = 8;
const MAX_ITEMS = 65_536;

export type StrictValue = null | boolean | number | string | Uint8Array | StrictValue[] | { [k: string]: StrictValue };

function bad(why: string): LatticeError {
  return new LatticeError('E_MALFORMED_SYSTEM_OP', `system op body: ${why}`);
}

export function decodeStrict(bytes: Uint8Array): StrictValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  const need = (n: number): void => {
    if (o + n > bytes.length) throw bad('truncated');
  };
  const text = new TextDecoder('utf-8', { fatal: true });
  const readStr = (n: number): string => {
    need(n);
    try {
      return text.decode(bytes.subarray(o, (o += n)));
    } catch {
      throw bad('invalid UTF-8');
    }
  };
  const readBin = (n: number): Uint8Array => {
    need(n);
    return bytes.slice(o, (o += n));
  };
  const count = (n: number): number => {
    if (n > MAX_ITEMS) throw bad('too many items');
    return n;
  };
  const int = (v: bigint | number): number => {
    if (typeof v === 'bigint') {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw bad('integer beyond 2^53');
      return Number(v);
    }
    return v;
  };
  const value = (depth: number): StrictValue => {
    if (depth > MAX_DEPTH) throw bad('nested too deep');
    need(1);
    const b = bytes[o++]!;
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if ((b & 0xf0) === 0x80) return map(b & 0x0f, depth);
    if ((b & 0xf0) === 0x90) return array(b & 0x0f, depth);
    if ((b & 0xe0) === 0xa0) return readStr(b & 0x1f);
    switch (b) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: need(1); return readBin(view.getUint8(o++));
      case 0xc5: need(2); o += 2; return readBin(view.getUint16(o - 2));
      case 0xc6: need(4); o += 4; return readBin(view.getUint32(o - 4));
      case 0xcc: need(1); return view.getUint8(o++);
      case 0xcd: need(2); o += 2; return view.getUint16(o - 2);
      case 0xce: need(4); o += 4; return view.getUint32(o - 4);
      case 0xcf: need(8); o += 8; return int(view.getBigUint64(o - 8));
      case 0xd0: need(1); return view.getInt8(o++);
      case 0xd1: need(2); o += 2; return view.getInt16(o - 2);
      case 0xd2: need(4); o += 4; return view.getInt32(o - 4);
      case 0xd3: need(8); o += 8; return int(view.getBigInt64(o - 8));
      case 0xd9: need(1); return readStr(view.getUint8(o++));
      case 0xda: need(2); o += 2; return readStr(view.getUint16(o - 2));
      case 0xdb: need(4); o += 4; return readStr(view.getUint32(o - 4));
      case 0xdc: need(2); o += 2; return array(count(view.getUint16(o - 2)), depth);
      case 0xdd: need(4); o += 4; return array(count(view.getUint32(o - 4)), depth);
      case 0xde: need(2); o += 2; return map(count(view.getUint16(o - 2)), depth);
      case 0xdf: need(4); o += 4; return map(count(view.getUint32(o - 4)), depth);
      default: throw bad(`type 0x${b.toString(16)} is not allowed`);
    }
  };
  const array = (n: number, depth: number): StrictValue[] => {
    const out: StrictValue[] = [];
    for (let i = 0; i < n; i++) out.push(value(depth + 1));
    return out;
  };
  const map = (n: number, depth: number): { [k: string]: StrictValue } => {
    // A null-prototype object: a key like "__proto__" is an ordinary field, never a prototype change.
    const out = Object.create(null) as { [k: string]: StrictValue };
    for (let i = 0; i < n; i++) {
      const k = value(depth + 1);
      if (typeof k !== 'string') throw bad('map keys must be strings');
      if (Object.prototype.hasOwnProperty.call(out, k)) throw bad(`duplicate field ${k}`);
      out[k] = value(depth + 1);
    }
    return out;
  };
  const v = value(0);
  if (o !== bytes.length) throw bad(`${bytes.length - o} trailing bytes`);
  return v;
}
