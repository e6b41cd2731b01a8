// Instance reuse keeps the contract of a fresh instance per call (DESIGN §4.1): whatever a call leaves in memory,
// in mutable globals (the module's and the instrumentation's: fuel, depth, trap) or in the memory's size, the next
// call sees the state of a fresh instance after its start function, also after every kind of trap; and a reused
// and a fresh-per-call machine give the same outcomes and fuel over random histories.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeArgs, encodeValue, val } from '../../../abi/values.js';
import type { ApplyInput, ApplyOutcome } from '../../../host/kernel/state-machine.js';
import { DEFAULT_LIMITS, REJECTION, type Cid, type ConsensusLimits } from '../../../host/model/index.js';
import { buildModule } from '../../../host/node/module-build.js';
import { MAX_RESTORE_PAGES } from '../../../host/runtime/instance-reuse.js';
import { createMemoryCasTable, createRuntime, ModuleCas, type WasmStateMachine } from '../../../host/runtime/index.js';
import { applyInput, commandContext, MemoryState } from './helpers.js';
import { fixture, STUB_EXPORTS, wat } from './wat.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Both machines of one module: reused instances, and the reference path (a new instance for every call). */
async function machines(bytes: Uint8Array, limits: ConsensusLimits = DEFAULT_LIMITS): Promise<{ reused: WasmStateMachine; fresh: WasmStateMachine; cid: Cid }> {
  const cas = new ModuleCas(createMemoryCasTable());
  const runtime = createRuntime({ cas });
  const cid = await cas.putModule(bytes);
  return { cid, reused: await runtime.load(cid, limits), fresh: await runtime.load(cid, limits, { instancePerCall: true }) };
}

// op (first app byte) 0: write what was seen at entry under key "s", then change it all; 1-7: change it, then end
// in one way each. Seen: g32 (start sets 5), g64, mem[1024] (data "\2a"), mem[65532] (last word), memory.size.
const STICKY_WAT = `(module
  (import "lattice_v1" "input_read" (func $input_read (param i32 i32) (result i32)))
  (import "lattice_v1" "kv_set" (func $kv_set (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 4)
  (data (i32.const 1024) "\\2a")
  (data (i32.const 2048) "s")
  (global $g32 (mut i32) (i32.const 1))
  (global $g64 (mut i64) (i64.const 0x100000000))
  (func $start (global.set $g32 (i32.const 5)))
  (start $start)
  (func $recurse (param i32) (result i32) (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "apply") (result i32) (local $op i32)
    (drop (call $input_read (i32.const 0) (i32.const 128)))
    (local.set $op (i32.load8_u (i32.const 84)))
    (i32.store (i32.const 4096) (global.get $g32))
    (i64.store (i32.const 4100) (global.get $g64))
    (i32.store (i32.const 4108) (i32.load (i32.const 1024)))
    (i32.store (i32.const 4112) (i32.load (i32.const 65532)))
    (i32.store (i32.const 4116) (memory.size))
    (drop (call $kv_set (i32.const 2048) (i32.const 1) (i32.const 4096) (i32.const 24)))
    (global.set $g32 (i32.add (global.get $g32) (i32.const 1)))
    (global.set $g64 (i64.add (global.get $g64) (i64.const 1)))
    (i32.store (i32.const 1024) (i32.add (i32.load (i32.const 1024)) (i32.const 1)))
    (i32.store (i32.const 65532) (i32.const -1))
    (memory.fill (i32.const 8192) (i32.const 255) (i32.const 4096))
    ;; 1: grow by 2 pages and write there; 2: unreachable; 3: loop until fuel runs out; 4: recurse past the depth
    ;; limit; 5: a host trap (a key over MAX_KEY); 6: grow past the maximum (E_MEMORY_LIMIT); 7: divide by zero
    (if (i32.eq (local.get $op) (i32.const 1)) (then
      (drop (memory.grow (i32.const 2))) (i32.store (i32.const 131068) (i32.const -1))))
    (if (i32.eq (local.get $op) (i32.const 2)) (then (unreachable)))
    (if (i32.eq (local.get $op) (i32.const 3)) (then (loop $l (br $l))))
    (if (i32.eq (local.get $op) (i32.const 4)) (then (return (call $recurse (i32.const 0)))))
    (if (i32.eq (local.get $op) (i32.const 5)) (then
      (return (call $kv_set (i32.const 0) (i32.const 2000) (i32.const 0) (i32.const 1)))))
    (if (i32.eq (local.get $op) (i32.const 6)) (then
      (loop $g (br_if $g (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))))
    (if (i32.eq (local.get $op) (i32.const 7)) (then (return (i32.div_u (i32.const 1) (i32.const 0)))))
    (i32.const 0))
  ${STUB_EXPORTS})`;

