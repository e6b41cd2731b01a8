// The shipped modules (modules/*/build/*.wasm, built from AssemblyScript by the pinned asc) through the runtime:
// they pass the lint, their CIDs are the committed ones, and command → apply → query round-trips with fuel that is
// the same on every run. (Golden fuel figures are pinned once the modules settle.)
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeArgs, val } from '../../../abi/values.js';
import { cidToString, DEFAULT_LIMITS, ZERO_HASH, type Hash } from '../../../host/model/index.js';
import { createMemoryCasTable, createRuntime, lintModule, ModuleCas, type WasmStateMachine } from '../../../host/runtime/index.js';
import { applyInput, commandContext, MemoryState } from './helpers.js';

const root = new URL('../../../modules/', import.meta.url);
const cids = JSON.parse(readFileSync(new URL('cids.json', root), 'utf8')) as Record<string, string>;
const built = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`${name}/build/${name}.wasm`, root)));
const have = existsSync(new URL('counter/build/counter.wasm', root)) && existsSync(new URL('kv/build/kv.wasm', root));

async function load(name: string): Promise<{ sm: WasmStateMachine; cid: string }> {
  const bytes = built(name);
  await lintModule(bytes, DEFAULT_LIMITS);
  const cas = new ModuleCas(createMemoryCasTable());
  const cid = await cas.putModule(bytes);
  return { sm: await createRuntime({ cas }).load(cid, DEFAULT_LIMITS), cid: cidToString(cid) };
}

/** Runs a command, then applies each op it appended; returns the apply outcomes. */
function exec(sm: WasmStateMachine, state: MemoryState, method: string, args: Parameters<typeof encodeArgs>[0]) {
  const c = sm.command({ method, args: encodeArgs(args) }, state, commandContext());
  expect(c.appends.length).toBeGreaterThan(0);
  return c.appends.map((a) => {
    const out = sm.apply(applyInput(a.body), state);
    if (out.code === 0) state.commit(out.writes);
    return out;
  });
}

describe.runIf(have)('shipped modules', () => {
  it('demo:counter: lint, committed CID, describe, increment → apply → get, deterministic fuel', async () => {
    const { sm, cid } = await load('counter');
    expect(cid).toBe(cids['demo:counter']);
    expect(sm.describe().name).toBe('demo:counter');
    const runs = [new MemoryState(), new MemoryState()].map((state) => {
      const applied = [...exec(sm, state, 'increment', [val.string('a'), val.i64(5)]), ...exec(sm, state, 'decrement', [val.string('a')])];
      expect(applied.map((o) => o.code)).toEqual([0, 0]);
      const q = sm.query({ method: 'get', args: encodeArgs([val.string('a')]) }, state);
      expect(decodeValue(q.output!)).toEqual({ ok: true, value: val.i64(4) });
      return applied.map((o) => o.fuel).concat(q.fuel);
    });
    expect(runs[1]).toEqual(runs[0]);
    expect(() => sm.query({ method: 'nope', args: encodeArgs([]) }, new MemoryState())).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_METHOD' }));
    expect(() => sm.command({ method: 'increment', args: encodeArgs([]) }, new MemoryState(), commandContext())).toThrow(expect.objectContaining({ code: 'E_BAD_ARGUMENT' }));
  });

  it('core:kvstore: lint, committed CID, put → apply → get', async () => {
    const { sm, cid } = await load('kv');
    expect(cid).toBe(cids['core:kvstore']);
    expect(sm.describe().name).toBe('core:kvstore');
    const state = new MemoryState();
    const witnessed = (h: Hash): boolean => h.length === 32 && !h.every((x, i) => x === ZERO_HASH[i]);
    const c = sm.command({ method: 'put', args: encodeArgs([val.string('k'), val.string('v')]) }, state, commandContext(witnessed));
    const applied = c.appends.map((a) => sm.apply(applyInput(a.body), state));
    expect(applied.map((o) => o.code)).toEqual([0]);
    state.commit(applied[0]!.writes);
    const q = sm.query({ method: 'get', args: encodeArgs([val.string('k')]) }, state);
    expect(decodeValue(q.output!)).toEqual({ ok: true, value: val.list([val.string('v'), val.bool(false)]) });
  });
});
