// Host functions against a real guest: the overlay (read-your-writes, deletes, kv_next merging overlay and state
// in byte order), the sorted write set, and refusals of oversized frames at validation.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, REJECTION, type Hash } from '../../../host/model/index.js';
import { createMemoryCasTable, createRuntime, lintModule, ModuleCas } from '../../../host/runtime/index.js';
import { applyInput, commandContext, MemoryState, noArgs } from './helpers.js';
import { STUB_EXPORTS, wat } from './wat.js';

const scan = `(module
  (import "lattice_v1" "kv_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "lattice_v1" "kv_del" (func $del (param i32 i32) (result i32)))
  (import "lattice_v1" "kv_get" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "lattice_v1" "kv_next" (func $next (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 0) "bcseenX")
  (func (export "apply") (result i32) (local $len i32) (local $n i32)
    (drop (call $set (i32.const 0) (i32.const 1) (i32.const 6) (i32.const 1)))
    (drop (call $del (i32.const 1) (i32.const 1)))
    ;; every live key's first byte, in order, from kv_next over the overlay and the state
    (local.set $len (call $next (i32.const 100) (i32.const 0) (i32.const 100) (i32.const 16)))
    (block $done (loop $l
      (br_if $done (i32.lt_s (local.get $len) (i32.const 0)))
      (i32.store8 (i32.add (i32.const 200) (local.get $n)) (i32.load8_u (i32.const 100)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (local.set $len (call $next (i32.const 100) (local.get $len) (i32.const 100) (i32.const 16)))
      (br $l)))
    ;; then kv_get of the key set here (length 1) and of the key deleted here (-1)
    (i32.store8 (i32.add (i32.const 200) (local.get $n)) (call $get (i32.const 0) (i32.const 1) (i32.const 300) (i32.const 4)))
    (i32.store8 (i32.add (i32.const 201) (local.get $n)) (call $get (i32.const 1) (i32.const 1) (i32.const 300) (i32.const 4)))
    (call $set (i32.const 2) (i32.const 4) (i32.const 200) (i32.add (local.get $n) (i32.const 2))))
  ${STUB_EXPORTS})`;

describe('host functions', () => {
  it('kv_next merges overlay and state in byte order; kv_get reads the call’s own writes; writes come sorted', async () => {
    const cas = new ModuleCas(createMemoryCasTable());
    const sm = await createRuntime({ cas }).load(await cas.putModule(await wat(scan)), DEFAULT_LIMITS);
    const state = new MemoryState();
    for (const k of ['a', 'c', 'd']) state.entries.set(k, new Uint8Array([1]));
    const out = sm.apply(applyInput([]), state);
    expect(out.code).toBe(0);
    const writes = out.writes.map((w) => [Buffer.from(w.key).toString(), w.value === null ? null : Array.from(w.value)]);
    expect(writes).toEqual([
      ['b', [0x58]],
      ['c', null],
      ['seen', [0x61, 0x62, 0x64, 1, 0xff]],
    ]);
  });

  it('a function whose frame outweighs MAX_FRAME_WEIGHT is refused at lint', async () => {
    const locals = Array(9000).fill('i64').join(' ');
    const bytes = await wat(`(module (memory (export "memory") 1 1)
      (func (export "apply") (result i32) (local ${locals}) (i32.const 0)) ${STUB_EXPORTS})`);
    await expect(lintModule(bytes, DEFAULT_LIMITS)).rejects.toMatchObject({ code: 'E_MODULE_INVALID', message: expect.stringMatching(/frame too large/) });
  });

  it('log_append sorts and deduplicates deps and answers with statuses; get_head and debug work in a command', async () => {
    const hashes = (...bytes: number[]): string => bytes.map((x) => `\\${x.toString(16).padStart(2, '0')}`.repeat(32)).join('');
    const bytes = await wat(`(module
      (import "lattice_v1" "log_append" (func $append (param i32 i32 i32 i32) (result i32)))
      (import "lattice_v1" "get_head" (func $head (param i32) (result i32)))
      (import "lattice_v1" "output" (func $output (param i32 i32) (result i32)))
      (import "lattice_v1" "debug" (func $debug (param i32 i32 i32) (result i32)))
      (memory (export "memory") 1 1)
      (data (i32.const 0) "hello")
      (data (i32.const 1000) "${hashes(2, 1, 2, 0xee)}")
      (func (export "apply") (result i32) (i32.const 0))
      (func (export "query") (result i32) (i32.const 0))
      (func (export "describe") (result i32) (i32.const 0))
      (func (export "command") (result i32)
        (drop (call $debug (i32.const 1) (i32.const 0) (i32.const 5)))
        (drop (call $head (i32.const 2000)))
        (i32.store (i32.const 2032) (call $append (i32.const 0) (i32.const 5) (i32.const 1000) (i32.const 3)))
        (i32.store (i32.const 2036) (call $append (i32.const 0) (i32.const 5) (i32.const 1096) (i32.const 1)))
        (i32.store (i32.const 2040) (call $append (i32.const 0) (i32.const 5) (i32.const 1000) (i32.const 1025)))
        (call $output (i32.const 2000) (i32.const 44))))`);
    const cas = new ModuleCas(createMemoryCasTable());
    const sm = await createRuntime({ cas }).load(await cas.putModule(bytes), DEFAULT_LIMITS);
    const out = sm.command({ method: 'x', args: noArgs }, new MemoryState(), commandContext((h: Hash) => h[0] !== 0xee));
    const o = out.output!;
    expect(Array.from(o.subarray(0, 32))).toEqual(Array(32).fill(9));
    expect(Array.from(new Int32Array(o.slice(32).buffer))).toEqual([0, -5, -4]);
    expect(out.appends).toEqual([{ body: new TextEncoder().encode('hello'), deps: [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)] }]);
    expect(out.debug).toEqual(['[1] hello']);
  });

  it('writes over MAX_OVERLAY in one call trap E_MEMORY_LIMIT', async () => {
    const bytes = await wat(`(module
      (import "lattice_v1" "kv_set" (func $set (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 2 2)
      (func (export "apply") (result i32) (local $i i32)
        (loop $l
          (i32.store (i32.const 70000) (local.get $i))
          (drop (call $set (i32.const 70000) (i32.const 4) (i32.const 0) (i32.const 65536)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 200))))
        (i32.const 0))
      ${STUB_EXPORTS})`);
    const cas = new ModuleCas(createMemoryCasTable());
    const sm = await createRuntime({ cas }).load(await cas.putModule(bytes), DEFAULT_LIMITS);
    const out = sm.apply(applyInput([]), new MemoryState());
    expect(out).toMatchObject({ code: REJECTION.E_MEMORY_LIMIT, writes: [] });
  });
});
