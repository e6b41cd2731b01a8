// Golden fuel (DESIGN §4.1): fuel decides consensus (a call that runs out is rejected on every node), so the
// metering of the shipped modules is pinned. A change to the instrumenter, binaryen, asc or a module's source that
// moves these numbers must bump INSTRUMENTER_VERSION or the module's CID deliberately, never silently.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { encodeArgs, val } from '../../../abi/values.js';
import type { ApplyInput } from '../../../host/kernel/state-machine.js';
import { cidToString, DEFAULT_LIMITS, NodeKey, ZERO_HASH, type Hash, type StoreId } from '../../../host/model/index.js';
import { createMemoryCasTable, createRuntime, INSTRUMENTER_VERSION, ModuleCas } from '../../../host/runtime/index.js';
import { MapState } from '../../conformance/state-machine.js';

/**
 * Measured once and pinned; see the header for when they may change. kv: re-measured when its apply began writing
 * each key's winner entry (core:kvstore 1.1.0, a new CID); it was command 12591, apply 12427, query 9741.
 */
const GOLDEN = {
  counter: { command: 7726, apply: 6099, query: 5159 },
  kv: { command: 12555, apply: 12642, query: 10156 },
};

const root = join(import.meta.dirname, '../../..');
const cids = JSON.parse(readFileSync(join(root, 'modules', 'cids.json'), 'utf8')) as Record<string, string>;
const author = NodeKey.fromSeed(new Uint8Array(32).fill(1)).publicKey;

async function machine(name: string) {
  const cas = new ModuleCas(createMemoryCasTable());
  const cid = await cas.putModule(new Uint8Array(readFileSync(join(root, 'modules', name, 'build', `${name}.wasm`))));
  return { cid: cidToString(cid), m: await createRuntime({ cas }).load(cid, DEFAULT_LIMITS) };
}

const input = (body: Uint8Array, deps: Hash[] = []): ApplyInput => ({
  hash: new Uint8Array(32).fill(9) as Hash,
  body,
  intention: { author, timestamp: { wallMs: 1_700_000_000_000, counter: 0 }, storeId: new Uint8Array(16) as StoreId, storePrev: ZERO_HASH, condition: deps, ops: Uint8Array.of(0, ...body) },
});

/** Fuel of: the command, its first append applied to an empty state, and the query after it. */
async function fuelOf(name: string, command: string, commandArgs: string[], query: string, queryArgs: string[]) {
  const { cid, m } = await machine(name);
  const state = new MapState();
  const c = m.command({ method: command, args: encodeArgs(commandArgs.map((a) => val.string(a))) }, state, { head: ZERO_HASH, isWitnessed: () => true });
  const a = m.apply(input(c.appends[0]!.body, [...c.appends[0]!.deps]), state);
  state.apply(a.writes);
  const q = m.query({ method: query, args: encodeArgs(queryArgs.map((x) => val.string(x))) }, state);
  return { cid, command: c.fuel, apply: a.fuel, query: q.fuel };
}

it('pins the metering version', () => {
  // 1.1, 1.2: the restore exports for instance reuse (1.2: float globals by their bits); the fuel below is that of 1
  expect(INSTRUMENTER_VERSION).toBe('lattice-meter/1.2+binaryen-132.0.0');
});

it('demo:counter: golden fuel for increment, its apply and get', async () => {
  const f = await fuelOf('counter', 'increment', ['hits'], 'get', ['hits']);
  expect(f.cid).toBe(cids['demo:counter']);
  expect(f).toEqual({ cid: cids['demo:counter'], command: GOLDEN.counter.command, apply: GOLDEN.counter.apply, query: GOLDEN.counter.query });
});

it('core:kvstore: golden fuel for put, its apply and get', async () => {
  const f = await fuelOf('kv', 'put', ['alpha', 'one'], 'get', ['alpha']);
  expect(f).toEqual({ cid: cids['core:kvstore'], command: GOLDEN.kv.command, apply: GOLDEN.kv.apply, query: GOLDEN.kv.query });
});
