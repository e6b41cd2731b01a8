// Minimal reading of the Wasm binary's section list: the instrumenter drops the start section so that the runtime
// runs the start function itself (exported as __lattice_start) after instantiation, with the host bound.
import { LatticeError } from '../model/index.js';

const START_SECTION = 8;

function leb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < bytes.length && shift < 35; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [value, i + 1];
  }
  throw new LatticeError('E_MODULE_INVALID', 'a malformed section size');
}

/** The module bytes without their start section (a module has at most one). */
export function stripStartSection(bytes: Uint8Array): Uint8Array {
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at]!;
    const [size, payload] = leb(bytes, at + 1);
    const end = payload + size;
    if (id === START_SECTION) {
      const out = new Uint8Array(bytes.length - (end - at));
      out.set(bytes.subarray(0, at), 0);
      out.set(bytes.subarray(end), at);
      return out;
    }
    at = end;
  }
  return bytes;
}
