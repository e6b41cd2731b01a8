// The call's input (DESIGN §4.2 layouts): the intention for apply, the method and arguments for command/query.
import { input_len, input_read, TAG_STRING, TAG_BYTES, TAG_I64, TAG_U64, TAG_BOOL, TAG_LIST, APPLY_INPUT_FIXED } from "./abi.generated";
import { stringOf } from "./bytes";
import { Value, ValueReader } from "./value";

/** The intention being applied: author 32 ‖ hash 32 ‖ wallMs u64 ‖ counter u32 ‖ u32 depsCount ‖ deps ‖ u32 len ‖ app. */
export class Intention {
  constructor(
    public readonly author: Uint8Array,
    public readonly hash: Uint8Array,
    public readonly wallMs: u64,
    public readonly counter: u32,
    /** The condition hashes (32 bytes each), sorted. */
    public readonly deps: Uint8Array[],
    /** The app bytes the command appended with log.append. */
    public readonly app: Uint8Array,
  ) {}

  /** Whether the condition names this 32-byte hash. */
  dependsOn(hash: Uint8Array): bool {
    for (let i = 0; i < this.deps.length; i++) {
      const d = unchecked(this.deps[i]);
      if (memory.compare(d.dataStart, hash.dataStart, 32) == 0) return true;
    }
    return false;
  }
}

/** A command or query: the method name and its arguments. */
export class Call {
  constructor(public readonly method: string, public readonly args: Value[]) {}

  get argc(): i32 { return this.args.length; }
  has(i: i32): bool { return i < this.args.length; }
  arg(i: i32): Value { return this.args[i]; }

  /**
   * Checks the arguments against a signature: the tags in order, the first `required` of them mandatory.
   * A method that checks first can then read its arguments without further tests.
   */
  check(tags: u8[], required: i32): bool {
    if (this.args.length < required || this.args.length > tags.length) return false;
    for (let i = 0; i < this.args.length; i++) {
      if (unchecked(this.args[i]).tag != unchecked(tags[i])) return false;
    }
    return true;
  }

  string(i: i32): string { return this.args[i].asString(); }
  bytes(i: i32): Uint8Array { return this.args[i].asBytes(); }
  i64(i: i32, otherwise: i64 = 0): i64 { return i < this.args.length ? this.args[i].asI64() : otherwise; }
  u64(i: i32, otherwise: u64 = 0): u64 { return i < this.args.length ? this.args[i].asU64() : otherwise; }
  bool(i: i32, otherwise: bool = false): bool { return i < this.args.length ? this.args[i].asBool() : otherwise; }
  list(i: i32): Value[] { return this.args[i].asList(); }
}

// Re-exported tag names, so module code reads `call.check([T.STRING, T.I64], 1)`.
export namespace T {
  export const STRING: u8 = TAG_STRING;
  export const BYTES: u8 = TAG_BYTES;
  export const I64: u8 = TAG_I64;
  export const U64: u8 = TAG_U64;
  export const BOOL: u8 = TAG_BOOL;
  export const LIST: u8 = TAG_LIST;
}

export namespace input {
  /** The raw input bytes. */
  export function bytes(): Uint8Array {
    const n = input_len();
    const out = new Uint8Array(n);
    if (n > 0) input_read(<i32>out.dataStart, n);
    return out;
  }

  /** The intention of an apply call; null if the input does not have the apply layout. */
  export function intention(): Intention | null {
    const b = bytes();
    const r = new ValueReader(b, 0, b.length);
    if (b.length < APPLY_INPUT_FIXED) return null;
    const author = r.bytes(32)!;
    const hash = r.bytes(32)!;
    const wallMs = load<u64>(b.dataStart + 64);
    const counter = load<u32>(b.dataStart + 72);
    r.pos = 76;
    const count = r.u32();
    if (count < 0 || count * 32 > <i64>r.remaining()) return null;
    const deps = new Array<Uint8Array>(<i32>count);
    for (let i = 0; i < <i32>count; i++) deps[i] = r.bytes(32)!;
    const app = r.bytes(r.u32());
    if (app == null || r.pos != b.length) return null;
    return new Intention(author, hash, wallMs, counter, deps, app);
  }

  /** The method and arguments of a command or query; null if malformed. */
  export function call(): Call | null {
    const b = bytes();
    const r = new ValueReader(b, 0, b.length);
    const method = r.bytes(<i64>r.u16());
    const argc = r.u16();
    if (method == null || argc < 0) return null;
    const args = new Array<Value>(argc);
    for (let i = 0; i < argc; i++) {
      const v = r.value(0);
      if (v == null) return null;
      args[i] = v;
    }
    if (r.pos != b.length) return null;
    return new Call(stringOf(method), args);
  }
}