interface Seen {
  g32: number;
  g64: bigint;
  cell: number;
  last: number;
  pages: number;
}

const seenOf = (o: ApplyOutcome): Seen => {
  expect(o.code).toBe(0);
  const v = o.writes[0]!.value!;
  const d = new DataView(v.buffer, v.byteOffset, v.length);
  return { g32: d.getInt32(0, true), g64: d.getBigInt64(4, true), cell: d.getInt32(12, true), last: d.getInt32(16, true), pages: d.getInt32(20, true) };
};

const FRESH: Seen = { g32: 5, g64: 0x100000000n, cell: 0x2a, last: 0, pages: 1 };

describe('a reused instance is restored to the state of a fresh one', () => {
  it('writes to memory and to i32 and i64 globals in one call are not seen by the next', async () => {
    const { reused } = await machines(await wat(STICKY_WAT));
    const outs = Array.from({ length: 5 }, () => reused.apply(applyInput([0]), new MemoryState()));
    for (const o of outs) expect(seenOf(o)).toEqual(FRESH);
    expect(new Set(outs.map((o) => o.fuel)).size).toBe(1);
    // the snapshot instance and one live instance, not one per call
    expect(reused.instantiations).toBe(2);
  });

  it('a call that grew memory is followed by one that sees the initial size (a new instance)', async () => {
    const { reused } = await machines(await wat(STICKY_WAT));
    expect(reused.apply(applyInput([1]), new MemoryState()).code).toBe(0);
    expect(seenOf(reused.apply(applyInput([0]), new MemoryState()))).toEqual(FRESH);
    expect(reused.instantiations).toBe(3);
  });

  it('after every kind of trap mid-call the next call sees fresh state, with the same fuel', async () => {
    const limits = { ...DEFAULT_LIMITS, fuel: 2_000_000 };
    const { reused, fresh } = await machines(await wat(STICKY_WAT), limits);
    const base = reused.apply(applyInput([0]), new MemoryState());
    const endings: [number, number][] = [
      [2, REJECTION.E_GUEST_TRAP], [3, REJECTION.E_FUEL_EXHAUSTED], [4, REJECTION.E_DEPTH_EXCEEDED], [5, REJECTION.E_KEY_TOO_LARGE],
      [6, REJECTION.E_MEMORY_LIMIT], [7, REJECTION.E_GUEST_TRAP],
    ];
    for (const [op, code] of endings) {
      const a = reused.apply(applyInput([op]), new MemoryState());
      expect(a).toMatchObject({ code, writes: [] });
      // the same trap again: a depth or fuel global left behind would end it sooner
      expect(reused.apply(applyInput([op]), new MemoryState())).toEqual(a);
      expect(fresh.apply(applyInput([op]), new MemoryState())).toEqual(a);
      const next = reused.apply(applyInput([0]), new MemoryState());
      expect(seenOf(next)).toEqual(FRESH);
      expect(next.fuel).toBe(base.fuel);
    }
  });

  it('float globals are restored bit for bit (NaN payloads and signalling NaNs included)', async () => {
    const bytes = await wat(`(module (import "lattice_v1" "kv_set" (func $kv_set (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1 1)
      (global $f32 (mut f32) (f32.const nan:0x200001))
      (global $f64 (mut f64) (f64.const 1.5))
      (func $start (global.set $f64 (f64.reinterpret_i64 (i64.const 0x7ff0000000000001))))
      (start $start)
      (func (export "apply") (result i32)
        (i32.store (i32.const 16) (i32.reinterpret_f32 (global.get $f32)))
        (i64.store (i32.const 20) (i64.reinterpret_f64 (global.get $f64)))
        (drop (call $kv_set (i32.const 16) (i32.const 1) (i32.const 16) (i32.const 12)))
        (global.set $f32 (f32.const 2)) (global.set $f64 (f64.const 3)) (i32.const 0)) ${STUB_EXPORTS})`);
    const { reused, fresh } = await machines(bytes);
    const expected = fresh.apply(applyInput([]), new MemoryState());
    expect(Buffer.from(expected.writes[0]!.value!).toString('hex')).toBe('0100a07f' + '010000000000f07f');
    for (let i = 0; i < 3; i++) expect(reused.apply(applyInput([]), new MemoryState())).toEqual(expected);
    expect(reused.instantiations).toBe(2);
  });

  it('memory the start function grew is part of the snapshot, also in an instance replacing one a call grew', async () => {
    const bytes = await wat(`(module (import "lattice_v1" "kv_set" (func $kv_set (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1 8)
      (func $start (drop (memory.grow (i32.const 2))) (i32.store (i32.const 131072) (i32.const 9)))
      (start $start)
      (func (export "apply") (result i32)
        (i32.store (i32.const 16) (memory.size)) (i32.store (i32.const 20) (i32.load (i32.const 131072)))
        (drop (call $kv_set (i32.const 16) (i32.const 1) (i32.const 16) (i32.const 8)))
        (i32.store (i32.const 131072) (i32.const -1)) (drop (memory.grow (i32.const 1))) (i32.const 0)) ${STUB_EXPORTS})`);
    const { reused, fresh } = await machines(bytes);
    const expected = fresh.apply(applyInput([]), new MemoryState());
    expect([...expected.writes[0]!.value!]).toEqual([3, 0, 0, 0, 9, 0, 0, 0]);
    for (let i = 0; i < 3; i++) expect(reused.apply(applyInput([]), new MemoryState())).toEqual(expected);
  });

  it('an AssemblyScript module: globals, top-level code, static data and the heap are fresh in every call', async () => {
    const built = await buildModule(join(ROOT, 'test', 'unit', 'runtime', 'fixtures', 'sticky'), { write: false });
    const { reused, fresh } = await machines(built.bytes, { ...DEFAULT_LIMITS, fuel: 1_000_000 });
    const seen = (sm: WasmStateMachine, op: number): ApplyOutcome => sm.apply(applyInput([op]), new MemoryState());
    const first = seen(fresh, 0);
    const v = first.writes[0]!.value!;
    const d = new DataView(v.buffer, v.byteOffset, v.length);
    expect([d.getBigInt64(0, true), d.getInt32(8, true), d.getInt32(12, true), d.getInt32(16, true)]).toEqual([0n, 41, 7, 1]);
    for (const op of [0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 0]) {
      const a = seen(reused, op);
      expect(a).toEqual(seen(fresh, op));
      if (op === 0) expect(a).toEqual(first);
    }
    expect(seen(reused, 2)).toMatchObject({ code: REJECTION.E_GUEST_ABORT });
    expect(seen(reused, 3)).toMatchObject({ code: REJECTION.E_FUEL_EXHAUSTED, fuel: 1_000_000 });
  });
});

