// core:kvstore semantics (DESIGN §4.3) on a direct ABI harness: supersession by condition, concurrent heads and the
// (hlc, author, hash) winner (written by apply as a winner entry), tombstones, batch atomicity, list/prefix, argument errors, and convergence of random
// concurrent histories across shuffled causal orders.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeValue, val } from '../../../abi/values.js';
import { checkOrders, Cluster, runModuleTest, type HarnessIntention } from '../../../host/node/module-harness.js';
import { blake3, encodeAppOps, encodeIntention, toHex, utf8, type Intention, type NodeId, type StoreId } from '../../../host/model/index.js';
import { machineFactory, ROOT } from './built.js';
import type { StateMachine } from '../../../host/kernel/state-machine.js';

let machine: () => StateMachine;
beforeAll(async () => { machine = await machineFactory(join(ROOT, 'modules', 'kv')); });

type Head = [string, string, string, boolean, string];

describe('core:kvstore', () => {
  it('a put supersedes what its author saw: get shows the new winner, the old value is gone', () => {
    const c = new Cluster(machine);
    c.exec('a', 'put', ['k', 'one']);
    c.exec('a', 'put', ['k', 'two']);
    const got = JSON.stringify(c.query('a', 'get', ['k']));
    expect(got).toBe('["two",false]');
    expect(got).not.toContain('one');
    const heads = c.query('a', 'heads', ['k']) as Head[];
    expect(heads.length).toBe(1);
    expect(heads[0]![4]).toBe('two');
    expect(JSON.stringify(heads)).not.toContain('"one"');
    // The second put names the first as its condition.
    expect(c.intentions[1]!.intention.condition.map(toHex)).toEqual([toHex(c.intentions[0]!.hash)]);
  });

  it('concurrent puts are both heads; the winner is max (hlc, author, hash); a later put that saw both resolves it', () => {
    const c = new Cluster(machine);
    c.exec('a', 'put', ['k', 'from-a']);
    c.exec('b', 'put', ['k', 'from-b']); // later HLC
    c.sync();
    for (const n of ['a', 'b']) expect(c.query(n, 'get', ['k'])).toEqual(['from-b', true]);
    const heads = c.query('a', 'heads', ['k']) as Head[];
    expect(heads.map((h) => h[4])).toEqual(['from-b', 'from-a']); // winner first
    c.exec('a', 'put', ['k', 'merged']);
    expect(c.intentions[2]!.intention.condition.length).toBe(2);
    c.sync();
    for (const n of ['a', 'b']) expect(c.query(n, 'get', ['k'])).toEqual(['merged', false]);
    expect(checkOrders(machine, c.intentions, 8)).toBeNull();
  });

  it('breaks an HLC tie by author, then hash', () => {
    const c = new Cluster(machine);
    const [x] = c.exec('a', 'put', ['k', 'x']);
    const [y] = c.exec('b', 'put', ['k', 'y']);
    // Re-stamp both with the same HLC and replay them on a fresh pair of replicas.
    const same = (i: HarnessIntention): HarnessIntention => {
      const intention: Intention = { ...i.intention, timestamp: { wallMs: 5, counter: 0 } };
      return { intention, body: i.body, hash: blake3(encodeIntention(intention)) };
    };
    const d = new Cluster(machine);
    const r = d.replica('r');
    r.apply(same(x!));
    r.apply(same(y!));
    const winner = toHex(x!.intention.author) > toHex(y!.intention.author) ? 'x' : 'y';
    expect(d.query('r', 'get', ['k'])).toEqual([winner, true]);
    // The winner is part of the state: the entry "k" names the winning head's hash, whichever was applied first.
    const winning = toHex(same(winner === 'x' ? x! : y!).hash);
    expect(toHex(r.get(utf8('k'))!)).toBe(winning);
    const e = new Cluster(machine).replica('r');
    e.apply(same(y!));
    e.apply(same(x!));
    expect(toHex(e.get(utf8('k'))!)).toBe(winning);
    expect(e.snapshot()).toBe(r.snapshot());
  });

  it('delete leaves a tombstone head: get is [], list omits the key, heads show it; a concurrent put stays a head', () => {
    const c = new Cluster(machine);
    c.exec('a', 'put', ['k', 'v1']);
    c.exec('a', 'put', ['other', 'o']);
    c.sync();
    c.exec('b', 'put', ['k', 'v2']); // concurrent with the delete below, both saw v1
    c.exec('a', 'delete', ['k']); // later HLC: the tombstone wins
    expect(c.query('a', 'get', ['k'])).toEqual([]);
    expect(c.query('a', 'list')).toEqual([['other', 'o']]);
    c.sync();
    for (const n of ['a', 'b']) {
      expect(c.query(n, 'get', ['k'])).toEqual([]);
      expect((c.query(n, 'heads', ['k']) as Head[]).map((h) => [h[3], h[4]])).toEqual([[true, ''], [false, 'v2']]);
    }
    c.exec('b', 'put', ['k', 'v3']);
    c.sync();
    expect(c.query('a', 'get', ['k'])).toEqual(['v3', false]);
    expect(checkOrders(machine, c.intentions, 8)).toBeNull();
  });

  it('batch writes several keys in one intention whose condition is the union of their heads', () => {
    const c = new Cluster(machine);
    c.exec('a', 'put', ['a', '0']);
    c.exec('a', 'put', ['c', '0']);
    const made = c.exec('a', 'batch', ['put:a=1', 'put:b=x=y', 'del:c']);
    expect(made.length).toBe(1);
    expect(made[0]!.intention.condition.length).toBe(2);
    expect(c.query('a', 'list')).toEqual([['a', '1'], ['b', 'x=y']]);
    // A JSON array is accepted as the single list argument too.
    c.exec('a', 'batch', ['["put:d=4"]']);
    expect(c.query('a', 'get', ['d'])).toEqual(['4', false]);
  });

  it('refuses malformed batches, duplicate keys, NUL and empty keys, unknown methods', () => {
    const r = runModuleTest(machine, { steps: [
      { exec: 'batch', args: ['put:a=1', 'del:a'], expectError: 'E_BAD_ARGUMENT' },
      { exec: 'batch', args: ['set:a=1'], expectError: 'E_BAD_ARGUMENT' },
      { exec: 'batch', args: ['put:a'], expectError: 'E_BAD_ARGUMENT' },
      { exec: 'batch', args: [], expectError: 'E_BAD_ARGUMENT' },
      { exec: 'put', args: ['', 'v'], expectError: 'E_BAD_ARGUMENT' },
      { exec: 'put', args: ['a\u0000b', 'v'], expectError: 'E_BAD_ARGUMENT' },
      { exec: 'put', args: ['k'], expectError: 'E_BAD_ARGUMENT' },
      { exec: 'rename', args: ['k'], expectError: 'E_UNKNOWN_METHOD' },
      { query: 'list' , expect: [] },
    ] });
    expect(r.failures).toEqual([]);
    expect(r.intentions).toBe(0);
  });

  it('apply rejects a whole intention when one of its ops is bad (atomic), and malformed app bytes', () => {
    const c = new Cluster(machine);
    const r = c.replica('a');
    let n = 0;
    const craft = (body: Uint8Array): HarnessIntention => {
      const intention: Intention = {
        author: blake3(utf8('x')) as unknown as NodeId, timestamp: { wallMs: 10 + ++n, counter: 0 },
        storeId: new Uint8Array(16) as StoreId, storePrev: new Uint8Array(32) as never, condition: [], ops: encodeAppOps(body),
      };
      return { intention, body, hash: blake3(encodeIntention(intention)) };
    };
    const put = (k: string, v: string) => val.list([val.string('put'), val.string(k), val.string(v)]);
    const first = craft(encodeValue(val.list([put('a', '1'), put('b', '2')])));
    const ok = r.apply(first);
    expect(ok.code).toBe(0);
    // Per key: its head (key ‖ 0x00 ‖ hash) and its winner entry (key → the winning head's hash).
    const hash = toHex(first.hash);
    expect(ok.writes.map((w) => [toHex(w.key), w.value === null ? null : toHex(w.value)]).sort()).toEqual([
      [toHex(utf8('a')), hash], [`${toHex(utf8('a'))}00${hash}`, expect.any(String)],
      [toHex(utf8('b')), hash], [`${toHex(utf8('b'))}00${hash}`, expect.any(String)],
    ]);
    for (const bad of [
      encodeValue(val.list([put('c', '3'), put('bad\u0000key', '4')])),
      encodeValue(val.list([put('c', '3'), put('c', '4')])),
      encodeValue(val.list([put('c', '3'), val.list([val.string('put'), val.string('d')])])),
      encodeValue(val.list([])),
      encodeValue(val.string('put')),
      new Uint8Array([6, 255, 255, 255, 255]),
      new Uint8Array(0),
    ]) {
      const out = r.apply(craft(bad));
      expect(out.code).toBeGreaterThan(0);
      expect(out.writes).toEqual([]);
    }
    expect(c.query('a', 'list')).toEqual([['a', '1'], ['b', '2']]);
  });

  it('takes keys up to 991 bytes and values up to 65,491 bytes (a head entry stays within the state limits)', () => {
    const c = new Cluster(machine);
    const key = 'k'.repeat(991);
    const value = 'v'.repeat(65_491);
    c.exec('a', 'put', [key, value]);
    expect(c.query('a', 'get', [key])).toEqual([value, false]);
    expect(c.replica('a').results.get(toHex(c.intentions[0]!.hash))).toBe(0);
    const r = runModuleTest(machine, { steps: [
      { exec: 'put', args: ['k'.repeat(992), 'v'], expectError: 'E_BAD_ARGUMENT' },
      { exec: 'put', args: ['k', 'v'.repeat(65_492)], expectError: 'E_BAD_ARGUMENT' },
    ] });
    expect(r.failures).toEqual([]);
  });

  it('list filters by prefix and keeps key order; keys that extend another key stay separate', () => {
    const c = new Cluster(machine);
    for (const k of ['b', 'ab', 'a', 'a\u0001', 'abc']) c.exec('a', 'put', [k, `v-${k}`]);
    c.exec('a', 'delete', ['abc']);
    expect(c.query('a', 'list')).toEqual([['a', 'v-a'], ['a\u0001', 'v-a\u0001'], ['ab', 'v-ab'], ['b', 'v-b']]);
    expect(c.query('a', 'list', ['ab'])).toEqual([['ab', 'v-ab']]);
    expect(c.query('a', 'list', ['zz'])).toEqual([]);
    expect(c.query('a', 'get', ['a'])).toEqual(['v-a', false]);
  });

  it('list and get read the winner entry; a key with several heads is listed once, with its winner', () => {
    const c = new Cluster(machine);
    c.exec('a', 'put', ['a', 'first']);
    c.sync();
    c.exec('a', 'put', ['m', 'from-a']);
    c.exec('b', 'put', ['m', 'from-b']); // later HLC: wins
    c.exec('c', 'put', ['m', 'from-c']); // later still: wins
    c.exec('b', 'delete', ['a']);
    c.exec('a', 'put', ['z', 'last']);
    c.sync();
    for (const n of ['a', 'b', 'c']) {
      expect((c.query(n, 'heads', ['m']) as Head[]).map((h) => h[4])).toEqual(['from-c', 'from-b', 'from-a']);
      expect(c.query(n, 'get', ['m'])).toEqual(['from-c', true]);
      expect(c.query(n, 'list')).toEqual([['m', 'from-c'], ['z', 'last']]);
      expect(c.query(n, 'list', ['m'])).toEqual([['m', 'from-c']]);
      expect(c.query(n, 'get', ['a'])).toEqual([]);
    }
    expect(checkOrders(machine, c.intentions, 8)).toBeNull();
  });

  it('converges: random concurrent puts, deletes and batches on 4 nodes with partial syncs, in 16 causal orders', () => {
    let seed = 7;
    // mulberry32: well-mixed low bits (a plain LCG's low bits cycle and would pick one node only).
    const rnd = (n: number): number => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
    };
    const c = new Cluster(machine);
    const nodes = ['a', 'b', 'c', 'd'];
    const writers = new Set<string>();
    const keys = ['k1', 'k2', 'k3'];
    for (let step = 0; step < 60; step++) {
      const node = nodes[rnd(4)]!;
      writers.add(node);
      const k = keys[rnd(3)]!;
      const what = rnd(10);
      if (what < 5) c.exec(node, 'put', [k, `${node}${step}`]);
      else if (what < 7) c.exec(node, 'delete', [k]);
      else if (what < 8) c.exec(node, 'batch', [`put:${k}=${node}${step}`, `del:${keys[(keys.indexOf(k) + 1) % 3]}`]);
      else c.sync([nodes[rnd(4)]!, nodes[rnd(4)]!]);
    }
    expect(writers.size).toBe(4);
    const concurrent = c.intentions.filter((i) => i.intention.condition.length > 1).length;
    expect(concurrent).toBeGreaterThan(0); // some writes saw concurrent heads
    c.sync();
    const states = nodes.map((n) => c.replica(n).snapshot());
    expect(states[0]!.length).toBeGreaterThan(0);
    expect(new Set(states).size).toBe(1);
    const views = nodes.map((n) => JSON.stringify([c.query(n, 'list'), keys.map((k) => c.query(n, 'heads', [k]))]));
    expect(new Set(views).size).toBe(1);
    expect(checkOrders(machine, c.intentions, 16)).toBeNull();
  });
});
