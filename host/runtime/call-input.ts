// The call inputs of the lattice_v1 layouts (abi/lattice_v1.ts), written into the call's reusable input buffer,
// and the parse of a module's describe() output.
import { APPLY_INPUT_FIXED } from '../../abi/lattice_v1.js';
import type { ApplyInput, Call, ModuleDescription } from '../kernel/state-machine.js';
import { LatticeError } from '../model/index.js';
import type { CallContext } from './call-context.js';

const encoder = new TextEncoder();

/** author 32 ‖ hash 32 ‖ wallMs u64 ‖ counter u32 ‖ u32 depsCount ‖ deps (32 each) ‖ u32 len ‖ app bytes. */
export function encodeApplyInput(ctx: CallContext, input: ApplyInput): void {
  const { intention, hash, body } = input;
  const deps = intention.condition;
  const out = ctx.inputBuffer(APPLY_INPUT_FIXED + 32 * deps.length + 4 + body.length);
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  out.set(intention.author, 0);
  out.set(hash, 32);
  view.setBigUint64(64, BigInt(intention.timestamp.wallMs), true);
  view.setUint32(72, intention.timestamp.counter, true);
  view.setUint32(76, deps.length, true);
  let at = 80;
  for (const d of deps) {
    out.set(d, at);
    at += 32;
  }
  view.setUint32(at, body.length, true);
  out.set(body, at + 4);
}

/** u16 len ‖ method (UTF-8) ‖ args (already `u16 argc ‖ values`). */
export function encodeCallInput(ctx: CallContext, call: Call): void {
  const method = encoder.encode(call.method);
  if (method.length > 0xffff) throw new LatticeError('E_BAD_ARGUMENT', 'a method name longer than 65535 bytes');
  const out = ctx.inputBuffer(2 + method.length + call.args.length);
  out[0] = method.length & 0xff;
  out[1] = method.length >>> 8;
  out.set(method, 2);
  out.set(call.args, 2 + method.length);
}

const ARG_TYPE = /^(string|bytes|i64|u64|bool|any|list<.+>)$/;

/** The describe() JSON, checked for the fields the CLI relies on. */
export function parseDescription(output: Uint8Array | null): ModuleDescription {
  const invalid = (why: string): never => {
    throw new LatticeError('E_MODULE_INVALID', `describe() output is not a module description: ${why}`);
  };
  if (output === null) return invalid('no output');
  let d: unknown;
  try {
    d = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(output));
  } catch (e) {
    return invalid((e as Error).message);
  }
  const o = d as ModuleDescription;
  if (typeof o !== 'object' || o === null || typeof o.name !== 'string' || typeof o.version !== 'string' || !Array.isArray(o.methods)) {
    return invalid('name, version and methods are required');
  }
  for (const m of o.methods) {
    if (typeof m?.name !== 'string' || (m.kind !== 'command' && m.kind !== 'query') || !Array.isArray(m.args)) invalid(`method ${JSON.stringify(m?.name)}`);
    for (const a of m.args) if (typeof a?.name !== 'string' || !ARG_TYPE.test(a.type)) invalid(`argument ${JSON.stringify(a?.name)} of ${m.name}`);
    if (m.result !== 'none' && !ARG_TYPE.test(m.result)) invalid(`result of ${m.name}`);
  }
  return o;
}
