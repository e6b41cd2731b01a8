// Reading and writing a store's live state (storage `state` table) under one namespace, and the state hash
// accumulator (DESIGN §3): each write subtracts the old pair's term and adds the new one, O(1) per write.
import { addMod256, subMod256, type Hash, type StoreId } from '../model/index.js';
import { NS_MODULE, own, peek, prefixEnd, stateKey, storeKey, type Table } from '../storage/index.js';
import type { StateReader } from './state-machine.js';
import { stateTerm, type NsWrite } from './records.js';
import { ByteMap } from './byte-map.js';

/** Bounds a cache's entries (a rebuild projects a whole log in one run). */
const MAX_CACHED = 65_536;

/**
 * The live state as one projection run has read and written it, per namespace: the value (null: absent) and its
 * state hash term. Write-through (applyWrites also writes the table), so the table stays the truth; it saves the
 * reads of keys a batch touches again and the BLAKE3 of the term a write subtracts.
 */
export class StateCache {
  private readonly ns = [new ByteMap<{ value: Uint8Array | null; term: Hash | null }>(), new ByteMap<{ value: Uint8Array | null; term: Hash | null }>()];

  /** The cached pair of `key` (without the namespace byte), or undefined when not cached. */
  get(ns: number, key: Uint8Array): { value: Uint8Array | null; term: Hash | null } | undefined {
    return this.ns[ns]?.get(key);
  }

  set(ns: number, key: Uint8Array, value: Uint8Array | null, term: Hash | null): void {
    const m = this.ns[ns];
    if (!m) return;
    if (m.size >= MAX_CACHED) m.clear();
    m.set(key, { value, term });
  }
}

/** A StateReader over one namespace of a store's state (module code sees only NS_MODULE). */
export class TableStateReader implements StateReader {
  private readonly end: Buffer;
  constructor(
    private readonly table: Table,
    private readonly storeId: StoreId,
    private readonly ns: number = NS_MODULE,
    private readonly cache?: StateCache,
  ) {
    this.end = prefixEnd(storeKey(storeId, Uint8Array.of(ns)));
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const cached = this.cache?.get(this.ns, key);
    if (cached) return cached.value === null ? undefined : own(cached.value); // a copy: the caller may mutate it
    const v = peek(this.table, stateKey(this.storeId, this.ns, key));
    const value = v === undefined ? undefined : own(v);
    this.cache?.set(this.ns, own(key), value === undefined ? null : own(value), null);
    return value;
  }

  next(after: Uint8Array | undefined): { key: Uint8Array; value: Uint8Array } | undefined {
    // The smallest key strictly after `after` is `after ‖ 0x00`.
    const start = after === undefined ? storeKey(this.storeId, Uint8Array.of(this.ns)) : stateKey(this.storeId, this.ns, Uint8Array.of(...after, 0));
    for (const { key, value } of this.table.getRange({ start, end: this.end, limit: 1 })) {
      return { key: own((key as Uint8Array).subarray(17)), value: own(value) };
    }
    return undefined;
  }
}

/** Applies namespaced writes (key = ns byte ‖ key) to the table and the state hash accumulator, in place. */
export function applyWrites(table: Table, storeId: StoreId, writes: readonly NsWrite[], stateHash: Uint8Array, cache?: StateCache): void {
  for (const w of writes) {
    const k = storeKey(storeId, w.key);
    const ns = w.key[0]!;
    const plain = w.key.subarray(1);
    const cached = cache?.get(ns, plain);
    let present: boolean;
    if (cached) {
      present = cached.value !== null;
      if (present) subMod256(stateHash, cached.term ?? stateTerm(w.key, cached.value!));
    } else {
      const old = peek(table, k); // a view lmdb reuses: hashed at once, never kept
      present = old !== undefined;
      if (old !== undefined) subMod256(stateHash, stateTerm(w.key, old));
    }
    if (w.value === null) {
      if (present) table.removeSync(k);
      cache?.set(ns, own(plain), null, null);
    } else {
      table.putSync(k, w.value); // lmdb copies the value inside the write transaction
      const term = stateTerm(w.key, w.value);
      addMod256(stateHash, term);
      cache?.set(ns, own(plain), own(w.value), term);
    }
  }
}

/** The state hash recomputed from scratch over every live pair (replay checks and verify()). */
export function computeStateHash(table: Table, storeId: StoreId): Uint8Array {
  const acc = new Uint8Array(32);
  const prefix = storeKey(storeId);
  for (const { key, value } of table.getRange({ start: prefix, end: prefixEnd(prefix) })) {
    addMod256(acc, stateTerm(own((key as Uint8Array).subarray(16)), value));
  }
  return acc;
}
