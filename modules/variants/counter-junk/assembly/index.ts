// demo:counter that leaves every state hash equal but writes junk (a hot-fix that must be refused, docs/hotfix.md):
// modules/counter whose apply also sets and then deletes the key "~junk". The net state is the same as the original's
// (the key is never live), so every projection record's state hash matches; the write set is not (it carries a
// delete of "~junk"), so the writesDigest differs at the first applied op and the gate refuses it there.
// Only apply differs: describe, command and query are modules/counter's own.
import { input, state, Value, i64Bytes, i64Of, OK, MAX_KEY, bytesOf } from "lattice-guest-sdk";
export { describe, command, query } from "../../../counter/assembly/index";

/** Rejection of apply (the original's code). */
const MALFORMED_OP: i32 = 1;

const JUNK = bytesOf("~junk");

export function apply(): i32 {
  const intention = input.intention();
  if (intention == null) return MALFORMED_OP;
  const op = Value.decode(intention.app);
  if (op == null || !op.isList()) return MALFORMED_OP;
  const items = op.asList();
  if (items.length != 2 || !items[0].isBytes() || !items[1].isI64()) return MALFORMED_OP;
  const key = items[0].asBytes();
  if (key.length == 0 || key.length > MAX_KEY) return MALFORMED_OP;
  // The change: a scratch write under a key of its own, undone in the same apply.
  state.set(JUNK, i64Bytes(1));
  state.delete(JUNK);
  const current = state.get(key);
  const next = (current != null ? i64Of(current) : 0) + items[1].asI64();
  if (next == 0) state.delete(key);
  else state.set(key, i64Bytes(next));
  return OK;
}
