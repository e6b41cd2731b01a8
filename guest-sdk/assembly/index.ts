// lattice-guest-sdk: what a Lattice store module imports (docs/module-guide.md). A module exports
// apply(), command(), query() and describe(), each returning 0 or a status.
export { state, Scan, MAX_KEY, MAX_VALUE } from "./state";
export { input, Intention, Call, T } from "./input";
export { output, log, getHead, debug, DEBUG, INFO, WARN, ERROR } from "./host";
export { Value, ValueReader, MAX_VALUE_DEPTH } from "./value";
export { Schema, Arg, arg, optional } from "./schema";
export { bytesOf, stringOf, compareBytes, bytesEqual, startsWith, concat, slice, readU32, readU64, writeU32, writeU64, i64Bytes, i64Of } from "./bytes";
export {
  STATUS_OK, STATUS_MISSING, STATUS_KEY_TOO_LARGE, STATUS_VALUE_TOO_LARGE, STATUS_TOO_MANY_DEPS,
  STATUS_DEP_NOT_WITNESSED, STATUS_TOO_MANY_APPENDS, STATUS_PAYLOAD_TOO_LARGE,
} from "./abi.generated";

/** Return codes of apply/command/query: 0 done; > 0 the module's own rejection codes; these two are the host's. */
export const OK: i32 = 0;
/** Arguments missing or of the wrong type (the host's E_BAD_ARGUMENT, host/model/rejections.ts). */
export const BAD_ARGUMENT: i32 = -20;
/** No such method (the host's E_UNKNOWN_METHOD). */
export const UNKNOWN_METHOD: i32 = -21;
