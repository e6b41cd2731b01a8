// Load-time instrumentation with binaryen (DESIGN §4.1): fuel, call depth, NaN canonicalisation, memory-limit and
// bulk-memory charging, the start function moved under the call's fuel budget, and the exports that let the runtime
// restore an instance to its post-start state (instance reuse). The output is a versioned, consensus-relevant
// function of (module bytes, limits, binaryen version): change anything here → bump the version.
import { LatticeError, REJECTION, type ConsensusLimits } from '../model/index.js';
import { accessors, capi, type Binaryen, type BinaryenModule } from './binaryen-loader.js';
import { createExpressionWalker } from './expression-walk.js';
import { checkModule, guardDepth, readModule, RESERVED_PREFIX, type ModuleReport } from './validate.js';
import { stripStartSection } from './wasm-sections.js';
import { frameWeight } from './limits-hash.js';

/**
 * Bumped whenever the metering spec or the emitted code changes; part of every artifact's cache key. 1.1 and 1.2
 * charge exactly the fuel of 1 and add the restore exports (GLOBALS_EXPORT; 1.2: float globals by their bits).
 */
export const INSTRUMENTER_VERSION = 'lattice-meter/1.2+binaryen-132.0.0';

export const FUEL_GLOBAL = `${RESERVED_PREFIX}fuel`;
export const TRAP_GLOBAL = `${RESERVED_PREFIX}trap`;
export const START_EXPORT = `${RESERVED_PREFIX}start`;
const DEPTH_GLOBAL = `${RESERVED_PREFIX}depth`;
const CHARGE_BYTES = `${RESERVED_PREFIX}charge_bytes`;
const GREW = `${RESERVED_PREFIX}grew`;
/**
 * The count n of mutable globals (the module's and the instrumentation's), an immutable i32 export; for i < n, an
 * integer global is exported as `__lattice_global_<i>`, a float one through `__lattice_get_<i>() → bits` and
 * `__lattice_set_<i>(bits)` (a float crossing into JS may lose its NaN payload; its integer bits cannot), so that
 * the host can save and restore them exactly. Absent when the module cannot be restored to a fresh instance's state
 * (it uses data.drop, or has more than MAX_RESTORED_GLOBALS): the runtime then instantiates per call.
 */
export const GLOBALS_EXPORT = `${RESERVED_PREFIX}globals`;
export const GLOBAL_EXPORT_PREFIX = `${RESERVED_PREFIX}global_`;
export const GLOBAL_GET_PREFIX = `${RESERVED_PREFIX}get_`;
export const GLOBAL_SET_PREFIX = `${RESERVED_PREFIX}set_`;
/** Past this many mutable globals, restoring them one by one from JS is no cheaper than a fresh instance. */
export const MAX_RESTORED_GLOBALS = 1024;

/** Fuel per page a successful memory.grow adds (the host zeroes 64 KiB). */
export const FUEL_PER_PAGE = 1024;

/** Features the artifact is validated against (the allowlist). */
export const ALLOWED_FEATURES = (b: Binaryen): number =>
  b.Features.MutableGlobals | b.Features.SignExt | b.Features.NontrappingFPToInt | b.Features.BulkMemory | b.Features.BulkMemoryOpt | b.Features.Multivalue;


export interface Artifact {
  /** The instrumented module bytes. */
  readonly bytes: Uint8Array;
  readonly report: ModuleReport;
}

/** Validates and instruments module bytes for the given limits. Throws the validation errors of lintModule. */
export async function instrument(bytes: Uint8Array, limits: ConsensusLimits): Promise<Artifact> {
  const { b, m } = await readModule(bytes);
  try {
    const walker = createExpressionWalker(b);
    const report = checkModule(b, m, bytes.length, limits, walker);
    for (let i = 0; i < m.getNumFunctions(); i++) {
      if (b.getFunctionInfo(m.getFunctionByIndex(i)).name.startsWith(RESERVED_PREFIX)) throw reserved();
    }
    for (let i = 0; i < m.getNumGlobals(); i++) {
      if (b.getGlobalInfo(m.getGlobalByIndex(i)).name.startsWith(RESERVED_PREFIX)) throw reserved();
    }
    const defined: number[] = [];
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const f = m.getFunctionByIndex(i);
      if (!b.getFunctionInfo(f).module) defined.push(f);
    }
    m.addGlobal(FUEL_GLOBAL, b.i32, true, m.i32.const(limits.fuel));
    m.addGlobal(DEPTH_GLOBAL, b.i32, true, m.i32.const(0));
    m.addGlobal(TRAP_GLOBAL, b.i32, true, m.i32.const(0));
    const meter = createMeter(b, m, limits);
    for (const f of defined) guardDepth(() => meter.function(f, walker));
    addHelpers(b, m, meter);
    m.addGlobalExport(FUEL_GLOBAL, FUEL_GLOBAL);
    m.addGlobalExport(TRAP_GLOBAL, TRAP_GLOBAL);
    if (report.start !== null) m.addFunctionExport(report.start, START_EXPORT);
    if (!meter.dropsData) exportMutableGlobals(b, m);
    m.setFeatures(ALLOWED_FEATURES(b));
    if (!m.validate()) throw new Error('the instrumented module does not validate (an instrumenter bug)');
    const out = m.emitBinary();
    return { bytes: report.start !== null ? stripStartSection(out) : out, report };
  } finally {
    m.dispose();
  }
}

