// Numeric results recorded in projection records (DESIGN §3): 0 applied; > 0 a module's own rejection code;
// < 0 a rejection decided by the host (envelope, system layer, authorization, or a guest trap). These numbers are
// consensus: they go into writesDigest and the hot-fix comparison. Never renumber.
import type { ErrorCode } from './errors.js';

export const APPLIED = 0;

export const REJECTION = {
  E_ENVELOPE: -1,
  E_MALFORMED_SYSTEM_OP: -2,
  E_UNAUTHORIZED: -3,
  E_EQUIVOCATION: -4,
  E_FUEL_EXHAUSTED: -10,
  E_DEPTH_EXCEEDED: -11,
  E_MEMORY_LIMIT: -12,
  E_GUEST_ABORT: -13,
  E_GUEST_TRAP: -14,
  E_KEY_TOO_LARGE: -16,
  E_VALUE_TOO_LARGE: -17,
  E_OUTPUT_TOO_LARGE: -18,
  E_BAD_ARGUMENT: -20,
  E_UNKNOWN_METHOD: -21,
} as const satisfies Partial<Record<ErrorCode, number>>;

export type RejectionName = keyof typeof REJECTION;

const BY_NUMBER = new Map<number, RejectionName>(Object.entries(REJECTION).map(([k, v]) => [v, k as RejectionName]));

/** Readable form of a result code: 'applied', 'rejected(E_FUEL_EXHAUSTED)', 'rejected(7)'. */
export function describeResult(code: number): string {
  if (code === APPLIED) return 'applied';
  return `rejected(${BY_NUMBER.get(code) ?? code})`;
}

export const rejectionName = (code: number): RejectionName | undefined => BY_NUMBER.get(code);
