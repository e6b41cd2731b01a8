// demo:counter that counts by 2 (a hot-fix that must be refused, docs/hotfix.md): modules/counter with one change,
// apply adds twice the op's delta. It writes a different value at the first increment of any history, so the
// hot-fix gate refuses it there.
// Only apply differs: describe, command and query are modules/counter's own.
import { input, state, Value, i64Bytes, i64Of, OK, MAX_KEY } from "lattice-guest-sdk";
export { describe, command, query } from "../../../counter/assembly/index";

/** Rejection of apply (the original's code). */
const MALFORMED_OP: i32 = 1;

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
  // The change: twice the delta (wrapping, like the original's addition).
  const next = (current != null ? i64Of(current) : 0) + items[1].asI64() * 2;
  if (next == 0) state.delete(key);
  else state.set(key, i64Bytes(next));
  return OK;
}
