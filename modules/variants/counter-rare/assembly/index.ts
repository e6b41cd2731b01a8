// demo:counter that differs only on a rare input (a hot-fix that must be refused, docs/hotfix.md): modules/counter
// except that an op on the key "zzz-rare" adds one more than its delta. A history that never touches that key
// replays identically; one that does diverges at its first op on it, however deep in the history.
// Only apply differs: describe, command and query are modules/counter's own.
import { input, state, Value, i64Bytes, i64Of, OK, MAX_KEY, bytesOf, bytesEqual } from "lattice-guest-sdk";
export { describe, command, query } from "../../../counter/assembly/index";

/** Rejection of apply (the original's code). */
const MALFORMED_OP: i32 = 1;

const RARE = bytesOf("zzz-rare");

export function apply(): i32 {
  const intention = input.intention();
  if (intention == null) return MALFORMED_OP;
  const op = Value.decode(intention.app);
  if (op == null || !op.isList()) return MALFORMED_OP;
  const items = op.asList();
  if (items.length != 2 || !items[0].isBytes() || !items[1].isI64()) return MALFORMED_OP;
  const key = items[0].asBytes();
  if (key.length == 0 || key.length > MAX_KEY) return MALFORMED_OP;
  const current = state.get(key);
  let delta = items[1].asI64();
  if (bytesEqual(key, RARE)) delta += 1; // the change
  const next = (current != null ? i64Of(current) : 0) + delta;
  if (next == 0) state.delete(key);
  else state.set(key, i64Bytes(next));
  return OK;
}
