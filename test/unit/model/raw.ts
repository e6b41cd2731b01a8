// Test helpers for the model tests: a raw Borsh intention writer that bypasses the codec's checks (to build the
// malformed inputs the decoder must refuse), a seeded PRNG, and the thrown-error capture every decode test uses.
import { LatticeError, type ErrorCode } from '../../../host/model/index.js';

export interface RawFields {
  author?: Uint8Array;
  wallMs?: bigint;
  counter?: number;
  storeId?: Uint8Array;
  storePrev?: Uint8Array;
  /** The condition tag byte (0 is the only valid one). */
  tag?: number;
  /** The dep count written, when it should differ from deps.length. */
  count?: number;
  deps?: Uint8Array[];
  /** The ops length written, when it should differ from ops.length. */
  opsLen?: number;
  ops?: Uint8Array;
}

/** author 32 | wallMs u64 LE | counter u32 LE | storeId 16 | storePrev 32 | tag u8 | count u32 LE | deps | len | ops. */
export function rawIntention(f: RawFields = {}): Uint8Array {
  const deps = f.deps ?? [];
  const ops = f.ops ?? new Uint8Array([0, 1, 2]);
  const head = Buffer.alloc(32 + 8 + 4 + 16 + 32 + 1 + 4);
  let o = 0;
  head.set(f.author ?? new Uint8Array(32).fill(0x11), o); o += 32;
  head.writeBigUInt64LE(f.wallMs ?? 1_700_000_000_000n, o); o += 8;
  head.writeUInt32LE(f.counter ?? 0, o); o += 4;
  head.set(f.storeId ?? new Uint8Array(16).fill(0xaa), o); o += 16;
  head.set(f.storePrev ?? new Uint8Array(32), o); o += 32;
  head.writeUInt8(f.tag ?? 0, o); o += 1;
  head.writeUInt32LE(f.count ?? deps.length, o);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(f.opsLen ?? ops.length);
  return new Uint8Array(Buffer.concat([head, ...deps.map((d) => Buffer.from(d)), len, Buffer.from(ops)]));
}

/** `count` distinct 32-byte deps in ascending order (dep k is k+1 in its first two bytes, big-endian). */
export function ascendingDeps(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, k) => {
    const d = new Uint8Array(32);
    d[0] = (k + 1) >> 8;
    d[1] = (k + 1) & 0xff;
    d[31] = 0x5a;
    return d;
  });
}

/** Runs `fn` and returns what it threw; fails the test when it does not throw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw, got a return');
}

/** The LatticeError `fn` throws, checked to carry `code` (and `reason`, when given). */
export function latticeError(fn: () => unknown, code: ErrorCode, reason?: string): LatticeError {
  const e = thrown(fn);
  if (!(e instanceof LatticeError)) throw new Error(`expected a LatticeError ${code}, got ${String(e)}`, { cause: e });
  if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`, { cause: e });
  if (reason !== undefined && e.details['reason'] !== reason) {
    throw new Error(`expected ${code} with reason ${reason}, got reason ${String(e.details['reason'])}: ${e.message}`, { cause: e });
  }
  return e;
}

/** mulberry32: a small seeded PRNG so a failing fuzz case can be replayed from its seed. */
export function prng(seed: number): { u32(): number; int(n: number): number; bytes(n: number): Uint8Array } {
  let a = seed >>> 0;
  const u32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const int = (n: number): number => u32() % n;
  const bytes = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = u32() & 0xff;
    return out;
  };
  return { u32, int, bytes };
}
