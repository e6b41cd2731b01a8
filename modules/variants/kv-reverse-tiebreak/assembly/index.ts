// core:kvstore whose ties break the other way (docs/hotfix.md): modules/kv except the winner rule, where two heads
// with the same HLC are ordered by the smaller (author, hash) instead of the larger. The kv computes the winner when
// it is read (get, list, heads), never in apply: apply's writes (drop the heads the condition names, add its own) are
// the same as the original's for every intention. So a replay of the history sees no difference in any result or
// write set, and the hot-fix gate, which compares exactly those, cannot tell this module from the original, although
// `get` answers differently on a key with two heads of equal HLC. test/integration/hotfix shows both.
import {
  input, output, state, log, Value, Schema, arg, optional, T, Intention, bytesOf, compareBytes,
  OK, BAD_ARGUMENT, UNKNOWN_METHOD, MAX_KEY, MAX_VALUE,
} from "lattice-guest-sdk";

// Rejections of apply (this module's own codes) and refusals of commands.
const MALFORMED_OP: i32 = 1;
const DUPLICATE_KEY: i32 = 2;
const BAD_KEY: i32 = 3;
const VALUE_TOO_LARGE: i32 = 4;
const APPEND_FAILED: i32 = 5;

const HEAD_FIXED: i32 = 8 + 4 + 32 + 1;
/** A key must leave room for the separator and the hash in a state key. */
const MAX_USER_KEY: i32 = MAX_KEY - 33;
const MAX_USER_VALUE: i32 = MAX_VALUE - HEAD_FIXED;

export function describe(): i32 {
  return new Schema("core:kvstore", "1.0.0")
    .command("put", [arg("key", "string"), arg("value", "string")], "none", "sets key, superseding the heads seen here")
    .command("delete", [arg("key", "string")], "none", "deletes key (a tombstone head), superseding the heads seen here")
    .command("batch", [arg("ops", "list<string>")], "none", "several \"put:key=value\" / \"del:key\" in one intention, all or nothing")
    .query("get", [arg("key", "string")], "list<any>", "[value, conflicted] of the winning head, [] if absent or deleted")
    .query("heads", [arg("key", "string")], "list<list<any>>", "every head as [hash, hlc, author, deleted, value], winner first")
    .query("list", [optional("prefix", "string")], "list<list<string>>", "live keys as [key, value], in key order")
    .output();
}

// ---- heads ----

class Head {
  constructor(
    public readonly stateKey: Uint8Array,
    public readonly hash: Uint8Array,
    public readonly wallMs: u64,
    public readonly counter: u32,
    public readonly author: Uint8Array,
    public readonly live: bool,
    public readonly value: Uint8Array,
  ) {}

  /** The changed winner rule: the later HLC wins; on equal HLCs the smaller (author, hash) wins. */
  beats(o: Head): bool {
    if (this.wallMs != o.wallMs) return this.wallMs > o.wallMs;
    if (this.counter != o.counter) return this.counter > o.counter;
    const a = compareBytes(this.author, o.author);
    if (a != 0) return a < 0;
    return compareBytes(this.hash, o.hash) < 0;
  }
}

function headPrefix(key: Uint8Array): Uint8Array {
  const p = new Uint8Array(key.length + 1);
  memory.copy(p.dataStart, key.dataStart, <usize>key.length);
  return p;
}

function headRecord(i: Intention, live: bool, value: Uint8Array): Uint8Array {
  const r = new Uint8Array(HEAD_FIXED + value.length);
  store<u64>(r.dataStart, i.wallMs);
  store<u32>(r.dataStart + 8, i.counter);
  memory.copy(r.dataStart + 12, i.author.dataStart, 32);
  r[44] = live ? 1 : 0;
  memory.copy(r.dataStart + <usize>HEAD_FIXED, value.dataStart, <usize>value.length);
  return r;
}

