// Converting CLI strings to call arguments by a module's describe() schema (DESIGN §4.2): pure, returning a result
// that names the error code; host/node/args.ts throws it as a LatticeError.
import { encodeArgs, val, type Value } from './values.js';

export interface ArgSchema { readonly name: string; readonly type: string; readonly optional?: boolean }
export interface MethodSchema {
  readonly name: string;
  readonly kind: 'command' | 'query';
  readonly args: readonly ArgSchema[];
  readonly result: string;
  readonly doc?: string;
}

export type ArgsResult =
  | { readonly ok: true; readonly values: Value[] }
  | { readonly ok: false; readonly code: 'E_BAD_ARGUMENT'; readonly message: string };

export type CallResult =
  | { readonly ok: true; readonly method: string; readonly args: Uint8Array; readonly values: Value[] }
  | { readonly ok: false; readonly code: 'E_BAD_ARGUMENT' | 'E_UNKNOWN_METHOD'; readonly message: string };

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;

/** `<key: string> [by: i64]` */
export function usage(args: readonly ArgSchema[]): string {
  return args.map((a) => (a.optional ? `[${a.name}: ${a.type}]` : `<${a.name}: ${a.type}>`)).join(' ');
}

/** One string converted to a type; throws a RangeError with the reason. */
function convert(type: string, s: string): Value {
  switch (type) {
    case 'string': return val.string(s);
    case 'bytes': {
      const hex = s.startsWith('0x') ? s.slice(2) : s;
      if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError(`not hex bytes: ${JSON.stringify(s)}`);
      return val.bytes(new Uint8Array(Buffer.from(hex, 'hex')));
    }
    case 'i64': case 'u64': {
      if (!/^-?[0-9]+$/.test(s)) throw new RangeError(`not an integer: ${JSON.stringify(s)}`);
      const n = BigInt(s);
      if (type === 'i64' ? n < I64_MIN || n > I64_MAX : n < 0n || n > U64_MAX) throw new RangeError(`${s} is out of range for ${type}`);
      return type === 'i64' ? val.i64(n) : val.u64(n);
    }
    case 'bool': {
      if (s === 'true' || s === '1') return val.bool(true);
      if (s === 'false' || s === '0') return val.bool(false);
      throw new RangeError(`not a bool (true/false): ${JSON.stringify(s)}`);
    }
  }
  const inner = /^list<(.+)>$/.exec(type)?.[1];
  if (inner) {
    let items: unknown;
    try { items = JSON.parse(s); } catch { items = undefined; }
    if (!Array.isArray(items)) throw new RangeError(`not a JSON array: ${JSON.stringify(s)}`);
    return val.list(items.map((x) => convert(inner, typeof x === 'string' ? x : JSON.stringify(x))));
  }
  throw new RangeError(`the module declares an unknown argument type ${type}`);
}

/**
 * Converts CLI strings by a method's argument schema. Trailing optional arguments may be left out. A list<T> in the
 * last place takes all remaining strings as its items (`batch put:a=1 del:b`); elsewhere it takes one JSON array.
 */
export function argsFromStrings(args: readonly ArgSchema[], strings: readonly string[]): ArgsResult {
  const bad = (why: string): ArgsResult => ({ ok: false, code: 'E_BAD_ARGUMENT', message: `${why}; expected ${usage(args) || 'no arguments'}` });
  const required = args.filter((a) => !a.optional).length;
  const last = args[args.length - 1];
  const variadic = last !== undefined && /^list<.+>$/.test(last.type) && !(strings.length === args.length && strings[args.length - 1]!.startsWith('['));
  if (strings.length < required) return bad(`missing argument ${args[strings.length]!.name}`);
  if (!variadic && strings.length > args.length) return bad(`${strings.length} arguments given, at most ${args.length} taken`);
  const values: Value[] = [];
  try {
    for (let i = 0; i < args.length && i < strings.length; i++) {
      const a = args[i]!;
      if (variadic && i === args.length - 1) {
        const inner = /^list<(.+)>$/.exec(a.type)![1]!;
        values.push(val.list(strings.slice(i).map((s) => convert(inner, s))));
      } else {
        values.push(convert(a.type, strings[i]!));
      }
    }
  } catch (e) {
    return bad((e as Error).message);
  }
  return { ok: true, values };
}

/** Finds the method of the right kind and converts its arguments. */
export function callFromStrings(methods: readonly MethodSchema[], kind: 'command' | 'query', method: string, strings: readonly string[]): CallResult {
  const m = methods.find((x) => x.name === method && x.kind === kind);
  if (!m) {
    const list = (k: string): string => methods.filter((x) => x.kind === k).map((x) => `${x.name} ${usage(x.args)}`.trim()).join(', ') || 'none';
    const other = methods.find((x) => x.name === method);
    const hint = other ? ` (${method} is a ${other.kind})` : '';
    return { ok: false, code: 'E_UNKNOWN_METHOD', message: `no ${kind} ${JSON.stringify(method)}${hint}; commands: ${list('command')}; queries: ${list('query')}` };
  }
  const r = argsFromStrings(m.args, strings);
  if (!r.ok) return { ok: false, code: r.code, message: `${method}: ${r.message}` };
  return { ok: true, method, args: encodeArgs(r.values), values: r.values };
}
