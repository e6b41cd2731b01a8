// Byte helpers for module code: UTF-8 conversion, comparison, concatenation and little-endian integers.

/** The UTF-8 bytes of a string. */
export function bytesOf(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

/** A string from UTF-8 bytes (invalid sequences become U+FFFD, the same on every node). */
export function stringOf(b: Uint8Array): string {
  return String.UTF8.decodeUnsafe(b.dataStart, <usize>b.length);
}

/** Lexicographic byte order: -1, 0 or 1. */
export function compareBytes(a: Uint8Array, b: Uint8Array): i32 {
  const n = min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = unchecked(a[i]);
    const y = unchecked(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.length == b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): bool {
  return a.length == b.length && memory.compare(a.dataStart, b.dataStart, <usize>a.length) == 0;
}

export function startsWith(b: Uint8Array, prefix: Uint8Array): bool {
  return b.length >= prefix.length && memory.compare(b.dataStart, prefix.dataStart, <usize>prefix.length) == 0;
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  memory.copy(out.dataStart, a.dataStart, <usize>a.length);
  memory.copy(out.dataStart + <usize>a.length, b.dataStart, <usize>b.length);
  return out;
}

/** The bytes of a range as a fresh array. */
export function slice(b: Uint8Array, start: i32, end: i32): Uint8Array {
  const out = new Uint8Array(end - start);
  memory.copy(out.dataStart, b.dataStart + <usize>start, <usize>(end - start));
  return out;
}

export function readU32(b: Uint8Array, off: i32): u32 {
  return load<u32>(b.dataStart + <usize>off);
}

export function readU64(b: Uint8Array, off: i32): u64 {
  return load<u64>(b.dataStart + <usize>off);
}

export function writeU32(b: Uint8Array, off: i32, v: u32): void {
  store<u32>(b.dataStart + <usize>off, v);
}

export function writeU64(b: Uint8Array, off: i32, v: u64): void {
  store<u64>(b.dataStart + <usize>off, v);
}

/** The 8 little-endian bytes of an i64 (how the shipped modules store integers). */
export function i64Bytes(v: i64): Uint8Array {
  const out = new Uint8Array(8);
  store<i64>(out.dataStart, v);
  return out;
}

/** An i64 from 8 little-endian bytes; 0 if the array is not 8 bytes long. */
export function i64Of(b: Uint8Array): i64 {
  return b.length == 8 ? load<i64>(b.dataStart) : 0;
}
