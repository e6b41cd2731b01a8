// A map keyed by byte strings (hashes, author ids, state keys) without building a string per lookup: buckets by a
// cheap hash of the bytes, then a byte comparison. The hot paths of a batch (index entries, author tips, upgrade rows) key by 32-byte
// hashes, where a hex or latin1 key string per lookup was a measurable share of the ingest time.
import { bytesEqual } from '../model/index.js';

/** 32 bytes: a hash or an id, random enough in its first four bytes; anything else (state keys): FNV-1a. */
function bucketOf(k: Uint8Array): number {
  if (k.length === 32) return k[0]! | (k[1]! << 8) | (k[2]! << 16) | (k[3]! << 24);
  let h = 0x811c9dc5 ^ k.length;
  for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k[i]!, 0x01000193);
  return h;
}

export class ByteMap<V> {
  private readonly buckets = new Map<number, { key: Uint8Array; value: V }[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: Uint8Array): V | undefined {
    const b = this.buckets.get(bucketOf(key));
    if (!b) return undefined;
    for (const e of b) if (bytesEqual(e.key, key)) return e.value;
    return undefined;
  }

  has(key: Uint8Array): boolean {
    return this.get(key) !== undefined;
  }

  /** Stores `value` under `key` (the map keeps the key: do not mutate it afterwards). */
  set(key: Uint8Array, value: V): void {
    const id = bucketOf(key);
    const b = this.buckets.get(id);
    if (!b) {
      this.buckets.set(id, [{ key, value }]);
      this.count++;
      return;
    }
    for (const e of b) {
      if (bytesEqual(e.key, key)) {
        e.value = value;
        return;
      }
    }
    b.push({ key, value });
    this.count++;
  }

  delete(key: Uint8Array): boolean {
    const id = bucketOf(key);
    const b = this.buckets.get(id);
    if (!b) return false;
    const i = b.findIndex((e) => bytesEqual(e.key, key));
    if (i < 0) return false;
    b.splice(i, 1);
    if (b.length === 0) this.buckets.delete(id);
    this.count--;
    return true;
  }

  *values(): IterableIterator<V> {
    for (const b of this.buckets.values()) for (const e of b) yield e.value;
  }

  clear(): void {
    this.buckets.clear();
    this.count = 0;
  }
}