/** The heads of a key, in state order (by hash). */
function headsOf(key: Uint8Array): Head[] {
  const out = new Array<Head>(0);
  const prefix = headPrefix(key);
  const it = state.scan(prefix);
  while (it.next()) {
    const k = it.key;
    const r = it.value();
    if (k.length != prefix.length + 32 || r.length < HEAD_FIXED) continue;
    out.push(new Head(k, k.subarray(prefix.length), load<u64>(r.dataStart), load<u32>(r.dataStart + 8),
      r.subarray(12, 44), r[44] == 1, r.subarray(HEAD_FIXED)));
  }
  return out;
}

function winnerOf(heads: Head[]): Head | null {
  let w: Head | null = null;
  for (let i = 0; i < heads.length; i++) {
    const h = heads[i];
    if (w == null || h.beats(w)) w = h;
  }
  return w;
}

function validKey(key: Uint8Array): bool {
  if (key.length == 0 || key.length > MAX_USER_KEY) return false;
  for (let i = 0; i < key.length; i++) if (unchecked(key[i]) == 0) return false;
  return true;
}

// ---- ops: a list of ["put", key, value] / ["del", key], keys unique ----

class Entry {
  constructor(public readonly key: Uint8Array, public readonly live: bool, public readonly value: Uint8Array) {}
}

function entryOp(e: Entry): Value {
  return e.live
    ? Value.list([Value.fromString("put"), new Value(T.STRING, e.key, []), new Value(T.STRING, e.value, [])])
    : Value.list([Value.fromString("del"), new Value(T.STRING, e.key, [])]);
}

function byKey(a: Entry, b: Entry): i32 {
  return compareBytes(a.key, b.key);
}

/** 0 if the entries are valid together, else the code. */
function checkEntries(entries: Entry[]): i32 {
  if (entries.length == 0) return MALFORMED_OP;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (!validKey(e.key)) return BAD_KEY;
    if (e.value.length > MAX_USER_VALUE) return VALUE_TOO_LARGE;
  }
  const sorted = entries.slice(0);
  sorted.sort(byKey);
  for (let i = 1; i < sorted.length; i++) if (compareBytes(sorted[i - 1].key, sorted[i].key) == 0) return DUPLICATE_KEY;
  return OK;
}

function decodeEntries(app: Uint8Array): Entry[] | null {
  const op = Value.decode(app);
  if (op == null || !op.isList()) return null;
  const items = op.asList();
  const out = new Array<Entry>(items.length);
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (!it.isList()) return null;
    const f = it.asList();
    if (f.length < 2 || !f[0].isString() || !f[1].isString()) return null;
    const kind = f[0].asString();
    if (kind == "put" && f.length == 3 && f[2].isString()) out[i] = new Entry(f[1].asBytes(), true, f[2].asBytes());
    else if (kind == "del" && f.length == 2) out[i] = new Entry(f[1].asBytes(), false, new Uint8Array(0));
    else return null;
  }
  return out;
}

// ---- entry points ----

export function apply(): i32 {
  const intention = input.intention();
  if (intention == null) return MALFORMED_OP;
  const entries = decodeEntries(intention.app);
  if (entries == null) return MALFORMED_OP;
  const bad = checkEntries(entries);
  if (bad != OK) return bad;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    // Read every head before writing, so the result does not depend on whether reads see this call's writes.
    const heads = headsOf(e.key);
    for (let j = 0; j < heads.length; j++) {
      if (intention.dependsOn(heads[j].hash)) state.delete(heads[j].stateKey);
    }
    const k = new Uint8Array(e.key.length + 33);
    memory.copy(k.dataStart, e.key.dataStart, <usize>e.key.length);
    memory.copy(k.dataStart + <usize>e.key.length + 1, intention.hash.dataStart, 32);
    state.set(k, headRecord(intention, e.live, e.value));
  }
  return OK;
}

function parseBatchItem(s: string): Entry | null {
  if (s.startsWith("del:")) return new Entry(bytesOf(s.substring(4)), false, new Uint8Array(0));
  if (!s.startsWith("put:")) return null;
  const eq = s.indexOf("=", 4);
  if (eq < 0) return null;
  return new Entry(bytesOf(s.substring(4, eq)), true, bytesOf(s.substring(eq + 1)));
}

