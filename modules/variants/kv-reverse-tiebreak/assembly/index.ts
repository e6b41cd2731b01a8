// core:kvstore whose ties break the other way (docs/hotfix.md): modules/kv except the winner rule, where two heads
// with the same HLC are ordered by the smaller (author, hash) instead of the larger. Apply writes each key's winner
// into the state (key → hash of the winning head), so at the first intention whose apply leaves a key whose latest
// HLC is shared by two heads, this module writes a different winner entry than the original: the hot-fix gate, which
// compares each intention's result and write set, refuses it there. test/integration/hotfix/refuse.test.ts shows it.
import {
  input, output, state, log, Value, Schema, arg, optional, T, Intention, bytesOf, compareBytes, startsWith,
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
  return new Schema("core:kvstore", "1.1.0")
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

/** The state key of a key's head: key ‖ 0x00 ‖ hash. */
function headKey(key: Uint8Array, hash: Uint8Array): Uint8Array {
  const k = new Uint8Array(key.length + 33);
  memory.copy(k.dataStart, key.dataStart, <usize>key.length);
  memory.copy(k.dataStart + <usize>key.length + 1, hash.dataStart, 32);
  return k;
}

/** Whether a state key is a head's (key ‖ 0x00 ‖ hash) rather than a winner entry's (a key, never with a NUL). */
function isHeadKey(k: Uint8Array): bool {
  return k.length >= 34 && k[k.length - 33] == 0;
}

function headAt(stateKey: Uint8Array, r: Uint8Array): Head {
  return new Head(stateKey, stateKey.subarray(stateKey.length - 32), load<u64>(r.dataStart), load<u32>(r.dataStart + 8),
    r.subarray(12, 44), r[44] == 1, r.subarray(HEAD_FIXED));
}

/** The winning head of a key, read from its winner entry; null if the key has none. */
function winnerEntry(key: Uint8Array): Head | null {
  const w = state.get(key);
  if (w == null || w.length != 32) return null;
  const k = headKey(key, w);
  const r = state.get(k);
  if (r == null || r.length < HEAD_FIXED) return null;
  return headAt(k, r);
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
    out.push(headAt(k, r));
  }
  return out;
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
    const k = headKey(e.key, intention.hash);
    // The winner over the heads this apply leaves: its own and those its condition does not name.
    let w = new Head(k, intention.hash, intention.wallMs, intention.counter, intention.author, e.live, e.value);
    for (let j = 0; j < heads.length; j++) {
      const h = heads[j];
      if (intention.dependsOn(h.hash)) state.delete(h.stateKey);
      else if (h.beats(w)) w = h;
    }
    state.set(k, headRecord(intention, e.live, e.value));
    state.set(e.key, w.hash);
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

/** Whether a key has more than one head (reads no head's value). */
function conflicted(key: Uint8Array): bool {
  const it = state.scan(headPrefix(key));
  return it.next() && it.next();
}

export function query(): i32 {
  const call = input.call();
  if (call == null) return BAD_ARGUMENT;
  const m = call.method;
  if (m == "get") {
    if (!call.check([T.STRING], 1)) return BAD_ARGUMENT;
    const key = call.arg(0).asBytes();
    const w = validKey(key) ? winnerEntry(key) : null;
    if (w == null || !w.live) output.value(Value.list([]));
    else output.value(Value.list([new Value(T.STRING, w.value, []), Value.fromBool(conflicted(key))]));
    return OK;
  }
  if (m == "heads") {
    if (!call.check([T.STRING], 1)) return BAD_ARGUMENT;
    const heads = headsOf(call.arg(0).asBytes());
    heads.sort(winnerFirst);
    const rows = new Array<Value>(heads.length);
    for (let i = 0; i < heads.length; i++) rows[i] = headValue(heads[i]);
    output.value(Value.list(rows));
    return OK;
  }
  if (m == "list") {
    if (!call.check([T.STRING], 0)) return BAD_ARGUMENT;
    const prefix = call.has(0) ? call.arg(0).asBytes() : new Uint8Array(0);
    const rows = new Array<Value>(0);
    // The winner entries are the keys themselves, in key order. After each, the walk jumps past the key's heads
    // (key ‖ 0x00 ‖ 32 bytes, all at most key ‖ 0x00 ‖ 0xFF×32), so it takes one step per key however many heads.
    let k = prefix.length > 0 && state.has(prefix) ? prefix : state.next(prefix.length > 0 ? prefix : null);
    while (k != null && startsWith(k, prefix)) {
      let after = k;
      if (!isHeadKey(k)) {
        const w = winnerEntry(k);
        if (w != null && w.live) rows.push(Value.list([new Value(T.STRING, k, []), new Value(T.STRING, w.value, [])]));
        after = new Uint8Array(k.length + 33);
        memory.copy(after.dataStart, k.dataStart, <usize>k.length);
        memory.fill(after.dataStart + <usize>k.length + 1, 0xff, 32);
      }
      k = state.next(after);
    }
    output.value(Value.list(rows));
    return OK;
  }
  return UNKNOWN_METHOD;
}
