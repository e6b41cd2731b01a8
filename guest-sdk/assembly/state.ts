// The store's key-value state as the module sees it (keys and values are bytes; keys in byte order). Reads see
// the state as of the call's start plus this call's own writes; writes (apply only) are buffered by the host and
// committed only if apply returns 0.
import { kv_get, kv_set, kv_del, kv_next } from "./abi.generated";
import { bytesOf, stringOf, startsWith } from "./bytes";

// One static scratch buffer: most keys and values fit, so a read is one host call and one exact allocation.
const SCRATCH_SIZE: i32 = 4096;
const scratch = memory.data(SCRATCH_SIZE);

/** Protocol limits on state (host/model/limits.ts); the host traps above them, deterministically. */
export const MAX_KEY: i32 = 1024;
export const MAX_VALUE: i32 = 65536;

// Copies a result of n bytes out of the scratch buffer; null if it did not fit (the caller reads again).
function fromScratch(n: i32): Uint8Array {
  const out = new Uint8Array(n);
  if (n <= SCRATCH_SIZE) memory.copy(out.dataStart, scratch, <usize>n);
  return out;
}

export class state {
  /** The value of a key, or null if absent. */
  static get(key: Uint8Array): Uint8Array | null {
    const n = kv_get(<i32>key.dataStart, key.length, <i32>scratch, SCRATCH_SIZE);
    if (n < 0) return null;
    const out = fromScratch(n);
    if (n > SCRATCH_SIZE) kv_get(<i32>key.dataStart, key.length, <i32>out.dataStart, n);
    return out;
  }

  static has(key: Uint8Array): bool {
    return kv_get(<i32>key.dataStart, key.length, 0, 0) >= 0;
  }

  /** Sets a key (apply only). Keys must not be empty (the empty key is where kv_next starts). */
  static set(key: Uint8Array, value: Uint8Array): void {
    if (key.length == 0) abort("state keys must not be empty");
    const s = kv_set(<i32>key.dataStart, key.length, <i32>value.dataStart, value.length);
    if (s < 0) abort("kv_set failed");
  }

  /** Deletes a key (apply only); deleting an absent key is allowed. */
  static delete(key: Uint8Array): void {
    const s = kv_del(<i32>key.dataStart, key.length);
    if (s < 0) abort("kv_del failed");
  }

  /** The first key strictly after `after` in byte order (null: the first key), or null at the end. */
  static next(after: Uint8Array | null): Uint8Array | null {
    const k = after != null ? after : new Uint8Array(0);
    const n = kv_next(<i32>k.dataStart, k.length, <i32>scratch, SCRATCH_SIZE);
    if (n < 0) return null;
    const out = fromScratch(n);
    if (n > SCRATCH_SIZE) kv_next(<i32>k.dataStart, k.length, <i32>out.dataStart, n);
    return out;
  }

  static getString(key: string): string | null {
    const v = state.get(bytesOf(key));
    return v != null ? stringOf(v) : null;
  }

  static setString(key: string, value: string): void {
    state.set(bytesOf(key), bytesOf(value));
  }

  /** An iterator over the keys that start with `prefix` (all keys for an empty prefix), in byte order. */
  static scan(prefix: Uint8Array): Scan {
    return new Scan(prefix);
  }
}

/** `const it = state.scan(p); while (it.next()) { it.key; it.value() }` */
export class Scan {
  key: Uint8Array = new Uint8Array(0);
  private started: bool = false;
  private done: bool = false;

  constructor(public readonly prefix: Uint8Array) {}

  next(): bool {
    if (this.done) return false;
    // The first key >= prefix: the prefix itself if present, else the next key after it.
    let k: Uint8Array | null;
    if (!this.started) {
      this.started = true;
      k = this.prefix.length > 0 && state.has(this.prefix) ? this.prefix : state.next(this.prefix.length > 0 ? this.prefix : null);
    } else {
      k = state.next(this.key);
    }
    if (k == null || !startsWith(k, this.prefix)) {
      this.done = true;
      return false;
    }
    this.key = k;
    return true;
  }

  value(): Uint8Array {
    const v = state.get(this.key);
    return v != null ? v : new Uint8Array(0);
  }
}