/** Appends one intention for the entries, its condition the union of their keys' current heads. */
function appendEntries(entries: Entry[]): i32 {
  if (checkEntries(entries) != OK) return BAD_ARGUMENT;
  const deps = new Array<Uint8Array>(0);
  const ops = new Array<Value>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const heads = headsOf(entries[i].key);
    for (let j = 0; j < heads.length; j++) deps.push(heads[j].hash);
    ops[i] = entryOp(entries[i]);
  }
  return log.appendValue(Value.list(ops), deps) == 0 ? OK : APPEND_FAILED;
}

export function command(): i32 {
  const call = input.call();
  if (call == null) return BAD_ARGUMENT;
  const m = call.method;
  if (m == "put") {
    if (!call.check([T.STRING, T.STRING], 2)) return BAD_ARGUMENT;
    return appendEntries([new Entry(call.arg(0).asBytes(), true, call.arg(1).asBytes())]);
  }
  if (m == "delete") {
    if (!call.check([T.STRING], 1)) return BAD_ARGUMENT;
    return appendEntries([new Entry(call.arg(0).asBytes(), false, new Uint8Array(0))]);
  }
  if (m == "batch") {
    if (!call.check([T.LIST], 1)) return BAD_ARGUMENT;
    const items = call.list(0);
    const entries = new Array<Entry>(items.length);
    for (let i = 0; i < items.length; i++) {
      if (!items[i].isString()) return BAD_ARGUMENT;
      const e = parseBatchItem(items[i].asString());
      if (e == null) return BAD_ARGUMENT;
      entries[i] = e;
    }
    return appendEntries(entries);
  }
  return UNKNOWN_METHOD;
}

function headValue(h: Head): Value {
  const hlc = h.wallMs.toString() + "." + h.counter.toString();
  return Value.list([Value.fromBytes(h.hash), Value.fromString(hlc), Value.fromBytes(h.author),
    Value.fromBool(!h.live), new Value(T.STRING, h.value, [])]);
}

function winnerFirst(a: Head, b: Head): i32 {
  return a.beats(b) ? -1 : b.beats(a) ? 1 : 0;
}

export function query(): i32 {
  const call = input.call();
  if (call == null) return BAD_ARGUMENT;
  const m = call.method;
  if (m == "get" || m == "heads") {
    if (!call.check([T.STRING], 1)) return BAD_ARGUMENT;
    const heads = headsOf(call.arg(0).asBytes());
    if (m == "heads") {
      heads.sort(winnerFirst);
      const rows = new Array<Value>(heads.length);
      for (let i = 0; i < heads.length; i++) rows[i] = headValue(heads[i]);
      output.value(Value.list(rows));
      return OK;
    }
    const w = winnerOf(heads);
    if (w == null || !w.live) output.value(Value.list([]));
    else output.value(Value.list([new Value(T.STRING, w.value, []), Value.fromBool(heads.length > 1)]));
    return OK;
  }
  if (m == "list") {
    if (!call.check([T.STRING], 0)) return BAD_ARGUMENT;
    const prefix = call.has(0) ? call.arg(0).asBytes() : new Uint8Array(0);
    const rows = new Array<Value>(0);
    // Walk the heads in key order; each user key's heads are contiguous (0x00 sorts before any key byte).
    const it = state.scan(prefix);
    let key: Uint8Array | null = null;
    let best: Head | null = null;
    while (true) {
      const more = it.next();
      let k: Uint8Array | null = null;
      if (more) {
        if (it.key.length < 33) continue;
        k = it.key.subarray(0, it.key.length - 33);
      }
      if (key != null && (k == null || compareBytes(k, key) != 0)) {
        if (best != null && best.live) rows.push(Value.list([new Value(T.STRING, key, []), new Value(T.STRING, best.value, [])]));
        best = null;
      }
      if (!more) break;
      key = k;
      const r = it.value();
      if (r.length < HEAD_FIXED) continue;
      const h = new Head(it.key, it.key.subarray(it.key.length - 32), load<u64>(r.dataStart), load<u32>(r.dataStart + 8),
        r.subarray(12, 44), r[44] == 1, r.subarray(HEAD_FIXED));
      if (best == null || h.beats(best)) best = h;
    }
    output.value(Value.list(rows));
    return OK;
  }
  return UNKNOWN_METHOD;
}
