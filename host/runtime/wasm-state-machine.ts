// WasmStateMachine: the kernel's StateMachine over an instrumented module (DESIGN §3, §4.1). Every call runs in the
// state of a fresh WebAssembly.Instance of the cached module — a reused instance restored to it (instance-reuse.ts),
// else a new one — so no guest state survives between calls and a call's fuel never depends on earlier calls. Traps
// become deterministic rejections; only host faults throw from apply.
import type {
  ApplyInput, ApplyOutcome, Call, CommandContext, CommandOutcome, ModuleDescription, QueryOutcome, StateMachine, StateReader,
} from '../kernel/state-machine.js';
import { APPLIED, LatticeError, REJECTION, rejectionName, type Cid, type ConsensusLimits, type ErrorCode } from '../model/index.js';
import { CallContext, GuestTrap, type CallKind } from './call-context.js';
import { createImports } from './host-functions.js';
import { InstanceReuse } from './instance-reuse.js';
import { FUEL_GLOBAL, START_EXPORT, TRAP_GLOBAL } from './instrument.js';
import { encodeApplyInput, encodeCallInput, parseDescription } from './call-input.js';
import { refusalReason, statusName } from './refusal.js';
import { Wasm, type WasmGlobal, type WasmMemory, type WasmModule } from './wasm-api.js';

/** Negative codes a guest may return itself (the rest of the negative range belongs to the host). */
const GUEST_NEGATIVE = new Set<number>([REJECTION.E_BAD_ARGUMENT, REJECTION.E_UNKNOWN_METHOD]);

/** The end of one guest call: a return value, or a trap with its code. */
interface Run {
  readonly result: number;
  /** 0 when the call returned normally, else the rejection code of the trap. */
  readonly trap: number;
  readonly message: string | undefined;
  readonly fuel: number;
}

export interface MachineOptions {
  /** Instantiate afresh for every call even when the module is restorable (the reference path, for tests). */
  readonly instancePerCall?: boolean;
}

export class WasmStateMachine implements StateMachine {
  private readonly ctx = new CallContext();
  private readonly instances: InstanceReuse;
  private description: ModuleDescription | undefined;

  /** `restorable`: the artifact has the restore exports (GLOBALS_EXPORT). */
  constructor(
    readonly cid: Cid,
    readonly limits: ConsensusLimits,
    module: WasmModule,
    private readonly hasStart: boolean,
    restorable: boolean,
    options: MachineOptions = {},
  ) {
    this.instances = new InstanceReuse(module, createImports(this.ctx), restorable && options.instancePerCall !== true);
  }

  /** WebAssembly instances this machine has created (with reuse, a few over its life; else one per call). */
  get instantiations(): number {
    return this.instances.instantiations;
  }

  apply(input: ApplyInput, state: StateReader): ApplyOutcome {
    const ctx = this.ctx;
    ctx.begin('apply', state);
    encodeApplyInput(ctx, input);
    const run = this.run('apply');
    if (run.trap !== 0) return { code: run.trap, writes: [], fuel: run.fuel, message: run.message };
    if (run.result !== APPLIED) {
      if (run.result < 0 && !GUEST_NEGATIVE.has(run.result)) {
        return { code: REJECTION.E_GUEST_TRAP, writes: [], fuel: run.fuel, message: `apply returned ${run.result}, a status reserved for the host` };
      }
      return { code: run.result, writes: [], fuel: run.fuel };
    }
    return { code: APPLIED, writes: ctx.writes(), fuel: run.fuel };
  }

  command(call: Call, state: StateReader, context: CommandContext): CommandOutcome {
    const ctx = this.ctx;
    ctx.begin('command', state, context);
    encodeCallInput(ctx, call);
    const run = this.refuseOrRun('command', call.method, call);
    return { output: ctx.output, appends: ctx.appends, fuel: run.fuel, debug: ctx.debug };
  }

  query(call: Call, state: StateReader): QueryOutcome {
    const ctx = this.ctx;
    ctx.begin('query', state);
    encodeCallInput(ctx, call);
    const run = this.refuseOrRun('query', call.method, call);
    return { output: ctx.output, fuel: run.fuel };
  }

