// The state of one guest call, shared by every host function (one record per state machine, reset per call, so
// the import object is built once and no closure is allocated per call). Also the deterministic guest trap.
import type { Append, CommandContext, StateReader, Write } from '../kernel/state-machine.js';
import { REJECTION, type RejectionName } from '../model/index.js';
import type { WasmGlobal, WasmMemory } from './wasm-api.js';

export type CallKind = 'apply' | 'command' | 'query' | 'describe';

/**
 * A trap the host decides (limits, ABI misuse, abort). Thrown from a host function through the guest's frames
 * and caught by the runtime; its code is consensus, its message is not.
 */
export class GuestTrap extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'GuestTrap';
  }
}

export const trap = (name: RejectionName, message: string): never => {
  throw new GuestTrap(REJECTION[name], message);
};

export class CallContext {
  kind: CallKind = 'apply';
  input: Uint8Array = new Uint8Array(0);
  state: StateReader | undefined;
  command: CommandContext | undefined;
  /** Buffered writes by key (latin1 of the key bytes: string order is byte order). */
  readonly overlay = new Map<string, Write>();
  overlayBytes = 0;
  output: Uint8Array | null = null;
  appends: Append[] = [];
  debug: string[] = [];
  debugBytes = 0;
  /** Why log_append last refused in this call, for the command's error if it then refuses (not consensus). */
  appendRefusal: string | undefined;
  memory: WasmMemory | undefined;
  fuel: WasmGlobal | undefined;
  private view = new Uint8Array(0);
  private scratch = new Uint8Array(256);

  begin(kind: CallKind, state: StateReader | undefined, command?: CommandContext): void {
    this.kind = kind;
    this.state = state;
    this.command = command;
    this.overlay.clear();
    this.overlayBytes = 0;
    this.output = null;
    this.appends = [];
    this.debug = [];
    this.debugBytes = 0;
    this.appendRefusal = undefined;
    this.memory = undefined;
    this.fuel = undefined;
  }

  /** A reusable buffer for the call's input (the guest reads it by copy). */
  inputBuffer(size: number): Uint8Array {
    if (this.scratch.length < size) this.scratch = new Uint8Array(Math.max(size, this.scratch.length * 2));
    this.input = this.scratch.subarray(0, size);
    return this.input;
  }

  /** The guest memory as bytes; re-viewed after memory.grow detached the old buffer. */
  bytes(): Uint8Array {
    const buffer = this.memory!.buffer;
    if (this.view.buffer !== buffer) this.view = new Uint8Array(buffer);
    return this.view;
  }

  /** Checks a guest (ptr, len) range; out of bounds is a deterministic trap, as a Wasm load would be. */
  range(ptr: number, len: number): Uint8Array {
    const mem = this.bytes();
    const p = ptr >>> 0;
    const end = p + (len >>> 0);
    if (end > mem.length) trap('E_GUEST_TRAP', `host call out of bounds: [${p}, ${end}) beyond ${mem.length} bytes of memory`);
    return mem;
  }

  /** Takes fuel for host work; running out is the same trap as running out in guest code. */
  charge(amount: number): void {
    const g = this.fuel!;
    const left = g.value;
    if (left < amount) {
      g.value = 0;
      trap('E_FUEL_EXHAUSTED', 'fuel exhausted in a host call');
    }
    g.value = left - amount;
  }

  /** The write set in key byte order. */
  writes(): Write[] {
    if (this.overlay.size === 0) return [];
    const keys = [...this.overlay.keys()].sort();
    return keys.map((k) => this.overlay.get(k)!);
  }
}
