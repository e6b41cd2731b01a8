// The lattice_v1 host<->guest ABI, defined once (DESIGN §4.2). The generator (abi/generate.ts) writes the host's
// typed import table and the guest SDK's declarations from this file; never edit generated files by hand.
// Bytes cross as (pointer, length) into the guest's own memory; the host never allocates in the guest.
// Returns: >= 0 a length or OK, < 0 a status from STATUS.

export const ABI_VERSION = 'lattice_v1';
export const IMPORT_MODULE = 'lattice_v1';

export type WasmType = 'i32' | 'i64';

export interface ImportSpec {
  readonly name: string;
  readonly params: readonly (readonly [string, WasmType])[];
  readonly result: WasmType;
  /** Which calls may use it; elsewhere it traps (E_GUEST_TRAP, deterministic). */
  readonly allowedIn: readonly ('apply' | 'command' | 'query' | 'describe')[];
  readonly doc: string;
}

const ALL = ['apply', 'command', 'query', 'describe'] as const;
const STATE = ['apply', 'command', 'query'] as const;

export const IMPORTS: readonly ImportSpec[] = [
  { name: 'input_len', params: [], result: 'i32', allowedIn: ALL, doc: "Length of the call's input." },
  { name: 'input_read', params: [['ptr', 'i32'], ['cap', 'i32']], result: 'i32', allowedIn: ALL, doc: 'Copies min(len, cap) input bytes to ptr; returns the full length.' },
  { name: 'kv_get', params: [['kPtr', 'i32'], ['kLen', 'i32'], ['outPtr', 'i32'], ['outCap', 'i32']], result: 'i32', allowedIn: STATE, doc: "-1 if missing, else the value's full length (copies min(len, cap))." },
  { name: 'kv_set', params: [['kPtr', 'i32'], ['kLen', 'i32'], ['vPtr', 'i32'], ['vLen', 'i32']], result: 'i32', allowedIn: ['apply'], doc: "Buffered in the call's overlay; committed only if the call returns normally." },
  { name: 'kv_del', params: [['kPtr', 'i32'], ['kLen', 'i32']], result: 'i32', allowedIn: ['apply'], doc: "Buffered delete; committed only if the call returns normally." },
  { name: 'kv_next', params: [['kPtr', 'i32'], ['kLen', 'i32'], ['outPtr', 'i32'], ['outCap', 'i32']], result: 'i32', allowedIn: STATE, doc: 'Next key strictly after k in byte order (kLen 0: the first key); -1 at end; returns the full key length.' },
  { name: 'log_append', params: [['ptr', 'i32'], ['len', 'i32'], ['depsPtr', 'i32'], ['depsCount', 'i32']], result: 'i32', allowedIn: ['command'], doc: 'Appends one app op as an intention whose condition holds the given 32-byte hashes (witnessed here).' },
  { name: 'get_head', params: [['outPtr', 'i32']], result: 'i32', allowedIn: ['command'], doc: "Writes the 32-byte hash of this node's last issued intention in the store." },
  { name: 'output', params: [['ptr', 'i32'], ['len', 'i32']], result: 'i32', allowedIn: ['command', 'query', 'describe'], doc: "Sets the call's result bytes (capped at MAX_OUTPUT)." },
  { name: 'debug', params: [['level', 'i32'], ['ptr', 'i32'], ['len', 'i32']], result: 'i32', allowedIn: ALL, doc: "A module log line; stays on the node, never in state; capped per call." },
];

/** AssemblyScript's abort, the one import outside lattice_v1: a deterministic trap carrying its message. */
export const ABORT_IMPORT = { module: 'env', name: 'abort', params: ['i32', 'i32', 'i32', 'i32'] as const };

export const EXPORTS = ['memory', 'apply', 'command', 'query', 'describe'] as const;

/** Status codes returned by host functions (negative). */
export const STATUS = {
  OK: 0,
  MISSING: -1,
  KEY_TOO_LARGE: -2,
  VALUE_TOO_LARGE: -3,
  TOO_MANY_DEPS: -4,
  DEP_NOT_WITNESSED: -5,
  TOO_MANY_APPENDS: -6,
  PAYLOAD_TOO_LARGE: -7,
} as const;

/** Value tags of the command/query argument and output encoding: u8 tag ‖ u32 LE len ‖ bytes. */
export const VALUE_TAG = { string: 1, bytes: 2, i64: 3, u64: 4, bool: 5, list: 6 } as const;

/**
 * Input layouts (little-endian):
 * - apply: author 32 ‖ hash 32 ‖ wallMs u64 ‖ counter u32 ‖ u32 depsCount ‖ deps (32 each) ‖ u32 len ‖ app bytes
 * - command/query: u16 len ‖ method (UTF-8) ‖ u16 argc ‖ argc × value
 * - describe: empty; output is the JSON schema (UTF-8)
 */
export const APPLY_INPUT_FIXED = 32 + 32 + 8 + 4 + 4;