  describe(): ModuleDescription {
    if (this.description) return this.description;
    this.ctx.begin('describe', undefined);
    this.ctx.inputBuffer(0);
    this.refuseOrRun('describe', 'describe');
    this.description = parseDescription(this.ctx.output);
    return this.description;
  }

  /**
   * For command, query and describe a trap or a non-zero return is a refusal: a LatticeError with its code, its
   * message saying why when the host can tell (refusal.ts).
   */
  private refuseOrRun(kind: CallKind, method: string, call?: Call): Run {
    const run = this.run(kind);
    const what = kind === 'describe' ? 'describe()' : `${kind} ${method}`;
    if (run.trap !== 0) {
      const name = rejectionName(run.trap) ?? 'E_GUEST_TRAP';
      throw new LatticeError(name as ErrorCode, `${what}: ${run.message ?? name}`, { method, fuel: run.fuel, result: run.trap });
    }
    if (run.result !== 0) {
      const name = GUEST_NEGATIVE.has(run.result) ? (rejectionName(run.result) as ErrorCode) : 'E_GUEST_REJECTED';
      const status = `the module returned ${run.result}${statusName(run.result) ? `, ${statusName(run.result)}` : ''}`;
      if (call === undefined || (kind !== 'command' && kind !== 'query')) throw new LatticeError(name, `${what}: ${status}`, { method, fuel: run.fuel, status: run.result });
      const appendRefusal = this.ctx.appendRefusal;
      const reason = refusalReason({ kind, call, status: run.result, storeType: this.storeType(), appendRefusal });
      throw new LatticeError(name, `${what}: ${reason} (${status})`, { method, fuel: run.fuel, status: run.result, reason });
    }
    return run;
  }

  /** The store type the module describes itself as; undefined if describe() fails (the refusal stays generic). */
  private storeType(): string | undefined {
    try {
      return this.describe().name;
    } catch {
      return undefined;
    }
  }

  private run(entry: CallKind): Run {
    const ctx = this.ctx;
    const fuelLimit = this.limits.fuel;
    let fuel: WasmGlobal | undefined;
    let trapCode: WasmGlobal | undefined;
    try {
      const ready = this.instances.acquire();
      const exports = ready?.exports ?? this.instances.fresh();
      fuel = exports[FUEL_GLOBAL] as WasmGlobal;
      trapCode = exports[TRAP_GLOBAL] as WasmGlobal;
      ctx.memory = exports.memory as WasmMemory;
      ctx.fuel = fuel;
      // a restored instance is past its start function: it ran, under the same fuel, when the snapshot was taken
      if (ready === undefined && this.hasStart) (exports[START_EXPORT] as () => void)();
      const result = (exports[entry] as () => number)();
      return { result, trap: 0, message: undefined, fuel: fuelLimit - fuel.value };
    } catch (e) {
      let code: number;
      let message: string;
      if (e instanceof GuestTrap) {
        code = e.code;
        message = e.message;
      } else if (e instanceof Wasm.RuntimeError) {
        // the instrumentation records its own traps before trapping; any other trap is the guest's own
        const recorded = trapCode?.value ?? 0;
        code = recorded !== 0 ? recorded : REJECTION.E_GUEST_TRAP;
        message = recorded !== 0 ? (rejectionName(recorded) ?? String(recorded)) : `trap: ${e.message}`;
      } else {
        // a RangeError (V8's stack limit), a failing state read, a bug: never the guest's to decide
        this.instances.discard();
        throw new LatticeError('E_HOST_FAULT', `host fault in ${entry}: ${(e as Error)?.message ?? String(e)}`, { cid: this.cid }, { cause: e });
      }
      // fuel exhausted reports the whole budget (the remainder below one block's weight is not meaningful)
      const used = fuel === undefined ? 0 : code === REJECTION.E_FUEL_EXHAUSTED ? fuelLimit : fuelLimit - fuel.value;
      return { result: 0, trap: code, message, fuel: used };
    } finally {
      ctx.memory = undefined;
      ctx.fuel = undefined;
    }
  }
}
