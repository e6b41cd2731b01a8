// Every limit in one place (DESIGN §2). Payload, deps, key, value, output and frame limits are protocol constants;
// fuel, memory and depth are consensus limits bound to a store's module in its history (DESIGN §4.4). None is a
// node setting.

/** Max bytes of an intention's ops payload. */
export const MAX_PAYLOAD = 128 * 1024;
/** Max causal deps (condition hashes) of one intention. */
export const MAX_DEPS = 1024;
/** Max bytes of one wire frame; larger transfers are chunked. */
export const MAX_FRAME = 256 * 1024;
/** A remote intention stamped further ahead of the local clock than this is held unwitnessed. */
export const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000;
/** Max size of a module's .wasm bytes. */
export const MAX_MODULE_SIZE = 4 * 1024 * 1024;
/** Max bytes of a state key (LMDB refuses keys over 1,978 bytes with our prefixes; a guest hits this first). */
export const MAX_KEY = 1024;
/** Max bytes of a state value. */
export const MAX_VALUE = 64 * 1024;
/** Max bytes of one call's output. */
export const MAX_OUTPUT = 256 * 1024;
/** Max bytes one call may buffer in its write overlay (keys + values). */
export const MAX_OVERLAY = 8 * 1024 * 1024;
/** Max bytes of debug output kept per call. */
export const MAX_DEBUG = 4 * 1024;
/** Max intentions one command may append with log_append. */
export const MAX_APPENDS = 64;

/** Consensus limits of a store's module, carried by Genesis and ModuleUpgrade (DESIGN §4.4). */
export interface ConsensusLimits {
  /** Fuel per call. */
  fuel: number;
  /** Memory pages (64 KiB) a module may declare as its maximum. */
  memoryPages: number;
  /** Weighted call depth. */
  depth: number;
}

export const DEFAULT_LIMITS: ConsensusLimits = Object.freeze({
  fuel: 50_000_000,
  memoryPages: 256,
  depth: 20_000,
});

/** Max intentions a node ingests in one LMDB transaction. */
export const MAX_BATCH = 4096;
/** Max intentions floating per store before the oldest unknown-author ones are dropped. */
export const MAX_FLOATING_UNKNOWN_AUTHOR = 10_000;
