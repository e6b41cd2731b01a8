// The runtime: loads a module by CID for given consensus limits and returns its WasmStateMachine. The path is
// verified bytes (CAS) → validation → instrumentation (binaryen, lazily) → compile, cached by (cid, instrumenter
// version, limits hash): instrumented bytes in the CAS table (so binaryen loads only for modules new to the node),
// compiled WebAssembly.Modules in this process. Publish is admission: the module is validated, instrumented and its
// describe() run once under the limits (admit.ts) before its bytes enter the CAS.
import { asCid, blake3, cidToString, toHex, type Cid, type ConsensusLimits } from '../model/index.js';
import { admitDescribe } from './admit.js';
import { instrument, INSTRUMENTER_VERSION, START_EXPORT, FUEL_GLOBAL, TRAP_GLOBAL, GLOBALS_EXPORT } from './instrument.js';
import { limitsHash } from './limits-hash.js';
import type { ModuleCas } from './module-cas.js';
import type { ModuleReport } from './validate.js';
import { Wasm, type WasmModule } from './wasm-api.js';
import { WasmStateMachine, type MachineOptions } from './wasm-state-machine.js';

export interface RuntimeComponents {
  readonly cas: ModuleCas;
}

export interface RuntimeStats {
  /** Modules instrumented (binaryen ran) by this runtime. */
  readonly instrumented: number;
  /** Artifacts compiled into WebAssembly.Modules by this runtime. */
  readonly compiled: number;
}

export interface ModuleRuntime {
  /** The state machine of a stored module under the given limits. Rejects with the module's validation error. */
  load(cid: Cid, limits: ConsensusLimits, options?: MachineOptions): Promise<WasmStateMachine>;
  /**
   * Admits module bytes: lints them (lintModule's refusals), runs describe() once under the limits (E_MODULE_INVALID
   * naming why it cannot succeed), then stores them; returns the CID and what the module uses.
   */
  publish(bytes: Uint8Array, limits: ConsensusLimits): Promise<{ cid: Cid; report: ModuleReport }>;
  readonly stats: RuntimeStats;
}

interface Compiled {
  readonly module: WasmModule;
  readonly hasStart: boolean;
  /** The artifact exports its mutable globals for restore (instance reuse). */
  readonly restorable: boolean;
}

const moduleExports = (m: WasmModule): Set<string> => new Set(Wasm.Module.exports(m).map((e) => e.name));

export function createRuntime(components: RuntimeComponents): ModuleRuntime {
  const { cas } = components;
  const compiled = new Map<string, Promise<Compiled>>();
  const stats = { instrumented: 0, compiled: 0 };

  const compile = (bytes: Uint8Array): Compiled => {
    const module = new Wasm.Module(bytes);
    stats.compiled++;
    const names = moduleExports(module);
    return { module, hasStart: names.has(START_EXPORT), restorable: names.has(GLOBALS_EXPORT) };
  };

  async function build(cid: Cid, limits: ConsensusLimits): Promise<Compiled> {
    const lh = limitsHash(limits);
    const cached = cas.getArtifact(cid, INSTRUMENTER_VERSION, lh);
    if (cached !== undefined) {
      const c = compile(cached);
      const names = moduleExports(c.module);
      if (names.has(FUEL_GLOBAL) && names.has(TRAP_GLOBAL)) return c;
    }
    const artifact = await instrument(cas.getModule(cid), limits);
    stats.instrumented++;
    await cas.putArtifact(cid, INSTRUMENTER_VERSION, lh, artifact.bytes);
    return compile(artifact.bytes);
  }

  const cacheKey = (cid: Cid, limits: ConsensusLimits): string => `${cidToString(cid)}/${INSTRUMENTER_VERSION}/${toHex(limitsHash(limits))}`;

  return {
    stats,
    async load(cid, limits, options) {
      const key = cacheKey(cid, limits);
      let entry = compiled.get(key);
      if (entry === undefined) {
        entry = build(cid, limits);
        compiled.set(key, entry);
        // a failure is not cached: the bytes may arrive or be repaired later
        entry.catch(() => compiled.delete(key));
      }
      const c = await entry;
      return new WasmStateMachine(cid, { ...limits }, c.module, c.hasStart, c.restorable, options);
    },
    async publish(bytes, limits) {
      const cid = asCid(blake3(bytes));
      // instrument lints first (the same refusals as lintModule); its artifact is kept for the loads that follow
      const artifact = await instrument(bytes, limits);
      stats.instrumented++;
      const c = compile(artifact.bytes);
      admitDescribe(cid, new WasmStateMachine(cid, { ...limits }, c.module, c.hasStart, c.restorable, { instancePerCall: true }), limits);
      await cas.putModule(bytes);
      await cas.putArtifact(cid, INSTRUMENTER_VERSION, limitsHash(limits), artifact.bytes);
      const key = cacheKey(cid, limits);
      if (!compiled.has(key)) compiled.set(key, Promise.resolve(c));
      return { cid, report: artifact.report };
    },
  };
}