describe('modules that keep an instance per call', () => {
  it('a module using data.drop gets a fresh instance per call (a dropped segment cannot be restored)', async () => {
    const bytes = await wat(`(module (import "lattice_v1" "kv_set" (func $kv_set (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1 1) (data $d "abcd")
      (func (export "apply") (result i32)
        (memory.init $d (i32.const 16) (i32.const 0) (i32.const 4)) (data.drop $d)
        (drop (call $kv_set (i32.const 16) (i32.const 1) (i32.const 16) (i32.const 4))) (i32.const 0)) ${STUB_EXPORTS})`);
    const { reused } = await machines(bytes);
    for (let i = 0; i < 3; i++) expect(reused.apply(applyInput([]), new MemoryState())).toMatchObject({ code: 0, writes: [{ value: new TextEncoder().encode('abcd') }] });
    expect(reused.instantiations).toBe(3);
  });

  it(`a module leaving more than MAX_RESTORE_PAGES (${MAX_RESTORE_PAGES}) pages gets a new instance per call (a copy would cost more)`, async () => {
    const bytes = await wat(`(module (import "lattice_v1" "kv_set" (func $kv_set (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") ${MAX_RESTORE_PAGES + 1} ${MAX_RESTORE_PAGES + 1}) (global $g (mut i32) (i32.const 0))
      (func (export "apply") (result i32) (i32.store (i32.const 16) (global.get $g)) (global.set $g (i32.const 1))
        (drop (call $kv_set (i32.const 16) (i32.const 1) (i32.const 16) (i32.const 4))) (i32.store (i32.const 16) (i32.const 5)) (i32.const 0))
      ${STUB_EXPORTS})`);
    const { reused } = await machines(bytes);
    for (let i = 0; i < 3; i++) expect([...reused.apply(applyInput([]), new MemoryState()).writes[0]!.value!]).toEqual([0, 0, 0, 0]);
    expect(reused.instantiations).toBe(4);
  });

  it('a start function that calls the host runs in every call (what it does may depend on the call)', async () => {
    const bytes = await wat(`(module
      (import "lattice_v1" "input_len" (func $input_len (result i32)))
      (import "lattice_v1" "kv_set" (func $kv_set (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1 1)
      (func $start (i32.store (i32.const 8) (call $input_len)))
      (start $start)
      (func (export "apply") (result i32) (drop (call $kv_set (i32.const 8) (i32.const 4) (i32.const 8) (i32.const 4))) (i32.const 0))
      ${STUB_EXPORTS})`);
    const { reused, fresh } = await machines(bytes);
    for (const body of [[1], [1, 2, 3], [1]]) {
      const a = reused.apply(applyInput(body), new MemoryState());
      expect(new DataView(a.writes[0]!.value!.buffer).getUint32(0, true)).toBe(84 + body.length);
      expect(fresh.apply(applyInput(body), new MemoryState())).toEqual(a);
    }
  });

  it('a start function that traps is the outcome of every call', async () => {
    const limits = { ...DEFAULT_LIMITS, fuel: 1_000_000 };
    const { reused } = await machines(await fixture('start-loop'), limits);
    for (let i = 0; i < 3; i++) expect(reused.apply(applyInput([]), new MemoryState())).toMatchObject({ code: REJECTION.E_FUEL_EXHAUSTED, fuel: 1_000_000 });
  });
});

