// A tiny direct StateMachine for module tests: instantiates the .wasm on V8 with a JS implementation of lattice_v1
// (a write overlay over the replica's state, no fuel or instrumentation). It checks module semantics; the runtime's
// own tests cover metering and limits.
import { readFileSync } from 'node:fs';
import { encodeCall } from '../../../abi/values.js';
import type { LatticeV1Imports } from '../../../abi/host.generated.js';
import { STATUS } from '../../../abi/lattice_v1.js';
import type {
  ApplyInput, ApplyOutcome, Append, Call, CommandContext, CommandOutcome, ModuleDescription, QueryOutcome, StateMachine,
  StateReader, Write,
} from '../../../host/kernel/state-machine.js';
import { blake3, compareBytes, LatticeError, REJECTION, toHex, type Cid, type Hash } from '../../../host/model/index.js';

type Kind = 'apply' | 'command' | 'query' | 'describe';

// tsconfig's lib has no DOM, so the slice of the WebAssembly JS API used here is typed locally.
interface WasmMemory { readonly buffer: ArrayBuffer }
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

class Trap extends Error {}

export class DirectMachine implements StateMachine {
  readonly cid: Cid;
  private readonly module: WasmModule;

  constructor(bytes: Uint8Array) {
    this.cid = blake3(bytes) as unknown as Cid;
    this.module = new WebAssembly.Module(bytes);
  }

  static fromFile(file: string): DirectMachine {
    return new DirectMachine(readFileSync(file));
  }

  private run(kind: Kind, input: Uint8Array, state: StateReader | null, ctx?: CommandContext) {
    const overlay = new Map<string, Write>();
    const appends: Append[] = [];
    const debug: string[] = [];
    let output: Uint8Array | null = null;
    let memory!: WasmMemory;
    const mem = (): Uint8Array => new Uint8Array(memory.buffer);
    const read = (p: number, n: number): Uint8Array => mem().slice(p, p + n);
    const copyOut = (b: Uint8Array, p: number, cap: number): number => (mem().set(b.subarray(0, Math.min(cap, b.length)), p), b.length);
    const allow = (name: string, kinds: Kind[]): void => { if (!kinds.includes(kind)) throw new Trap(`${name} is not allowed in ${kind}`); };
    const get = (k: Uint8Array): Uint8Array | undefined => {
      const w = overlay.get(toHex(k));
      return w ? w.value ?? undefined : state!.get(k);
    };
    const next = (after: Uint8Array | undefined): Uint8Array | undefined => {
      let s = state!.next(after);
      while (s && overlay.get(toHex(s.key))?.value === null) s = state!.next(s.key);
      let best = s?.key;
      for (const w of overlay.values()) {
        if (w.value === null || (after && compareBytes(w.key, after) <= 0)) continue;
        if (!best || compareBytes(w.key, best) < 0) best = w.key;
      }
      return best;
    };
    const lattice: LatticeV1Imports = {
      input_len: () => input.length,
      input_read: (p, cap) => copyOut(input, p, cap),
      kv_get: (kp, kl, op, oc) => { allow('kv_get', ['apply', 'command', 'query']); const v = get(read(kp, kl)); return v ? copyOut(v, op, oc) : STATUS.MISSING; },
      kv_set: (kp, kl, vp, vl) => { allow('kv_set', ['apply']); const key = read(kp, kl); overlay.set(toHex(key), { key, value: read(vp, vl) }); return STATUS.OK; },
      kv_del: (kp, kl) => { allow('kv_del', ['apply']); const key = read(kp, kl); overlay.set(toHex(key), { key, value: null }); return STATUS.OK; },
      kv_next: (kp, kl, op, oc) => { allow('kv_next', ['apply', 'command', 'query']); const k = next(kl === 0 ? undefined : read(kp, kl)); return k ? copyOut(k, op, oc) : STATUS.MISSING; },
      log_append: (p, n, dp, dc) => {
        allow('log_append', ['command']);
        const deps = Array.from({ length: dc }, (_, i) => read(dp + 32 * i, 32) as Hash);
        if (deps.some((d) => !ctx!.isWitnessed(d))) return STATUS.DEP_NOT_WITNESSED;
        appends.push({ body: read(p, n), deps });
        return STATUS.OK;
      },
      get_head: (p) => { allow('get_head', ['command']); mem().set(ctx!.head, p); return STATUS.OK; },
      output: (p, n) => { allow('output', ['command', 'query', 'describe']); output = read(p, n); return STATUS.OK; },
      debug: (_l, p, n) => { debug.push(new TextDecoder().decode(read(p, n))); return STATUS.OK; },
    };
    const env = {
      abort: (msg: number, file: number, line: number, col: number) => {
        const str = (p: number): string => {
          if (!p) return '';
          const len = new Uint32Array(memory.buffer, p - 4, 1)[0]!;
          return String.fromCharCode(...new Uint16Array(memory.buffer, p, len >>> 1));
        };
        throw new Trap(`abort: ${str(msg)} at ${str(file)}:${line}:${col}`);
      },
    };
    const instance = new WebAssembly.Instance(this.module, { lattice_v1: lattice as unknown as Record<string, unknown>, env });
    memory = instance.exports.memory as WasmMemory;
    let result: number;
    let trap: string | undefined;
    try {
      result = (instance.exports[kind] as () => number)();
    } catch (e) {
      result = REJECTION.E_GUEST_TRAP;
      trap = (e as Error).message;
    }
    const writes = [...overlay.values()].sort((a, b) => compareBytes(a.key, b.key));
    return { result, trap, writes, appends, output, debug };
  }

