// JSON views of kernel records for NodeApi answers: ids as hex, times as ISO 8601, results readable.
import type { HistoryEntry as KernelEntry, Store } from '../kernel/index.js';
import { unpackValue } from '../kernel/index.js';
import { cidToString, describeResult, hlcToString, OP_APP, OP_SYSTEM, toHex, type Cid } from '../model/index.js';
import { decodeValue, valueToJson } from '../../abi/values.js';
import type { HistoryEntry, StoreSummary } from './api.js';

function jsonable(v: unknown): unknown {
  if (v instanceof Uint8Array) return toHex(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(jsonable);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonable(x)]));
  return v;
}

/** A readable form of an ops envelope: system ops decoded, app ops as hex (their meaning is the module's). */
export function describeOps(ops: Uint8Array): unknown {
  if (ops[0] === OP_SYSTEM) {
    try {
      return { system: jsonable(unpackValue(ops.subarray(1))) };
    } catch {
      return { system: null, hex: toHex(ops.subarray(1, 257)) };
    }
  }
  if (ops[0] === OP_APP) {
    // Modules built with the guest SDK encode an op as one ABI value; anything else is shown as bytes.
    const v = decodeValue(ops.subarray(1));
    return v.ok ? { app: valueToJson(v.value) } : { app: toHex(ops.subarray(1, 257)), size: ops.length - 1 };
  }
  return { unknownTag: ops[0] ?? null };
}

export function historyEntry(e: KernelEntry): HistoryEntry {
  return {
    seq: e.seq,
    hash: toHex(e.hash),
    author: toHex(e.author),
    time: new Date(e.hlc.wallMs).toISOString(),
    hlc: hlcToString(e.hlc),
    witnessedAt: new Date(e.witnessedAt).toISOString(),
    cid: e.cid ? cidToString(e.cid as Cid) : '',
    result: e.result === undefined ? 'pending' : describeResult(e.result),
    code: e.result ?? 0,
    op: describeOps(e.ops),
  };
}

export function storeSummary(store: Store, name: string | undefined): StoreSummary {
  const info = store.info();
  const n = name ?? store.meta.name;
  return {
    storeId: toHex(store.meta.storeId),
    storeType: store.meta.storeType,
    ...(n !== undefined ? { name: n } : {}),
    meshId: toHex(store.meta.meshId),
    cid: cidToString(info.cid),
    seq: info.seq,
    stateHash: toHex(info.stateHash),
    paused: info.paused !== null,
  };
}
