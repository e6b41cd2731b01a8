// The call's effects besides state: its output, ops appended to the log (commands), this node's head, debug lines.
import { output as host_output, log_append, get_head, debug as host_debug } from "./abi.generated";
import { bytesOf } from "./bytes";
import { Value } from "./value";

export class output {
  /** Sets the result to one encoded value (command, query). */
  static value(v: Value): void {
    const b = v.encode();
    host_output(<i32>b.dataStart, b.length);
  }

  /** Sets the result to raw bytes (describe writes its JSON this way). */
  static bytes(b: Uint8Array): void {
    host_output(<i32>b.dataStart, b.length);
  }

  static string(s: string): void { output.value(Value.fromString(s)); }
  static i64(v: i64): void { output.value(Value.fromI64(v)); }
  static u64(v: u64): void { output.value(Value.fromU64(v)); }
  static bool(v: bool): void { output.value(Value.fromBool(v)); }
}

export class log {
  /**
   * In a command: appends one app op; it becomes an intention signed by this node whose condition is `deps`
   * (32-byte hashes witnessed here, e.g. a key's current heads). Returns 0 or a negative status
   * (STATUS_TOO_MANY_DEPS, STATUS_DEP_NOT_WITNESSED, STATUS_TOO_MANY_APPENDS, STATUS_PAYLOAD_TOO_LARGE).
   */
  static append(op: Uint8Array, deps: Uint8Array[]): i32 {
    const packed = new Uint8Array(deps.length * 32);
    for (let i = 0; i < deps.length; i++) {
      const d = unchecked(deps[i]);
      if (d.length != 32) abort("a dep must be a 32-byte hash");
      memory.copy(packed.dataStart + <usize>(i * 32), d.dataStart, 32);
    }
    return log_append(<i32>op.dataStart, op.length, <i32>packed.dataStart, deps.length);
  }

  /** Appends an op encoded as one value (the convention that lets `store history` show it). */
  static appendValue(op: Value, deps: Uint8Array[]): i32 {
    return log.append(op.encode(), deps);
  }
}

/** In a command: the hash of this node's last issued intention in the store (32 zero bytes if none). */
export function getHead(): Uint8Array {
  const out = new Uint8Array(32);
  get_head(<i32>out.dataStart);
  return out;
}

/** Debug levels of `debug.line`. */
export const DEBUG: i32 = 0;
export const INFO: i32 = 1;
export const WARN: i32 = 2;
export const ERROR: i32 = 3;

/** A module log line: kept on the node (module log, `store exec --verbose`), never in state; capped per call. */
export class debug {
  static line(level: i32, msg: string): void {
    const b = bytesOf(msg);
    host_debug(level, <i32>b.dataStart, b.length);
  }
  static info(msg: string): void { debug.line(INFO, msg); }
  static warn(msg: string): void { debug.line(WARN, msg); }
}
