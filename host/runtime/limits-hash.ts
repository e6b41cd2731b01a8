// Consensus limits as the runtime uses them: range checks (the instrumentation bakes them into the artifact as
// i32 constants) and the limits hash that keys cached artifacts by (cid, instrumenter version, limits hash).
import { blake3, LatticeError, type ConsensusLimits, type Hash } from '../model/index.js';

/** Fuel is an i32 global in the artifact; a larger budget could not be represented. */
export const MAX_FUEL = 0x7fff_ffff;
/**
 * A depth unit is about 16 bytes of V8 stack (measured: a Liftoff frame is ~55 bytes plus 8 per local), so this
 * bound keeps a guest's own frames under 512 KiB, half of V8's default stack: V8's RangeError never stops a module.
 */
export const MAX_DEPTH = 32_768;
/**
 * The depth check runs inside the callee, after V8 has pushed its frame: a single frame must stay small beside the
 * stack head-room, so a function weighing more than this (64 KiB of frame, ~8000 locals) is refused at validation.
 */
export const MAX_FRAME_WEIGHT = 4096;

/** Depth units of one frame: ~64 bytes of frame, 8 bytes per local, 8 per level of operand nesting (in 16-byte units). */
export const frameWeight = (locals: number, nesting: number): number => 4 + Math.ceil(locals / 2) + Math.ceil(nesting / 2);

/** Wasm32 memory has at most 65536 pages. */
export const MAX_MEMORY_PAGES = 65_536;

export function checkLimits(l: ConsensusLimits): void {
  const bad = (what: string, v: number, max: number): never => {
    throw new LatticeError('E_BAD_ARGUMENT', `consensus limit ${what} must be an integer in 1..${max}, got ${v}`, { limit: what, value: v, max });
  };
  if (!Number.isInteger(l.fuel) || l.fuel < 1 || l.fuel > MAX_FUEL) bad('fuel', l.fuel, MAX_FUEL);
  if (!Number.isInteger(l.memoryPages) || l.memoryPages < 1 || l.memoryPages > MAX_MEMORY_PAGES) bad('memoryPages', l.memoryPages, MAX_MEMORY_PAGES);
  if (!Number.isInteger(l.depth) || l.depth < 1 || l.depth > MAX_DEPTH) bad('depth', l.depth, MAX_DEPTH);
}

const TAG = new TextEncoder().encode('lattice/limits/v1');

/** BLAKE3 over the limits as u32 LE fuel ‖ memoryPages ‖ depth, domain-separated. */
export function limitsHash(l: ConsensusLimits): Hash {
  checkLimits(l);
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setUint32(0, l.fuel, true);
  v.setUint32(4, l.memoryPages, true);
  v.setUint32(8, l.depth, true);
  return blake3(TAG, b);
}
