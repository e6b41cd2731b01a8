// The typed error catalog: every error Lattice raises is a LatticeError with a stable E_… code.
// Codes are a contract (CLI --json output, RPC, tests); add codes, never rename them.

export const ERROR_CODES = {
  // decoding and validation of intentions (DESIGN §2)
  E_MALFORMED_INTENTION: 'an intention could not be decoded (truncated, trailing bytes, unsorted deps, out of range)',
  E_PAYLOAD_TOO_LARGE: 'an intention payload exceeds the protocol limit',
  E_TOO_MANY_DEPS: 'an intention names more causal deps than the protocol limit',
  E_BAD_SIGNATURE: 'a signature does not verify',
  E_UNSUPPORTED_OP_VERSION: 'an ops envelope tag this node does not know: upgrade this node',
  E_ENVELOPE: 'an intention breaks an envelope rule (HLC order, same-store chain)',
  E_MALFORMED_SYSTEM_OP: 'a system op does not match its schema',
  E_CLOCK_SKEW: 'a timestamp is too far ahead of the local clock',
  // stores and kernel (DESIGN §3)
  E_UNKNOWN_STORE: 'no such store on this node',
  E_UNKNOWN_STORE_TYPE: 'no engine or module is registered for this store type',
  E_AMBIGUOUS_STORE: 'a store prefix or name matches several stores',
  E_STORE_EXISTS: 'a store with this id already exists',
  E_STORE_PAUSED: 'the store projection is paused by a host fault',
  E_HOST_FAULT: 'a fault in the host (storage, bug), not in the guest or the peer',
  E_TAMPERED: 'a witness chain or stored intention does not verify',
  E_EQUIVOCATION: 'an author signed two intentions on one storePrev',
  E_CLOSED: 'the object is closed',
  E_ABORTED: 'the operation was aborted',
  E_TIMEOUT: 'the operation timed out',
  // Wasm runtime (DESIGN §4)
  E_MODULE_INVALID: 'a module is not valid WebAssembly or breaks the module rules',
  E_MODULE_NOT_FOUND: 'no module with this CID is known to this node',
  E_CID_MISMATCH: 'module bytes do not hash to their CID',
  E_MODULE_TOO_LARGE: 'a module exceeds the size limit',
  E_FORBIDDEN_IMPORT: 'a module imports something outside the lattice_v1 ABI',
  E_FORBIDDEN_FEATURE: 'a module uses a rejected WebAssembly feature',
  E_NO_MEMORY_MAXIMUM: 'a module memory declares no maximum, or one above the limit',
  E_FUEL_EXHAUSTED: 'a guest call ran out of fuel',
  E_DEPTH_EXCEEDED: 'a guest call exceeded the call-depth limit',
  E_MEMORY_LIMIT: 'a guest exceeded its memory limit',
  E_GUEST_ABORT: 'a guest called abort',
  E_GUEST_TRAP: 'a guest trapped',
  E_GUEST_REJECTED: 'a guest returned a non-zero status',
  E_KEY_TOO_LARGE: 'a state key exceeds the protocol limit',
  E_VALUE_TOO_LARGE: 'a state value exceeds the protocol limit',
  E_OUTPUT_TOO_LARGE: 'a guest output exceeds the protocol limit',
  E_UNKNOWN_METHOD: 'the module has no such method',
  E_BAD_ARGUMENT: 'an argument is missing or malformed',
  E_BUILD_FAILED: 'compiling a module failed',
  E_MODULE_TEST_FAILED: "a module's test failed (an expectation was not met)",
  E_HOTFIX_DIVERGES: 'replaying history with the new module gives a different result',
  // network and mesh (DESIGN §6, §7)
  E_FRAME_TOO_LARGE: 'a wire frame exceeds the frame limit',
  E_BAD_FRAME: 'a wire frame could not be decoded or validated',
  E_UNAUTHORIZED: 'the peer is not allowed to make this request',
  E_NOT_A_MEMBER: 'the node is not a member of that mesh',
  E_INVITE_INVALID: 'an invite token is malformed, forged or unknown',
  E_INVITE_USED: 'an invite was already used',
  E_INVITE_EXPIRED: 'an invite has expired',
  E_PEER_UNREACHABLE: 'no connection could be made to the peer',
  E_BANNED: 'the peer is banned for misbehaviour',
  E_RATE_LIMITED: 'the peer sent requests faster than its rate limit',
  E_STREAM_RESET: 'the peer reset the stream (it rejected a frame or gave up the request)',
  E_REMOTE: 'a peer reported an error whose code this node does not know',
  // node and CLI (DESIGN §8)
  E_NOT_INITIALIZED: 'the data dir has no node: run lattice init',
  E_ALREADY_INITIALIZED: 'the data dir already has a node',
  E_DATA_DIR_LOCKED: 'another process holds this data dir',
  E_DAEMON: 'the daemon could not be reached or answered with an error',
  E_NO_MESH: 'no mesh is selected or known',
  E_DATA_DIR_INVALID: 'the data dir path is unusable: empty, not a directory, or it cannot be created or written',
  E_DATA_DIR_CORRUPT: 'a file in the data dir (config.json, node.key) is damaged or missing',
  E_STORAGE_CORRUPT: "the data dir's LMDB file is damaged (empty, truncated or not an LMDB file)",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class LatticeError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code], options);
    this.name = 'LatticeError';
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string } & Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.details };
  }
}

export function isLatticeError(e: unknown, code?: ErrorCode): e is LatticeError {
  return e instanceof LatticeError && (code === undefined || e.code === code);
}

/** Wraps anything thrown into a LatticeError, keeping typed ones as they are. */
export function asLatticeError(e: unknown, fallback: ErrorCode = 'E_HOST_FAULT'): LatticeError {
  if (e instanceof LatticeError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new LatticeError(fallback, message, {}, { cause: e });
}
