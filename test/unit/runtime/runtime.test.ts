// The runtime's determinism contracts: NaN canonicalisation, a depth limit that always stops before V8's stack
// does, the start function under the fuel budget, fuel independent of earlier calls, and a cold and a warm artifact
// cache giving the same outcomes and fuel.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, REJECTION } from '../../../host/model/index.js';
import { createMemoryCasTable, createRuntime, instrument, MAX_DEPTH, ModuleCas } from '../../../host/runtime/index.js';
import { applyInput, loadFixture, MemoryState } from './helpers.js';
import { fixture, STUB_EXPORTS, wat } from './wat.js';

const hex = (b: Uint8Array, from: number, to: number): string => Buffer.from(b.subarray(from, to)).reverse().toString('hex');

describe('NaN canonicalisation', () => {
  it('every NaN a float op produces is written as the canonical positive quiet NaN; reinterpret keeps its bits', async () => {
    const { sm } = await loadFixture('nan');
    const out = sm.apply(applyInput([]), new MemoryState());
    expect(out.code).toBe(0);
    const v = out.writes[0]!.value!;
    expect(hex(v, 0, 8)).toBe('7ff8000000000000'); // 0/0
    expect(hex(v, 8, 16)).toBe('7ff8000000000000'); // -(0/0)
    expect(hex(v, 16, 24)).toBe('7ff8000000000000'); // -nan:0x12345 + 1
    expect(hex(v, 24, 28)).toBe('7fc00000'); // sqrt(-1)
    expect(hex(v, 28, 32)).toBe('7fc00000'); // demote(-(0/0))
    expect(hex(v, 32, 40)).toBe('7ff0000000000001'); // reinterpret: bits, not arithmetic
  });

  it('without instrumentation the same module can write other bits (the pass is what makes it canonical)', async () => {
    const bytes = await fixture('nan');
    let written: Uint8Array | undefined;
    let memory: { buffer: ArrayBuffer } | undefined;
    const WA = (globalThis as unknown as { WebAssembly: { Instance: new (m: unknown, i: unknown) => { exports: Record<string, unknown> }; Module: new (b: Uint8Array) => unknown } }).WebAssembly;
    const inst = new WA.Instance(new WA.Module(bytes), {
      lattice_v1: { kv_set: (_k: number, _kl: number, p: number, l: number) => ((written = new Uint8Array(memory!.buffer.slice(p, p + l))), 0) },
    });
    memory = inst.exports.memory as { buffer: ArrayBuffer };
    (inst.exports.apply as () => number)();
    // neg flips the sign bit whatever the hardware's default NaN, so 0/0 and -(0/0) cannot both be canonical
    expect(hex(written!, 0, 8)).not.toBe(hex(written!, 8, 16));
  });
});

describe('call depth', () => {
  it('recursion with 300-local frames stops at E_DEPTH_EXCEEDED, never at a V8 RangeError, even at MAX_DEPTH', async () => {
    for (const depth of [DEFAULT_LIMITS.depth, MAX_DEPTH]) {
      const { sm } = await loadFixture('deep-frames', { ...DEFAULT_LIMITS, depth });
      const a = sm.apply(applyInput([]), new MemoryState());
      const b = sm.apply(applyInput([]), new MemoryState());
      expect(a.code).toBe(REJECTION.E_DEPTH_EXCEEDED);
      expect(b).toEqual(a);
    }
  });

  it('the depth limit is restored on every return path (a deep but bounded call sequence succeeds repeatedly)', async () => {
    // 100 sequential calls of a function that returns early: if returns leaked depth, the 20k limit would trap
    const bytes = await wat(`(module (memory (export "memory") 1 1)
      (func $f (param i32) (result i32) (if (local.get 0) (then (return (i32.const 1)))) (i32.const 2))
      (func (export "apply") (result i32) (local $i i32)
        (loop $l (drop (call $f (i32.const 1))) (drop (call $f (i32.const 0)))
          (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 5000))))
        (i32.const 0)) ${STUB_EXPORTS})`);
    const cas = new ModuleCas(createMemoryCasTable());
    const sm = await createRuntime({ cas }).load(await cas.putModule(bytes), DEFAULT_LIMITS);
    expect(sm.apply(applyInput([]), new MemoryState()).code).toBe(0);
  });
});

describe('start function', () => {
  it('a start function that loops is charged to every call: E_FUEL_EXHAUSTED with the whole budget', async () => {
    const limits = { ...DEFAULT_LIMITS, fuel: 1_000_000 };
    const { sm } = await loadFixture('start-loop', limits);
    for (let i = 0; i < 2; i++) expect(sm.apply(applyInput([]), new MemoryState())).toMatchObject({ code: REJECTION.E_FUEL_EXHAUSTED, fuel: 1_000_000 });
  });
});

describe('fuel', () => {
  it('fuel does not depend on earlier calls, and a smaller budget exhausts at the same point every time', async () => {
    const { sm } = await loadFixture('hostile');
    const state = new MemoryState();
    const fresh = sm.apply(applyInput([0]), new MemoryState()).fuel;
    for (const op of [3, 1, 2, 5]) sm.apply(applyInput([op]), state);
    expect(sm.apply(applyInput([0]), new MemoryState()).fuel).toBe(fresh);
    const tight = await loadFixture('hostile', { ...DEFAULT_LIMITS, fuel: fresh - 1 });
    expect(tight.sm.apply(applyInput([0]), new MemoryState())).toMatchObject({ code: REJECTION.E_FUEL_EXHAUSTED, fuel: fresh - 1 });
    const exact = await loadFixture('hostile', { ...DEFAULT_LIMITS, fuel: fresh });
    expect(exact.sm.apply(applyInput([0]), new MemoryState())).toMatchObject({ code: 0, fuel: fresh });
  });

  it('instrumentation is a pure function of (bytes, limits)', async () => {
    const bytes = await fixture('hostile');
    const [a, b] = [await instrument(bytes, DEFAULT_LIMITS), await instrument(bytes, DEFAULT_LIMITS)];
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    const c = await instrument(bytes, { ...DEFAULT_LIMITS, fuel: 1000 });
    expect(Buffer.from(a.bytes).equals(Buffer.from(c.bytes))).toBe(false);
  });
});

describe('artifact cache', () => {
  it('a cold and a warm cache give the same outcomes and fuel for the same sequence of applies', async () => {
    const table = createMemoryCasTable();
    const cas = new ModuleCas(table);
    const cid = await cas.putModule(await fixture('hostile'));
    const ops = [0, 0, 1, 0, 2, 3, 0, 4, 5, 6, 7, 12, 99, 0];
    const run = async (runtime: ReturnType<typeof createRuntime>): Promise<unknown[]> => {
      const sm = await runtime.load(cid, DEFAULT_LIMITS);
      const state = new MemoryState();
      return ops.map((op) => {
        const o = sm.apply(applyInput([op]), state);
        if (o.code === 0) state.commit(o.writes);
        return [o.code, o.fuel, state.dump()];
      });
    };
    const cold = createRuntime({ cas });
    const coldOut = await run(cold);
    expect(cold.stats).toEqual({ instrumented: 1, compiled: 1 });
    const warmOut = await run(cold); // in-process compiled module
    expect(cold.stats).toEqual({ instrumented: 1, compiled: 1 });
    const stored = createRuntime({ cas }); // artifact from the table, no binaryen
    const storedOut = await run(stored);
    expect(stored.stats).toEqual({ instrumented: 0, compiled: 1 });
    expect(warmOut).toEqual(coldOut);
    expect(storedOut).toEqual(coldOut);
  });
});
