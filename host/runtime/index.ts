// The runtime layer's public surface: createRuntime, WasmStateMachine, ModuleCas, lintModule, instrument.
export { createRuntime, type ModuleRuntime, type RuntimeComponents, type RuntimeStats } from './runtime.js';
export { WasmStateMachine, type MachineOptions } from './wasm-state-machine.js';
export { ModuleCas, createMemoryCasTable, type CasTable } from './module-cas.js';
export { lintModule, type ModuleReport } from './validate.js';
export { instrument, INSTRUMENTER_VERSION, FUEL_PER_PAGE, type Artifact } from './instrument.js';
export { HOST_CALL_FUEL } from './host-functions.js';
export { limitsHash, checkLimits, frameWeight, MAX_DEPTH, MAX_FRAME_WEIGHT, MAX_FUEL } from './limits-hash.js';
