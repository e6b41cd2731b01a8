// The lattice_v1 host functions (abi/lattice_v1.ts IMPORTS) and env.abort, declared in one place over a shared
// CallContext. Each one charges fuel (a base cost plus one per byte moved), checks the call kind it is allowed in
// and every guest range and protocol limit, and traps deterministically (GuestTrap) on misuse.
import type { LatticeV1ImportName, LatticeV1Imports } from '../../abi/host.generated.js';
import { ABORT_IMPORT, IMPORT_MODULE, IMPORTS, STATUS, type ImportSpec } from '../../abi/lattice_v1.js';
import { compareBytes, MAX_APPENDS, MAX_DEBUG, MAX_DEPS, MAX_KEY, MAX_OUTPUT, MAX_OVERLAY, MAX_PAYLOAD, MAX_VALUE, type Hash } from '../model/index.js';
import { trap, type CallContext, type CallKind } from './call-context.js';
import type { WasmImports } from './wasm-api.js';

/** Fuel every host call costs before the bytes it moves. */
export const HOST_CALL_FUEL = 50;
/** Longest abort message or file name kept (UTF-16 units); the rest is cut. */
const MAX_ABORT_TEXT = 1024;

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
const utf8 = new TextDecoder();

type HostFn = (...args: number[]) => number;

function readKey(ctx: CallContext, ptr: number, len: number): Uint8Array {
  if (len >>> 0 > MAX_KEY) trap('E_KEY_TOO_LARGE', `a key of ${len >>> 0} bytes, the limit is ${MAX_KEY}`);
  const mem = ctx.range(ptr, len);
  return mem.subarray(ptr >>> 0, (ptr >>> 0) + (len >>> 0));
}

/** Copies min(src.length, cap) bytes to the guest at ptr; returns the full length. */
function copyOut(ctx: CallContext, src: Uint8Array, ptr: number, cap: number): number {
  const n = Math.min(src.length, cap >>> 0);
  ctx.charge(n);
  const mem = ctx.range(ptr, n);
  mem.set(n === src.length ? src : src.subarray(0, n), ptr >>> 0);
  return src.length;
}

function lookup(ctx: CallContext, key: Uint8Array): Uint8Array | null | undefined {
  if (ctx.overlay.size > 0) {
    const w = ctx.overlay.get(latin1(key));
    if (w !== undefined) return w.value;
  }
  return ctx.state!.get(key);
}

/** The first live key strictly after `after` (undefined: the first key), merging the state and the overlay. */
function nextKey(ctx: CallContext, after: Uint8Array | undefined): Uint8Array | undefined {
  const state = ctx.state!;
  let s = state.next(after);
  while (s !== undefined && ctx.overlay.has(latin1(s.key))) s = state.next(s.key);
  let best = s?.key;
  for (const w of ctx.overlay.values()) {
    if (w.value === null || (after !== undefined && compareBytes(w.key, after) <= 0)) continue;
    if (best === undefined || compareBytes(w.key, best) < 0) best = w.key;
  }
  return best;
}

/** AssemblyScript's string: UTF-16LE code units, byte length as u32 just before the pointer. */
/** A log_append refusal, remembered in words: if the command then refuses, its error says why (refusal.ts). */
function refuseAppend(ctx: CallContext, status: number, why: string): number {
  ctx.appendRefusal = why;
  return status;
}

function readAsString(ctx: CallContext, ptr: number): string {
  const p = ptr >>> 0;
  if (p < 4) return '';
  const mem = ctx.bytes();
  if (p > mem.length) return '';
  const len = new DataView(mem.buffer, mem.byteOffset).getUint32(p - 4, true);
  const end = Math.min(p + Math.min(len, MAX_ABORT_TEXT * 2), mem.length) & ~1;
  return end > p ? Buffer.from(mem.buffer, p, end - p).toString('utf16le') : '';
}

