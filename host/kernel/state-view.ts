// Reading and writing a store's live state (storage `state` table) under one namespace, and the state hash
// accumulator (DESIGN §3): each write subtracts the old pair's term and adds the new one, O(1) per write.
import { addMod256, subMod256, type StoreId } from '../model/index.js';
import { NS_MODULE, own, prefixEnd, stateKey, storeKey, type Table } from '../storage/index.js';
import type { StateReader } from './state-machine.js';
import { stateTerm, type NsWrite } from './records.js';

/** A StateReader over one namespace of a store's state (module code sees only NS_MODULE). */
export class TableStateReader implements StateReader {
  private readonly end: Buffer;
  constructor(
    private readonly table: Table,
    private readonly storeId: StoreId,
    private readonly ns: number = NS_MODULE,
  ) {
    this.end = prefixEnd(storeKey(storeId, Uint8Array.of(ns)));
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const v = this.table.get(stateKey(this.storeId, this.ns, key));
    return v === undefined ? undefined : own(v);
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
export function applyWrites(table: Table, storeId: StoreId, writes: readonly NsWrite[], stateHash: Uint8Array): void {
  for (const w of writes) {
    const k = storeKey(storeId, w.key);
    const old = table.get(k);
    if (old !== undefined) subMod256(stateHash, stateTerm(w.key, old));
    if (w.value === null) {
      if (old !== undefined) table.removeSync(k);
    } else {
      table.putSync(k, new Uint8Array(w.value));
      addMod256(stateHash, stateTerm(w.key, w.value));
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
