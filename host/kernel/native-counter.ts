// A native counter StateMachine: the TypeScript twin of the Wasm demo:counter module, for kernel tests and the
// ingest/runtime benchmarks. App body: u8 op (1 increment, 2 decrement) ‖ i64 LE amount ‖ key (UTF-8, the rest).
// State: key → i64 LE. Overflow past i64 is the module's own rejection (code 1); a malformed body is code 2.
import { LatticeError, ZERO_CID, type Cid } from '../model/index.js';
import type { Append, ApplyInput, ApplyOutcome, Call, CommandContext, CommandOutcome, ModuleDescription, QueryOutcome, StateMachine, StateReader } from './state-machine.js';

export const COUNTER_OVERFLOW = 1;
export const COUNTER_MALFORMED = 2;
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);

export function encodeCounterOp(key: string, amount: bigint | number, op: 'increment' | 'decrement' = 'increment'): Uint8Array {
  const k = new TextEncoder().encode(key);
  const b = new Uint8Array(9 + k.length);
  b[0] = op === 'increment' ? 1 : 2;
  new DataView(b.buffer).setBigInt64(1, BigInt(amount), true);
  b.set(k, 9);
  return b;
}

const readI64 = (v: Uint8Array | undefined): bigint => (v && v.length === 8 ? new DataView(v.buffer, v.byteOffset, 8).getBigInt64(0, true) : 0n);
const i64Bytes = (n: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, n, true);
  return b;
};

/** Decodes `u16 argc ‖ (u8 tag ‖ u32 len ‖ bytes)*`: strings (tag 1) and i64s (tag 3) only. */
function decodeArgs(args: Uint8Array): (string | bigint)[] {
  const v = new DataView(args.buffer, args.byteOffset, args.byteLength);
  const bad = (): LatticeError => new LatticeError('E_BAD_ARGUMENT', 'malformed arguments');
  if (args.length < 2) throw bad();
  const argc = v.getUint16(0, true);
  const out: (string | bigint)[] = [];
  let o = 2;
  for (let i = 0; i < argc; i++) {
    if (o + 5 > args.length) throw bad();
    const tag = args[o]!;
    const len = v.getUint32(o + 1, true);
    o += 5;
    if (o + len > args.length) throw bad();
    if (tag === 1) out.push(new TextDecoder().decode(args.subarray(o, o + len)));
    else if (tag === 3 && len === 8) out.push(v.getBigInt64(o, true));
    else throw bad();
    o += len;
  }
  if (o !== args.length) throw bad();
  return out;
}

/** Encodes a list of string/i64 arguments (the same layout `decodeArgs` reads). */
export function encodeCounterArgs(...args: (string | bigint)[]): Uint8Array {
  const parts: number[] = [args.length & 0xff, args.length >> 8];
  for (const a of args) {
    const body = typeof a === 'string' ? new TextEncoder().encode(a) : i64Bytes(a);
    parts.push(typeof a === 'string' ? 1 : 3, body.length & 0xff, (body.length >> 8) & 0xff, (body.length >> 16) & 0xff, body.length >>> 24, ...body);
  }
  return Uint8Array.from(parts);
}

const i64Output = (n: bigint): Uint8Array => Uint8Array.of(3, 8, 0, 0, 0, ...i64Bytes(n));

export class NativeCounter implements StateMachine {
  constructor(readonly cid: Cid = ZERO_CID) {}

  describe(): ModuleDescription {
    return {
      name: 'demo:counter',
      version: 'native-1',
      methods: [
        { name: 'increment', kind: 'command', args: [{ name: 'key', type: 'string' }, { name: 'amount', type: 'i64', optional: true }], result: 'none' },
        { name: 'decrement', kind: 'command', args: [{ name: 'key', type: 'string' }, { name: 'amount', type: 'i64', optional: true }], result: 'none' },
        { name: 'get', kind: 'query', args: [{ name: 'key', type: 'string' }], result: 'i64' },
      ],
    };
  }

  apply(input: ApplyInput, state: StateReader): ApplyOutcome {
    const b = input.body;
    if (b.length < 9 || (b[0] !== 1 && b[0] !== 2)) return { code: COUNTER_MALFORMED, writes: [], fuel: 1 };
    const amount = new DataView(b.buffer, b.byteOffset, b.byteLength).getBigInt64(1, true);
    const key = b.slice(9);
    const next = readI64(state.get(key)) + (b[0] === 1 ? amount : -amount);
    if (next > I64_MAX || next < I64_MIN) return { code: COUNTER_OVERFLOW, writes: [], fuel: 1 };
    return { code: 0, writes: [{ key, value: i64Bytes(next) }], fuel: 1 };
  }

  command(call: Call, _state: StateReader, _ctx: CommandContext): CommandOutcome {
    if (call.method !== 'increment' && call.method !== 'decrement') throw new LatticeError('E_UNKNOWN_METHOD', `no command ${call.method}`);
    const [key, amount = 1n] = decodeArgs(call.args);
    if (typeof key !== 'string' || typeof amount !== 'bigint') throw new LatticeError('E_BAD_ARGUMENT', 'usage: key [amount]');
    const append: Append = { body: encodeCounterOp(key, amount, call.method), deps: [] };
    return { output: null, appends: [append], fuel: 1 };
  }

  query(call: Call, state: StateReader): QueryOutcome {
    if (call.method !== 'get') throw new LatticeError('E_UNKNOWN_METHOD', `no query ${call.method}`);
    const [key] = decodeArgs(call.args);
    if (typeof key !== 'string') throw new LatticeError('E_BAD_ARGUMENT', 'usage: get key');
    return { output: i64Output(readI64(state.get(new TextEncoder().encode(key)))), fuel: 1 };
  }
}

export const COUNTER_STORE_TYPE = 'demo:counter';

/** The opener that serves a store type with the native counter, whatever CID its history names. */
export const nativeCounterOpener = (): { machineFor(cid: Cid): StateMachine } => ({ machineFor: (cid: Cid) => new NativeCounter(cid) });
