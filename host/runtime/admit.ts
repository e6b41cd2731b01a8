// Admission's last check (DESIGN §4.3): describe() is run once under the consensus limits before the bytes enter the
// CAS. Every command, query and `module show` starts from the description, so a module whose describe() cannot
// succeed (it runs out of fuel, grows past the memory limit, traps, writes no description) could never be used:
// it is refused here, with the reason, rather than stored and failing on every call afterwards.
import { cidToString, isLatticeError, LatticeError, MAX_OUTPUT, type Cid, type ConsensusLimits } from '../model/index.js';
import type { WasmStateMachine } from './wasm-state-machine.js';

/** Why describe() failed, in words, by the code of its refusal. */
function reason(e: LatticeError, limits: ConsensusLimits): string {
  switch (e.code) {
    case 'E_FUEL_EXHAUSTED': return `describe() ran out of fuel (the limit is ${limits.fuel})`;
    case 'E_MEMORY_LIMIT': return `describe() went past the memory limit (${limits.memoryPages} pages)`;
    case 'E_DEPTH_EXCEEDED': return `describe() went past the call-depth limit (${limits.depth})`;
    case 'E_OUTPUT_TOO_LARGE': return `describe() wrote more than ${MAX_OUTPUT} bytes of output`;
    // the machine's message ("describe(): trap: unreachable", "describe() output is not a module description: …")
    case 'E_GUEST_ABORT':
    case 'E_GUEST_TRAP':
    case 'E_MODULE_INVALID': return e.message;
    default: {
      const status = e.details['status'];
      return typeof status === 'number' ? `describe() returned ${status}, not 0` : `describe() failed: ${e.code} ${e.message}`;
    }
  }
}

/**
 * Runs describe() on a machine of the module under the limits it is admitted for; throws E_MODULE_INVALID naming
 * the reason when it cannot succeed. A host fault is not the module's and is rethrown as it is.
 */
export function admitDescribe(cid: Cid, machine: WasmStateMachine, limits: ConsensusLimits): void {
  try {
    machine.describe();
  } catch (e) {
    if (!isLatticeError(e) || e.code === 'E_HOST_FAULT') throw e;
    const why = reason(e, limits);
    throw new LatticeError('E_MODULE_INVALID', `the module is refused: ${why}; every command and query starts from describe(), so the module could never be used`, {
      cid: cidToString(cid), describe: e.code, ...(typeof e.details['fuel'] === 'number' ? { fuel: e.details['fuel'] } : {}),
    }, { cause: e });
  }
}