function reserved(): LatticeError {
  return new LatticeError('E_MODULE_INVALID', `names starting with ${RESERVED_PREFIX} are reserved by the runtime`);
}

interface Meter {
  /** Set when a walked function uses data.drop: a dropped segment cannot be restored in a reused instance. */
  readonly dropsData: boolean;
  trap(code: number): number;
  charge(weight: number): number[];
  function(f: number, walker: ReturnType<typeof createExpressionWalker>): void;
}

function createMeter(b: Binaryen, m: BinaryenModule, limits: ConsensusLimits): Meter {
  const Loop = accessors(b, 'Loop');
  const Unary = accessors(b, 'Unary');
  const Binary = accessors(b, 'Binary');
  const Return = accessors(b, 'Return');
  const sized = new Map<number, ReturnType<typeof accessors>>([
    [b.MemoryCopyId, accessors(b, 'MemoryCopy')],
    [b.MemoryFillId, accessors(b, 'MemoryFill')],
    [b.MemoryInitId, accessors(b, 'MemoryInit')],
  ]);
  const addVar = capi(b, '_BinaryenFunctionAddVar');
  const setBody = capi(b, '_BinaryenFunctionSetBody');
  // reinterpret and int→float conversions never produce a NaN they did not read as bits; every other float op may
  const keepsBits = new Set(Object.entries(b).filter(([k]) => /^(Reinterpret|Convert)/.test(k)).map(([, v]) => v as number));
  const i32 = b.i32;

  const trap = (code: number): number => m.block(null, [m.global.set(TRAP_GLOBAL, m.i32.const(code)), m.unreachable()], b.unreachable);
  const charge = (w: number): number[] => [
    m.if(m.i32.lt_s(m.global.get(FUEL_GLOBAL, i32), m.i32.const(w)), trap(REJECTION.E_FUEL_EXHAUSTED)),
    m.global.set(FUEL_GLOBAL, m.i32.sub(m.global.get(FUEL_GLOBAL, i32), m.i32.const(w))),
  ];

  let dropsData = false;
  return {
    get dropsData() {
      return dropsData;
    },
    trap,
    charge,
    function(f, walker) {
      const info = b.getFunctionInfo(f);
      const results = info.results;
      const locals = b.expandType(info.params).length + info.vars.reduce((n, v) => n + b.expandType(v).length, 0);
      const tmp = results === b.none ? -1 : addVar(f, results);
      // NaN canonicalisation inline: select(x != x, canonical, tee(t, x)) evaluates the tee first, then compares t;
      // a nested use of t completes before the outer tee, so one scratch local per float type suffices
      const scratch = new Map<number, number>();
      const canon = (e: number, type: number): number => {
        let t = scratch.get(type);
        if (t === undefined) scratch.set(type, (t = addVar(f, type)));
        const nan = type === b.f32 ? m.f32.const_bits(0x7fc00000) : m.f64.const_bits(0x7ff8000000000000n);
        const ne = type === b.f32 ? m.f32.ne(m.local.get(t, type), m.local.get(t, type)) : m.f64.ne(m.local.get(t, type), m.local.get(t, type));
        return m.select(ne, nan, m.local.tee(t, e, type));
      };
      let count = 0;
      let nest = 0;
      let maxNest = 0;
      // the depth decrements at `return`s get their value after the walk, once the frame weight is known
      const exits: number[] = [];
      const visit = (e: number): number => {
        count++;
        if (++nest > maxNest) maxNest = nest;
        const id = b.getExpressionId(e);
        if (id === b.LoopId) {
          const outer = count;
          count = 0;
          walker.children(e, visit);
          const body = Loop.getBody!(e);
          Loop.setBody!(e, m.block(null, [...charge(count), body], b.getExpressionType(body)));
          count = outer;
          nest--;
          return e;
        }
        walker.children(e, visit);
        nest--;
        const type = b.getExpressionType(e);
        if (id === b.UnaryId || id === b.BinaryId) {
          const op = id === b.UnaryId ? Unary.getOp!(e) : Binary.getOp!(e);
          return (type === b.f32 || type === b.f64) && !keepsBits.has(op) ? canon(e, type) : e;
        }
        const sizedOp = sized.get(id);
        if (sizedOp) {
          sizedOp.setSize!(e, m.call(CHARGE_BYTES, [sizedOp.getSize!(e)], i32));
          return e;
        }
        if (id === b.MemoryGrowId) return m.call(GREW, [e], i32);
        if (id === b.DataDropId) dropsData = true;
        if (id === b.ReturnId) {
          const value = Return.getValue!(e);
          const exit = m.global.set(DEPTH_GLOBAL, m.nop()); // placeholder value, set once the weight is known
          exits.push(exit);
          if (value === 0) return m.block(null, [exit, e], b.unreachable);
          Return.setValue!(e, m.block(null, [m.local.set(tmp, value), exit, m.local.get(tmp, results)], results));
          return e;
        }
        return e;
      };
      const body = visit(info.body);
      const weight = frameWeight(locals, maxNest);
      const GlobalSet = accessors(b, 'GlobalSet');
      const decrement = (): number => m.i32.sub(m.global.get(DEPTH_GLOBAL, i32), m.i32.const(weight));
      for (const x of exits) GlobalSet.setValue!(x, decrement());
      const enter = [
        m.global.set(DEPTH_GLOBAL, m.i32.add(m.global.get(DEPTH_GLOBAL, i32), m.i32.const(weight))),
        m.if(m.i32.gt_u(m.global.get(DEPTH_GLOBAL, i32), m.i32.const(limits.depth)), trap(REJECTION.E_DEPTH_EXCEEDED)),
      ];
      const exit = m.global.set(DEPTH_GLOBAL, decrement());
      const wrapped =
        tmp < 0
          ? m.block(null, [...charge(count), ...enter, body, exit], b.none)
          : m.block(null, [...charge(count), ...enter, m.local.set(tmp, body), exit, m.local.get(tmp, results)], results);
      setBody(f, wrapped);
    },
  };
}