  describe(): ModuleDescription {
    const r = this.run('describe', new Uint8Array(0), null);
    if (r.trap || r.result !== 0 || !r.output) throw new LatticeError('E_MODULE_INVALID', `describe failed: ${r.trap ?? r.result}`);
    return JSON.parse(new TextDecoder().decode(r.output)) as ModuleDescription;
  }

  apply(input: ApplyInput, state: StateReader): ApplyOutcome {
    const { intention, hash, body } = input;
    const b = new Uint8Array(80 + 32 * intention.condition.length + 4 + body.length);
    const v = new DataView(b.buffer);
    b.set(intention.author, 0);
    b.set(hash, 32);
    v.setBigUint64(64, BigInt(intention.timestamp.wallMs), true);
    v.setUint32(72, intention.timestamp.counter, true);
    v.setUint32(76, intention.condition.length, true);
    intention.condition.forEach((d, i) => b.set(d, 80 + 32 * i));
    v.setUint32(80 + 32 * intention.condition.length, body.length, true);
    b.set(body, 84 + 32 * intention.condition.length);
    const r = this.run('apply', b, state);
    return { code: r.result, writes: r.result === 0 ? r.writes : [], fuel: 0, ...(r.trap ? { message: r.trap } : {}) };
  }

  private call(kind: 'command' | 'query', call: Call, state: StateReader, ctx?: CommandContext) {
    const r = this.run(kind, encodeCall(call.method, call.args), state, ctx);
    if (r.trap) throw new LatticeError('E_GUEST_TRAP', r.trap);
    if (r.result === REJECTION.E_BAD_ARGUMENT) throw new LatticeError('E_BAD_ARGUMENT', `${call.method}: bad arguments`);
    if (r.result === REJECTION.E_UNKNOWN_METHOD) throw new LatticeError('E_UNKNOWN_METHOD', `no method ${call.method}`);
    if (r.result !== 0) throw new LatticeError('E_GUEST_REJECTED', `${call.method} returned ${r.result}`, { status: r.result });
    return r;
  }

  command(call: Call, state: StateReader, ctx: CommandContext): CommandOutcome {
    const r = this.call('command', call, state, ctx);
    return { output: r.output, appends: r.appends, fuel: 0, debug: r.debug };
  }

  query(call: Call, state: StateReader): QueryOutcome {
    return { output: this.call('query', call, state).output, fuel: 0 };
  }
}
