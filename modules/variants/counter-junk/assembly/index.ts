// demo:counter that leaves every state hash equal but writes junk (a hot-fix that must be refused, docs/hotfix.md):
// modules/counter whose apply also sets and then deletes the key "~junk". The net state is the same as the original's
// (the key is never live), so every projection record's state hash matches; the write set is not (it carries a
// delete of "~junk"), so the writesDigest differs at the first applied op and the gate refuses it there.
import {
  input, output, state, log, Value, Schema, arg, optional, T, i64Bytes, i64Of, bytesOf,
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

const JUNK = bytesOf("~junk");

export function apply(): i32 {
  const intention = input.intention();
  if (intention == null) return MALFORMED_OP;
  const op = Value.decode(intention.app);
  if (op == null || !op.isList()) return MALFORMED_OP;
  const items = op.asList();
  if (items.length != 2 || !items[0].isBytes() || !items[1].isI64()) return MALFORMED_OP;
  const key = items[0].asBytes();
  if (!validKey(key)) return MALFORMED_OP;
  // The change: a scratch write under a key of its own, undone in the same apply.
  state.set(JUNK, i64Bytes(1));
  state.delete(JUNK);
  const current = state.get(key);
  const next = (current != null ? i64Of(current) : 0) + items[1].asI64();
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
