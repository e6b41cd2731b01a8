// Instance reuse with the semantics of a fresh instance per call (DESIGN §4.1: no guest state survives between
// calls). The post-start state of a module — its memory bytes and size, and every mutable global, fuel included —
// is taken once, and an instance is restored to it before every call. What else a fresh instance would reset
// cannot change at run time under the allowlist: the table (no table.* or elem.drop, no imported table), and data
// segments (a module using data.drop is not exported for restore by the instrumenter, so it stays fresh per call).
import { GLOBAL_EXPORT_PREFIX, GLOBAL_GET_PREFIX, GLOBAL_SET_PREFIX, GLOBALS_EXPORT, START_EXPORT } from './instrument.js';
import { Wasm, type WasmExports, type WasmGlobal, type WasmImports, type WasmMemory, type WasmModule } from './wasm-api.js';

const PAGE = 65536;
/**
 * Past this post-start memory size a restore (a copy of every byte) costs more than a new instance (whose memory the
 * OS zeroes lazily): measured on the 2-core VM, 16 pages copy in ~100–160 µs, about one instantiation.
 */
export const MAX_RESTORE_PAGES = 16;

/** An instance ready for one call, in the state a fresh instantiation followed by its start function gives. */
export interface ReadyInstance {
  readonly exports: WasmExports;
  readonly memory: WasmMemory;
}

interface Snapshot {
  readonly memory: Uint8Array;
  readonly globals: readonly (number | bigint)[];
}

/** The mutable globals of an instance: integer ones as Globals, float ones through their bits (instrument.ts). */
interface Globals {
  /** Snapshot index of each integer global. */
  readonly intAt: readonly number[];
  readonly ints: readonly WasmGlobal[];
  readonly floatAt: readonly number[];
  readonly getBits: readonly (() => number | bigint)[];
  readonly setBits: readonly ((bits: number | bigint) => void)[];
}

interface Live extends ReadyInstance {
  readonly globals: Globals;
  view: Uint8Array;
}

/** Thrown by the imports of the snapshot instance: a start function that calls the host is not restorable. */
class HostCalledInStart extends Error {}

const refuse = (): never => {
  throw new HostCalledInStart('the start function called the host');
};

function globalsOf(exports: WasmExports): Globals {
  const n = (exports[GLOBALS_EXPORT] as WasmGlobal).value;
  const g: { intAt: number[]; ints: WasmGlobal[]; floatAt: number[]; getBits: (() => number | bigint)[]; setBits: ((bits: number | bigint) => void)[] } = {
    intAt: [], ints: [], floatAt: [], getBits: [], setBits: [],
  };
  for (let i = 0; i < n; i++) {
    const global = exports[`${GLOBAL_EXPORT_PREFIX}${i}`] as WasmGlobal | undefined;
    if (global !== undefined) {
      g.intAt.push(i);
      g.ints.push(global);
    } else {
      g.floatAt.push(i);
      g.getBits.push(exports[`${GLOBAL_GET_PREFIX}${i}`] as () => number | bigint);
      g.setBits.push(exports[`${GLOBAL_SET_PREFIX}${i}`] as (bits: number | bigint) => void);
    }
  }
  return g;
}

function saveGlobals(g: Globals): (number | bigint)[] {
  const values: (number | bigint)[] = [];
  g.intAt.forEach((at, k) => (values[at] = g.ints[k]!.value));
  g.floatAt.forEach((at, k) => (values[at] = g.getBits[k]!()));
  return values;
}

/**
 * The instances of one state machine's module. `acquire()` returns an instance restored to the post-start state,
 * or undefined when the module must be instantiated (and its start run) per call: it has no restore exports, its
 * start function calls the host (what it does may then depend on the call), traps or runs out of fuel, or it leaves
 * more than MAX_RESTORE_PAGES of memory.
 */
export class InstanceReuse {
  /** undefined: not taken yet; null: this module is instantiated per call. */
  private snapshot: Snapshot | null | undefined;
  private live: Live | undefined;
  /** Instances created, the snapshot's included. */
  instantiations = 0;

  constructor(
    private readonly module: WasmModule,
    private readonly imports: WasmImports,
    private readonly restorable: boolean,
  ) {}

  acquire(): ReadyInstance | undefined {
    if (this.snapshot === undefined) this.snapshot = this.restorable ? this.take() : null;
    const snap = this.snapshot;
    if (snap === null) return undefined;
    let live = this.live;
    // memory cannot shrink: an instance whose call grew it is replaced
    if (live === undefined || live.memory.buffer.byteLength !== snap.memory.length) live = this.live = this.instantiate(snap.memory.length);
    if (live.view.buffer !== live.memory.buffer) live.view = new Uint8Array(live.memory.buffer);
    live.view.set(snap.memory);
    const { intAt, ints, floatAt, setBits } = live.globals;
    const values = snap.globals;
    for (let k = 0; k < ints.length; k++) ints[k]!.value = values[intAt[k]!] as number;
    for (let k = 0; k < setBits.length; k++) setBits[k]!(values[floatAt[k]!]!);
    return live;
  }

  /** Drops the live instance (after a host fault, whose effect on it is not the guest's to define). */
  discard(): void {
    this.live = undefined;
  }

  /** A fresh instance for one call, as the contract defines it; the caller runs the start function. */
  fresh(): WasmExports {
    this.instantiations++;
    return new Wasm.Instance(this.module, this.imports).exports;
  }

  private instantiate(bytes: number): Live {
    const exports = this.fresh();
    const memory = exports.memory as WasmMemory;
    const grow = (bytes - memory.buffer.byteLength) / PAGE;
    if (grow > 0) memory.grow(grow);
    return { exports, memory, globals: globalsOf(exports), view: new Uint8Array(memory.buffer) };
  }

  /** Instantiates with imports that refuse every call, runs the start function, and copies the state it leaves. */
  private take(): Snapshot | null {
    const refusing: WasmImports = {};
    for (const [mod, fns] of Object.entries(this.imports)) refusing[mod] = Object.fromEntries(Object.keys(fns).map((k) => [k, refuse]));
    try {
      this.instantiations++;
      const exports = new Wasm.Instance(this.module, refusing).exports;
      const start = exports[START_EXPORT] as (() => void) | undefined;
      if (start !== undefined) start();
      const memory = (exports.memory as WasmMemory).buffer;
      if (memory.byteLength > MAX_RESTORE_PAGES * PAGE) return null;
      return {
        memory: new Uint8Array(memory).slice(),
        globals: saveGlobals(globalsOf(exports)),
      };
    } catch {
      // whatever stopped the start function here stops it in every fresh instance too: each call runs it and
      // meets the same end (a trap becomes the call's outcome)
      return null;
    }
  }
}
