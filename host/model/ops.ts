// The ops envelope (DESIGN §2): 0x00 ‖ app bytes goes to the store's module; 0x01 ‖ system op is handled natively.
// An unknown tag is a typed E_UNSUPPORTED_OP_VERSION for the kernel to act on (it pauses the store); it never makes
// the intention itself invalid.
import { LatticeError } from './errors.js';

export const OP_APP = 0x00;
export const OP_SYSTEM = 0x01;

export type OpsEnvelope = { readonly kind: 'app'; readonly body: Uint8Array } | { readonly kind: 'system'; readonly body: Uint8Array };

export function encodeAppOps(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = OP_APP;
  out.set(body, 1);
  return out;
}

export function encodeSystemOps(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = OP_SYSTEM;
  out.set(body, 1);
  return out;
}

export function decodeOps(ops: Uint8Array): OpsEnvelope {
  if (ops.length === 0) throw new LatticeError('E_UNSUPPORTED_OP_VERSION', 'empty ops envelope', { tag: null });
  const tag = ops[0]!;
  if (tag === OP_APP) return { kind: 'app', body: ops.subarray(1) };
  if (tag === OP_SYSTEM) return { kind: 'system', body: ops.subarray(1) };
  throw new LatticeError('E_UNSUPPORTED_OP_VERSION', `unknown ops envelope tag 0x${tag.toString(16).padStart(2, '0')}: upgrade this node`, { tag });
}
