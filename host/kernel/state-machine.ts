// The StateMachine interface: what a store type is to the kernel (DESIGN §3). A native TS implementation serves
// core:rootstore and kernel tests; WasmStateMachine (host/runtime) runs a module. Every call is synchronous and
// deterministic: the same input and state give the same outcome on every node.
import type { Cid, Hash, Intention } from '../model/index.js';

/** Read access to a store's live state (module key space), as of the start of the call. */
export interface StateReader {
  get(key: Uint8Array): Uint8Array | undefined;
  /** The first entry whose key is strictly after `after` in byte order (`undefined`: the first entry). */
  next(after: Uint8Array | undefined): { key: Uint8Array; value: Uint8Array } | undefined;
}

/** One write of a call's write set; `value: null` deletes. */
export interface Write {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

export interface ApplyInput {
  readonly hash: Hash;
  readonly intention: Intention;
  /** The app bytes (the ops envelope without its 0x00 tag). */
  readonly body: Uint8Array;
}

/**
 * The result of applying one intention. `code` 0 = applied (writes committed by the kernel); anything else is a
 * deterministic rejection (no writes; codes from model/rejections.ts or the module's own positive codes).
 */
export interface ApplyOutcome {
  readonly code: number;
  readonly writes: readonly Write[];
  readonly fuel: number;
  /** For abort and traps: a readable reason (not consensus). */
  readonly message?: string;
}

/** A command or query: the method name and its encoded arguments (`u16 argc ‖ values`, abi/values.ts). */
export interface Call {
  readonly method: string;
  readonly args: Uint8Array;
}

export interface CommandContext {
  /** This node's last issued intention in the store (ZERO_HASH if none). */
  readonly head: Hash;
  /** Whether a hash is witnessed in this store (log_append deps must be). */
  isWitnessed(hash: Hash): boolean;
}

/** An op a command asks to append: becomes one intention signed by this node. */
export interface Append {
  readonly body: Uint8Array;
  readonly deps: readonly Hash[];
}

export interface CommandOutcome {
  /** Encoded output value (abi/values.ts), or null. */
  readonly output: Uint8Array | null;
  readonly appends: readonly Append[];
  readonly fuel: number;
  readonly debug?: readonly string[];
}

export interface QueryOutcome {
  readonly output: Uint8Array | null;
  readonly fuel: number;
}

export type ArgType = 'string' | 'bytes' | 'i64' | 'u64' | 'bool' | `list<${string}>`;

export interface MethodDescription {
  readonly name: string;
  readonly kind: 'command' | 'query';
  readonly args: readonly { readonly name: string; readonly type: ArgType; readonly optional?: boolean }[];
  readonly result: ArgType | 'none';
  readonly doc?: string;
}

export interface ModuleDescription {
  readonly name: string;
  readonly version: string;
  readonly methods: readonly MethodDescription[];
}

export interface StateMachine {
  /** The module that runs this machine (ZERO_CID for native types). */
  readonly cid: Cid;
  describe(): ModuleDescription;
  /** Never throws for anything a guest or peer sends; a throw is a host fault (the store pauses). */
  apply(input: ApplyInput, state: StateReader): ApplyOutcome;
  /** Throws LatticeError (E_UNKNOWN_METHOD, E_BAD_ARGUMENT, E_GUEST_REJECTED, E_FUEL_EXHAUSTED, …) on refusal. */
  command(call: Call, state: StateReader, ctx: CommandContext): CommandOutcome;
  query(call: Call, state: StateReader): QueryOutcome;
}
