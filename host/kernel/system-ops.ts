// System ops (DESIGN §5): msgpack maps `{op, …fields}` under ops tag 0x01, decoded strictly (strict-msgpack.ts and a
// per-op schema: every field known, typed, no extras). The kernel handles the per-store ops Genesis, ModuleUpgrade
// and SetName; a store type adds its own through SystemOpHandler (the root store's membership ops, say). Anything
// malformed or unknown is a deterministic rejection, E_MALFORMED_SYSTEM_OP.
import { Packr } from 'msgpackr';
import { LatticeError, OP_SYSTEM, type Cid, type ConsensusLimits } from '../model/index.js';
import type { ApplyInput } from './state-machine.js';
import { decodeStrict } from './strict-msgpack.js';

/** The store's system table as a handler sees it: string keys, msgpack-able values; writes commit only on code 0. */
export interface SystemState {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

/** What a system op handler returns: 0 applied, else a rejection code (model/rejections.ts). */
export interface SystemOpResult {
  readonly code: number;
  readonly message?: string;
}

/**
 * A store type's own system ops. `apply` must be deterministic; it may throw LatticeError('E_MALFORMED_SYSTEM_OP')
 * for a bad field (a rejection); any other throw is a host fault that pauses the store.
 */
export interface SystemOpHandler {
  readonly ops: readonly string[];
  apply(op: Record<string, unknown>, input: ApplyInput, system: SystemState): SystemOpResult;
}

export type KernelSystemOp =
  | { op: 'Genesis'; storeType: string; cid: Cid; limits: ConsensusLimits }
  | { op: 'ModuleUpgrade'; cid: Cid; limits?: ConsensusLimits }
  | { op: 'SetName'; name: string };

export const KERNEL_OPS = ['Genesis', 'ModuleUpgrade', 'SetName'] as const;

// Plain maps, no records extension: the bytes depend only on the value, never on what was packed before.
const packr = new Packr({ useRecords: false, variableMapSize: true });

/** Packs a value deterministically (system rows and system-op bodies). */
export const packValue = (v: unknown): Uint8Array => new Uint8Array(packr.pack(v));
export const unpackValue = (b: Uint8Array): unknown => packr.unpack(b);

/** Integers beyond 32 bits as BigInt (msgpackr would write a float64, which the strict decoder refuses). */
function intsForWire(v: unknown): unknown {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new LatticeError('E_BAD_ARGUMENT', `system op numbers are integers below 2^53, not ${v}`);
    return Math.abs(v) > 0x7fffffff ? BigInt(v) : v;
  }
  if (Array.isArray(v)) return v.map(intsForWire);
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, intsForWire(x)]));
  }
  return v;
}

/** ops bytes (0x01 ‖ msgpack) for a system op object `{op, …}`. */
export function encodeSystemOp(op: { op: string } & Record<string, unknown>): Uint8Array {
  const body = packValue(intsForWire(op));
  const out = new Uint8Array(body.length + 1);
  out[0] = OP_SYSTEM;
  out.set(body, 1);
  return out;
}

const malformed = (why: string, op?: string): LatticeError =>
  new LatticeError('E_MALFORMED_SYSTEM_OP', op ? `${op}: ${why}` : why, op ? { op } : {});

/** Decodes a system-op body (without the tag) into `{op, …}`; checks only the envelope shape. */
export function decodeSystemOp(body: Uint8Array): Record<string, unknown> & { op: string } {
  const v = decodeStrict(body);
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) throw malformed('a system op is a map');
  const op = (v as Record<string, unknown>).op;
  if (typeof op !== 'string' || op.length === 0 || op.length > 64) throw malformed('a system op needs an op name');
  return v as Record<string, unknown> & { op: string };
}

type Check = (v: unknown) => boolean;
export const isBytes = (n: number): Check => (v) => v instanceof Uint8Array && v.length === n;
export const isText = (max: number): Check => (v) => typeof v === 'string' && v.length > 0 && v.length <= max;
const isUint = (min: number, max: number): Check => (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;

/** Checks fields against a schema (`?` suffix = optional); no unknown fields. Throws E_MALFORMED_SYSTEM_OP. */
export function checkFields(op: Record<string, unknown>, schema: Record<string, Check>): void {
  const name = String(op.op);
  const known = new Set(['op', ...Object.keys(schema).map((k) => k.replace(/\?$/, ''))]);
  for (const k of Object.keys(op)) if (!known.has(k)) throw malformed(`unknown field ${k}`, name);
  for (const [spec, check] of Object.entries(schema)) {
    const optional = spec.endsWith('?');
    const k = optional ? spec.slice(0, -1) : spec;
    const v = op[k];
    if (v === undefined && optional) continue;
    if (!check(v)) throw malformed(`field ${k} is missing or malformed`, name);
  }
}

const isLimits: Check = (v) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) return false;
  try {
    checkFields({ op: 'limits', ...(v as Record<string, unknown>) }, {
      fuel: isUint(1, Number.MAX_SAFE_INTEGER),
      memoryPages: isUint(1, 65_536),
      depth: isUint(1, 1 << 30),
    });
    return true;
  } catch {
    return false;
  }
};

const limitsOf = (v: unknown): ConsensusLimits => {
  const l = v as ConsensusLimits;
  return { fuel: l.fuel, memoryPages: l.memoryPages, depth: l.depth };
};

/** Strictly decodes one of the kernel's own ops; `null` when the op name is not one of them. */
export function decodeKernelOp(op: Record<string, unknown> & { op: string }): KernelSystemOp | null {
  switch (op.op) {
    case 'Genesis':
      checkFields(op, { storeType: isText(128), cid: isBytes(32), limits: isLimits });
      return { op: 'Genesis', storeType: op.storeType as string, cid: op.cid as Cid, limits: limitsOf(op.limits) };
    case 'ModuleUpgrade':
      checkFields(op, { cid: isBytes(32), 'limits?': isLimits });
      return op.limits === undefined
        ? { op: 'ModuleUpgrade', cid: op.cid as Cid }
        : { op: 'ModuleUpgrade', cid: op.cid as Cid, limits: limitsOf(op.limits) };
    case 'SetName':
      checkFields(op, { name: isText(128) });
      return { op: 'SetName', name: op.name as string };
    default:
      return null;
  }
}

/** The upgrade an ops envelope carries (a valid Genesis or ModuleUpgrade), or null. Pure: decided by the bytes. */
export function upgradeOf(ops: Uint8Array): Extract<KernelSystemOp, { op: 'Genesis' | 'ModuleUpgrade' }> | null {
  if (ops.length < 2 || ops[0] !== OP_SYSTEM) return null;
  try {
    const k = decodeKernelOp(decodeSystemOp(ops.subarray(1)));
    return k && k.op !== 'SetName' ? k : null;
  } catch {
    return null;
  }
}
