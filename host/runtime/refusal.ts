// Why a module refused a command or query, in words (STYLE 8: a guest can only return a status; the host names it).
// The statuses of the guest SDK are named for every module; a log_append refusal seen in the call is given as the
// cause; and for core:kvstore, whose command rules are known (modules/kv/assembly/index.ts: its one BAD_ARGUMENT
// covers every bad key, value and batch), the reason is re-derived from the call's arguments by those rules.
import { decodeArgs, type Value } from '../../abi/values.js';
import type { Call } from '../kernel/state-machine.js';
import { MAX_KEY, MAX_VALUE, REJECTION } from '../model/index.js';

/** modules/kv's limits: a key leaves room for 0x00 ‖ hash in its head's state key; a value for the head's fields. */
export const KV_MAX_KEY = MAX_KEY - 33;
export const KV_MAX_VALUE = MAX_VALUE - (8 + 4 + 32 + 1);
/** modules/kv's command status when log_append refused its intention. */
const KV_APPEND_FAILED = 5;

const utf8 = new TextEncoder();
const shown = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

interface KvEntry {
  readonly key: string;
  readonly value: string;
}

/** What is wrong with one entry by modules/kv's validKey and value limit, or undefined. */
function kvEntryProblem(e: KvEntry): string | undefined {
  const key = utf8.encode(e.key);
  if (key.length === 0) return 'the key is empty';
  if (key.length > KV_MAX_KEY) return `the key is ${key.length} bytes; core:kvstore keys are at most ${KV_MAX_KEY}`;
  if (key.includes(0)) return 'the key contains a NUL byte, which a core:kvstore key may not';
  const value = utf8.encode(e.value).length;
  if (value > KV_MAX_VALUE) return `the value is ${value} bytes; core:kvstore values are at most ${KV_MAX_VALUE}`;
  return undefined;
}

/** modules/kv's checkEntries, in its order: none, then each entry's key and value, then duplicate keys. */
function kvEntriesProblem(entries: readonly KvEntry[], batch: boolean): string | undefined {
  if (entries.length === 0) return 'the batch has no ops';
  for (const [i, e] of entries.entries()) {
    const p = kvEntryProblem(e);
    if (p !== undefined) return batch ? `op ${i} (${shown(e.key)}): ${p}` : p;
  }
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.key)) return `the key ${shown(e.key)} appears more than once in the batch; a batch has one op per key`;
    seen.add(e.key);
  }
  return undefined;
}

/** modules/kv's parseBatchItem: "put:key=value" or "del:key". */
function kvBatchItem(v: Value): KvEntry | undefined {
  if (v.type !== 'string') return undefined;
  const s = v.value;
  if (s.startsWith('del:')) return { key: s.slice(4), value: '' };
  const eq = s.indexOf('=', 4);
  if (!s.startsWith('put:') || eq < 0) return undefined;
  return { key: s.slice(4, eq), value: s.slice(eq + 1) };
}

function kvCommandReason(call: Call, status: number): string | undefined {
  if (status === KV_APPEND_FAILED) return 'the intention could not be appended to the log';
  if (status !== REJECTION.E_BAD_ARGUMENT) return undefined;
  const args = decodeArgs(call.args);
  if (!args.ok) return undefined;
  const a = args.value;
  const text = (i: number): string | undefined => (a[i]?.type === 'string' ? a[i].value : undefined);
  if (call.method === 'put' && a.length === 2 && text(0) !== undefined && text(1) !== undefined) return kvEntriesProblem([{ key: text(0)!, value: text(1)! }], false);
  if (call.method === 'delete' && a.length === 1 && text(0) !== undefined) return kvEntriesProblem([{ key: text(0)!, value: '' }], false);
  if (call.method === 'batch' && a.length === 1 && a[0]!.type === 'list') {
    const entries: KvEntry[] = [];
    for (const [i, item] of a[0]!.value.entries()) {
      const e = kvBatchItem(item);
      if (e === undefined) return `op ${i} is not "put:<key>=<value>" or "del:<key>"${item.type === 'string' ? `: ${shown(item.value)}` : ''}`;
      entries.push(e);
    }
    return kvEntriesProblem(entries, true);
  }
  return undefined;
}

/** Store types whose command refusals the host can explain from the arguments. */
const KNOWN: Readonly<Record<string, (call: Call, status: number) => string | undefined>> = {
  'core:kvstore': kvCommandReason,
};

export interface RefusalContext {
  readonly kind: 'command' | 'query';
  readonly call: Call;
  /** The status the module returned (non-zero). */
  readonly status: number;
  /** The store type the module describes itself as, when known. */
  readonly storeType: string | undefined;
  /** Why log_append refused in this call, if it did. */
  readonly appendRefusal: string | undefined;
}

/** The reason for a refusal in words; the generic meaning of the status when nothing more is known. */
export function refusalReason(r: RefusalContext): string {
  const known = r.kind === 'command' && r.storeType !== undefined ? KNOWN[r.storeType]?.(r.call, r.status) : undefined;
  if (r.appendRefusal !== undefined) return known === undefined ? `log_append refused: ${r.appendRefusal}` : `${known}: ${r.appendRefusal}`;
  if (known !== undefined) return known;
  if (r.status === REJECTION.E_BAD_ARGUMENT) return 'the module refused the arguments';
  if (r.status === REJECTION.E_UNKNOWN_METHOD) return `the module has no ${r.kind} ${r.call.method}`;
  return r.status > 0 ? 'the module refused it with a status of its own' : 'the module returned a status reserved for the host';
}

/** The guest SDK's name of a status a guest may return itself. */
export const statusName = (status: number): string | undefined =>
  status === REJECTION.E_BAD_ARGUMENT ? 'BAD_ARGUMENT' : status === REJECTION.E_UNKNOWN_METHOD ? 'UNKNOWN_METHOD' : undefined;