function hostFunction(ctx: CallContext, spec: ImportSpec): HostFn {
  const allowed = new Set<CallKind>(spec.allowedIn);
  const guard = (): void => {
    if (!allowed.has(ctx.kind)) trap('E_GUEST_TRAP', `${IMPORT_MODULE}.${spec.name} is not allowed in ${ctx.kind} (only in ${spec.allowedIn.join(', ')})`);
    ctx.charge(HOST_CALL_FUEL);
  };
  switch (spec.name) {
    case 'input_len':
      return () => (guard(), ctx.input.length);
    case 'input_read':
      return (ptr, cap) => (guard(), copyOut(ctx, ctx.input, ptr!, cap!));
    case 'kv_get':
      return (kPtr, kLen, outPtr, outCap) => {
        guard();
        const value = lookup(ctx, readKey(ctx, kPtr!, kLen!));
        return value == null ? STATUS.MISSING : copyOut(ctx, value, outPtr!, outCap!);
      };
    case 'kv_set':
      return (kPtr, kLen, vPtr, vLen) => {
        guard();
        const key = readKey(ctx, kPtr!, kLen!).slice();
        if (vLen! >>> 0 > MAX_VALUE) trap('E_VALUE_TOO_LARGE', `a value of ${vLen! >>> 0} bytes, the limit is ${MAX_VALUE}`);
        const mem = ctx.range(vPtr!, vLen!);
        ctx.charge(key.length + (vLen! >>> 0));
        ctx.overlayBytes += key.length + (vLen! >>> 0);
        if (ctx.overlayBytes > MAX_OVERLAY) trap('E_MEMORY_LIMIT', `the call's writes exceed ${MAX_OVERLAY} bytes`);
        ctx.overlay.set(latin1(key), { key, value: mem.slice(vPtr! >>> 0, (vPtr! >>> 0) + (vLen! >>> 0)) });
        return STATUS.OK;
      };
    case 'kv_del':
      return (kPtr, kLen) => {
        guard();
        const key = readKey(ctx, kPtr!, kLen!).slice();
        ctx.charge(key.length);
        ctx.overlayBytes += key.length;
        if (ctx.overlayBytes > MAX_OVERLAY) trap('E_MEMORY_LIMIT', `the call's writes exceed ${MAX_OVERLAY} bytes`);
        ctx.overlay.set(latin1(key), { key, value: null });
        return STATUS.OK;
      };
    case 'kv_next':
      return (kPtr, kLen, outPtr, outCap) => {
        guard();
        const after = kLen === 0 ? undefined : readKey(ctx, kPtr!, kLen!).slice();
        const key = nextKey(ctx, after);
        return key === undefined ? STATUS.MISSING : copyOut(ctx, key, outPtr!, outCap!);
      };
    case 'log_append':
      return (ptr, len, depsPtr, depsCount) => {
        guard();
        const n = len! >>> 0;
        const count = depsCount! >>> 0;
        if (ctx.appends.length >= MAX_APPENDS) return refuseAppend(ctx, STATUS.TOO_MANY_APPENDS, `a command may append at most ${MAX_APPENDS} intentions`);
        if (n + 1 > MAX_PAYLOAD) return refuseAppend(ctx, STATUS.PAYLOAD_TOO_LARGE, `the intention's ops are ${n} bytes, over the limit of ${MAX_PAYLOAD - 1}`);
        if (count > MAX_DEPS) return refuseAppend(ctx, STATUS.TOO_MANY_DEPS, `the intention names ${count} deps, over the limit of ${MAX_DEPS}`);
        ctx.charge(n + 32 * count);
        const mem = ctx.range(ptr!, n);
        const body = mem.slice(ptr! >>> 0, (ptr! >>> 0) + n);
        ctx.range(depsPtr!, 32 * count);
        const deps: Hash[] = [];
        for (let i = 0; i < count; i++) {
          const at = (depsPtr! >>> 0) + 32 * i;
          deps.push(mem.slice(at, at + 32) as Hash);
        }
        deps.sort(compareBytes);
        const unique = deps.filter((d, i) => i === 0 || compareBytes(d, deps[i - 1]!) !== 0);
        if (!unique.every((d) => ctx.command!.isWitnessed(d))) return refuseAppend(ctx, STATUS.DEP_NOT_WITNESSED, 'the intention names a dep this node has not witnessed');
        ctx.appends.push({ body, deps: unique });
        return STATUS.OK;
      };
    case 'get_head':
      return (outPtr) => {
        guard();
        copyOut(ctx, ctx.command!.head, outPtr!, 32);
        return STATUS.OK;
      };
    case 'output':
      return (ptr, len) => {
        guard();
        const n = len! >>> 0;
        if (n > MAX_OUTPUT) trap('E_OUTPUT_TOO_LARGE', `an output of ${n} bytes, the limit is ${MAX_OUTPUT}`);
        ctx.charge(n);
        const mem = ctx.range(ptr!, n);
        ctx.output = mem.slice(ptr! >>> 0, (ptr! >>> 0) + n);
        return STATUS.OK;
      };
    case 'debug':
      return (level, ptr, len) => {
        guard();
        const n = Math.min(len! >>> 0, MAX_DEBUG - ctx.debugBytes);
        ctx.charge(len! >>> 0);
        const mem = ctx.range(ptr!, len!);
        if (n > 0) {
          ctx.debugBytes += n;
          ctx.debug.push(`[${level}] ${utf8.decode(mem.subarray(ptr! >>> 0, (ptr! >>> 0) + n))}`);
        }
        return STATUS.OK;
      };
    default:
      throw new Error(`the runtime has no host function for ${IMPORT_MODULE}.${spec.name}: abi/lattice_v1.ts and host-functions.ts disagree`);
  }
}

/** The import object for one state machine; every function reads the call's state from `ctx`. */
export function createImports(ctx: CallContext): WasmImports {
  const table = {} as Record<LatticeV1ImportName, HostFn>;
  for (const spec of IMPORTS) table[spec.name as LatticeV1ImportName] = hostFunction(ctx, spec);
  // the generated import table (abi/host.generated.ts) is the contract: this fails to compile if one is missing
  const typed: LatticeV1Imports = table;
  const abort = (msg: number, file: number, line: number, col: number): never => {
    ctx.charge(HOST_CALL_FUEL);
    const text = readAsString(ctx, msg);
    const where = readAsString(ctx, file);
    return trap('E_GUEST_ABORT', `${text}${where ? ` (${where}:${line >>> 0}:${col >>> 0})` : ''}`);
  };
  return { [IMPORT_MODULE]: typed as unknown as Record<string, HostFn>, [ABORT_IMPORT.module]: { [ABORT_IMPORT.name]: abort as HostFn } };
}