/** A seeded xorshift: the same history on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Every outcome of a call, a thrown refusal included, as plain data. */
function outcome(run: () => unknown): unknown {
  try {
    return { ok: run() };
  } catch (e) {
    const err = e as { code?: string; message?: string; details?: unknown };
    return { error: err.code, message: err.message, details: err.details };
  }
}

/** applyInput with the i-th hash and timestamp of a run (the helper's differ between runs). */
const nthInput = (body: Uint8Array | number[], i: number): ApplyInput => {
  const a = applyInput(body);
  new DataView(a.hash.buffer).setUint32(0, i);
  return { ...a, intention: { ...a.intention, timestamp: { wallMs: 1_700_000_000_000 + i, counter: 0 } } };
};

const digest = (state: MemoryState): string => createHash('sha256').update(state.dump().join()).digest('hex');

describe('determinism: a reused instance and a fresh instance per call agree', () => {
  const history = async (bytes: Uint8Array, seed: number, n: number, step: (r: () => number, sm: WasmStateMachine, state: MemoryState, i: number) => unknown, limits?: ConsensusLimits) => {
    const { reused, fresh } = await machines(bytes, limits);
    const run = (sm: WasmStateMachine): unknown[] => {
      const r = random(seed);
      const state = new MemoryState();
      return Array.from({ length: n }, (_, i) => [outcome(() => step(r, sm, state, i)), digest(state)]);
    };
    const a = run(reused);
    expect(a).toEqual(run(fresh));
    expect(reused.instantiations).toBeLessThan(fresh.instantiations);
    return a;
  };

  const commit = (state: MemoryState, o: ApplyOutcome): ApplyOutcome => {
    if (o.code === 0) state.commit(o.writes);
    return o;
  };

  it('demo:counter and core:kvstore over random commands, applies (malformed ones too) and queries', async () => {
    for (const name of ['counter', 'kv']) {
      const bytes = (await buildModule(join(ROOT, 'modules', name), { write: false })).bytes;
      await history(bytes, name.length, 300, (r, sm, state, i) => {
        const key = `k${Math.floor(r() * 8)}`;
        const x = r();
        if (name === 'counter') {
          if (x < 0.15) return sm.command({ method: 'increment', args: encodeArgs([val.string(key), val.i64(BigInt(Math.floor(r() * 100)))]) }, state, commandContext());
          if (x < 0.3) return sm.query({ method: r() < 0.5 ? 'get' : 'list', args: encodeArgs(r() < 0.5 ? [val.string(key)] : []) }, state);
          if (x < 0.4) return commit(state, sm.apply(nthInput(Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256)), i), state));
          return commit(state, sm.apply(nthInput(encodeValue(val.list([val.bytes(new TextEncoder().encode(key)), val.i64(BigInt(Math.floor(r() * 2000) - 1000))])), i), state));
        }
        if (x < 0.15) return sm.command({ method: 'put', args: encodeArgs([val.string(key), val.string('v'.repeat(Math.floor(r() * 200)))]) }, state, commandContext());
        if (x < 0.3) return sm.query({ method: 'get', args: encodeArgs([val.string(key)]) }, state);
        const c = outcome(() => sm.command({ method: r() < 0.7 ? 'put' : 'delete', args: encodeArgs([val.string(key), val.string('x'.repeat(Math.floor(r() * 100)))]) }, state, commandContext())) as { ok?: { appends: { body: Uint8Array }[] } };
        const body = c.ok?.appends[0]?.body ?? Uint8Array.from([1, 2, 3]);
        return commit(state, sm.apply(nthInput(body, i), state));
      });
    }
  }, 60_000);

  it('the hostile fixture and the sticky module over random ops, traps included', async () => {
    const hostile = await history(await fixture('hostile'), 7, 200, (r, sm, state, i) => commit(state, sm.apply(nthInput([Math.floor(r() * 16)], i), state)), { ...DEFAULT_LIMITS, fuel: 3_000_000 });
    expect(hostile.length).toBe(200);
    await history(await wat(STICKY_WAT), 11, 200, (r, sm, state, i) => commit(state, sm.apply(nthInput([Math.floor(r() * 8)], i), state)), { ...DEFAULT_LIMITS, fuel: 3_000_000 });
  }, 60_000);
});