/** Exports every mutable global for the host's save and restore (GLOBALS_EXPORT); charges nothing, runs nothing. */
function exportMutableGlobals(b: Binaryen, m: BinaryenModule): void {
  const mutable: { name: string; type: number }[] = [];
  for (let i = 0; i < m.getNumGlobals(); i++) {
    const g = b.getGlobalInfo(m.getGlobalByIndex(i));
    if (g.mutable) mutable.push({ name: g.name, type: g.type });
  }
  if (mutable.length > MAX_RESTORED_GLOBALS) return;
  mutable.forEach(({ name, type }, i) => {
    if (type !== b.f32 && type !== b.f64) {
      m.addGlobalExport(name, `${GLOBAL_EXPORT_PREFIX}${i}`);
      return;
    }
    const f32 = type === b.f32;
    const bits = f32 ? b.i32 : b.i64;
    const get = f32 ? m.i32.reinterpret(m.global.get(name, type)) : m.i64.reinterpret(m.global.get(name, type));
    const set = m.global.set(name, f32 ? m.f32.reinterpret(m.local.get(0, bits)) : m.f64.reinterpret(m.local.get(0, bits)));
    m.addFunction(`${GLOBAL_GET_PREFIX}${i}`, b.none, bits, [], get);
    m.addFunction(`${GLOBAL_SET_PREFIX}${i}`, bits, b.none, [], set);
    m.addFunctionExport(`${GLOBAL_GET_PREFIX}${i}`, `${GLOBAL_GET_PREFIX}${i}`);
    m.addFunctionExport(`${GLOBAL_SET_PREFIX}${i}`, `${GLOBAL_SET_PREFIX}${i}`);
  });
  m.addGlobal(GLOBALS_EXPORT, b.i32, false, m.i32.const(mutable.length));
  m.addGlobalExport(GLOBALS_EXPORT, GLOBALS_EXPORT);
}

function addHelpers(b: Binaryen, m: BinaryenModule, meter: Meter): void {
  const i32 = b.i32;
  // bulk memory: one fuel per byte, checked before the operation runs
  m.addFunction(CHARGE_BYTES, i32, i32, [], m.block(null, [
    m.if(m.i32.lt_u(m.global.get(FUEL_GLOBAL, i32), m.local.get(0, i32)), meter.trap(REJECTION.E_FUEL_EXHAUSTED)),
    m.global.set(FUEL_GLOBAL, m.i32.sub(m.global.get(FUEL_GLOBAL, i32), m.local.get(0, i32))),
    m.local.get(0, i32),
  ], i32));
  // memory.grow's result: -1 (over the declared maximum) traps E_MEMORY_LIMIT; growth costs FUEL_PER_PAGE a page
  m.addFunction(GREW, i32, i32, [], m.block(null, [
    m.if(m.i32.eq(m.local.get(0, i32), m.i32.const(-1)), meter.trap(REJECTION.E_MEMORY_LIMIT)),
    m.drop(m.call(CHARGE_BYTES, [m.i32.mul(m.i32.sub(m.memory.size(), m.local.get(0, i32)), m.i32.const(FUEL_PER_PAGE))], i32)),
    m.local.get(0, i32),
  ], i32));
}
