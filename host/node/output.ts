// A command's or query's output bytes (abi value encoding) as the JSON the CLI prints under `result`.
import { decodeValue, valueToJson } from '../../abi/values.js';
import { LatticeError } from '../model/index.js';

export function outputToJson(output: Uint8Array | null): unknown {
  if (output === null || output.length === 0) return null;
  const v = decodeValue(output);
  if (!v.ok) throw new LatticeError('E_GUEST_TRAP', `the module's output is not a valid value: ${v.error}`);
  return valueToJson(v.value);
}
