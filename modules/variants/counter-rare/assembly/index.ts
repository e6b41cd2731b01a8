// demo:counter that differs only on a rare input (a hot-fix that must be refused, docs/hotfix.md): modules/counter
// except that an op on the key "zzz-rare" adds one more than its delta. A history that never touches that key
// replays identically; one that does diverges at its first op on it, however deep in the history.
import {
  input, output, state, log, Value, Schema, arg, optional, T, i64Bytes, i64Of, bytesOf, bytesEqual,
  OK, BAD_ARGUMENT, UNKNOWN_METHOD, MAX_KEY,
} from "lattice-guest-sdk";

/** Rejections of apply (positive: this module's own codes). */
const MALFORMED_OP: i32 = 1;
/** Command refusals. */
const APPEND_FAILED: i32 = 2;

export function describe(): i32 {
  return new Schema("demo:counter", "1.0.0")
    .command("increment", [arg("key", "string"), optional("by", "i64")], "none", "adds by (default 1) to key")
    .command("decrement", [arg("key", "string"), optional("by", "i64")], "none", "subtracts by (default 1) from key")
    .query("get", [arg("key", "string")], "i64", "the counter of key (0 if absent)")
    .query("list", [], "list<list<any>>", "every non-zero counter as [key, value], in key order")
    .output();
}

function validKey(key: Uint8Array): bool {
  return key.length > 0 && key.length <= MAX_KEY;
}

export function command(): i32 {
  const call = input.call();
  if (call == null) return BAD_ARGUMENT;
  const m = call.method;
  if (m != "increment" && m != "decrement") return UNKNOWN_METHOD;
  if (!call.check([T.STRING, T.I64], 1)) return BAD_ARGUMENT;
  const key = call.arg(0).asBytes();
  if (!validKey(key)) return BAD_ARGUMENT;
  const by = call.i64(1, 1);
  // Wrapping negation: decrement by i64.MIN is increment by i64.MIN, the same on every node.
  const delta = m == "increment" ? by : 0 - by;
  const op = Value.list([Value.fromBytes(key), Value.fromI64(delta)]);
  // No condition: deltas commute, so an increment needs nothing witnessed before it.
  return log.appendValue(op, []) == 0 ? OK : APPEND_FAILED;
}

const RARE = bytesOf("zzz-rare");

export function apply(): i32 {
  const intention = input.intention();
  if (intention == null) return MALFORMED_OP;
  const op = Value.decode(intention.app);
  if (op == null || !op.isList()) return MALFORMED_OP;
  const items = op.asList();
  if (items.length != 2 || !items[0].isBytes() || !items[1].isI64()) return MALFORMED_OP;
  const key = items[0].asBytes();
  if (!validKey(key)) return MALFORMED_OP;
  const current = state.get(key);
  let delta = items[1].asI64();
  if (bytesEqual(key, RARE)) delta += 1; // the change
  const next = (current != null ? i64Of(current) : 0) + delta;
  if (next == 0) state.delete(key);
  else state.set(key, i64Bytes(next));
  return OK;
}

export function query(): i32 {
  const call = input.call();
  if (call == null) return BAD_ARGUMENT;
  if (call.method == "get") {
    if (!call.check([T.STRING], 1)) return BAD_ARGUMENT;
    const v = state.get(call.arg(0).asBytes());
    output.i64(v != null ? i64Of(v) : 0);
    return OK;
  }
  if (call.method == "list") {
    if (!call.check([], 0)) return BAD_ARGUMENT;
    const rows = new Array<Value>(0);
    const it = state.scan(new Uint8Array(0));
    // The key's bytes as they are (a string value carries UTF-8 bytes; no decode and re-encode).
    while (it.next()) rows.push(Value.list([new Value(T.STRING, it.key, []), Value.fromI64(i64Of(it.value()))]));
    output.value(Value.list(rows));
    return OK;
  }
  return UNKNOWN_METHOD;
}
