// Strict decoding of msgpack system-op maps (DESIGN §5): every field named, typed and present (or optional), no
// unknown fields. A failure is E_MALFORMED_SYSTEM_OP, which the apply path turns into a deterministic rejection.
import { LatticeError } from '../model/index.js';

export type Check<T> = (v: unknown) => v is T;

export const bytesOf =
  (n: number): Check<Uint8Array> =>
  (v): v is Uint8Array =>
    v instanceof Uint8Array && v.length === n;
export const str =
  (max = 256): Check<string> =>
  (v): v is string =>
    typeof v === 'string' && v.length > 0 && v.length <= max;
export const uint: Check<number> = (v): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
export const stringList =
  (maxItems: number): Check<string[]> =>
  (v): v is string[] =>
    Array.isArray(v) && v.length <= maxItems && v.every((s) => typeof s === 'string' && s.length <= 256);

type Spec = Record<string, Check<unknown> | { optional: Check<unknown> }>;
type Out<S extends Spec> = { [K in keyof S]: S[K] extends { optional: Check<infer T> } ? T | undefined : S[K] extends Check<infer T> ? T : never };

/** Checks `obj` (a decoded msgpack map, `op` field included) against `spec`. */
export function strict<S extends Spec>(opName: string, obj: Record<string, unknown>, spec: S): Out<S> {
  const bad = (why: string): LatticeError => new LatticeError('E_MALFORMED_SYSTEM_OP', `${opName}: ${why}`, { op: opName });
  for (const key of Object.keys(obj)) if (key !== 'op' && !(key in spec)) throw bad(`unknown field ${key}`);
  const out: Record<string, unknown> = {};
  for (const [key, check] of Object.entries(spec)) {
    const value = obj[key];
    if (typeof check === 'function') {
      if (!check(value)) throw bad(`field ${key} is missing or malformed`);
    } else if (value !== undefined && !check.optional(value)) throw bad(`field ${key} is malformed`);
    out[key] = value;
  }
  return out as Out<S>;
}
