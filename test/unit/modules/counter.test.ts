// demo:counter semantics on a direct ABI harness: increments and decrements, defaults, canonical zero, list, argument
// errors, and convergence across delivery orders (deltas commute).
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runModuleTest, type ModuleTestFile } from '../../../host/node/module-harness.js';
import { machineFactory, ROOT } from './built.js';
import type { StateMachine } from '../../../host/kernel/state-machine.js';

let machine: () => StateMachine;
beforeAll(async () => { machine = await machineFactory(join(ROOT, 'modules', 'counter')); });

const run = (file: ModuleTestFile) => runModuleTest(machine, file);

describe('demo:counter', () => {
  it('describes itself as demo:counter with its four methods', () => {
    const d = machine().describe();
    expect(d.name).toBe('demo:counter');
    expect(d.methods.map((m) => `${m.kind}:${m.name}`)).toEqual(['command:increment', 'command:decrement', 'query:get', 'query:list']);
  });

  it('increments by 1 by default and by the given amount, decrements, and reads 0 for an absent key', () => {
    const r = run({ steps: [
      { exec: 'increment', args: ['a'] },
      { exec: 'increment', args: ['a', '41'] },
      { exec: 'decrement', args: ['b', '5'] },
      { query: 'get', args: ['a'], expect: 42 },
      { query: 'get', args: ['b'], expect: -5 },
      { query: 'get', args: ['nobody'], expect: 0 },
      { query: 'list', expect: [['a', 42], ['b', -5]] },
    ] });
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.intentions).toBe(3);
  });

  it('deletes a counter that returns to 0, so list omits it (canonical state)', () => {
    const r = run({ steps: [
      { exec: 'increment', args: ['a', '3'] },
      { exec: 'decrement', args: ['a', '3'] },
      { exec: 'increment', args: ['b'] },
      { query: 'list', expect: [['b', 1]] },
    ] });
    expect(r.failures).toEqual([]);
  });

  it('wraps at the i64 bounds the same in every order', () => {
    const r = run({ steps: [
      { exec: 'increment', args: ['x', '9223372036854775807'] },
      { exec: 'increment', args: ['x', '1'] },
      { query: 'get', args: ['x'], expect: '-9223372036854775808' },
    ] });
    expect(r.failures).toEqual([]);
  });

  it('refuses unknown methods and bad arguments with typed errors', () => {
    const r = run({ steps: [
      { exec: 'frobnicate', args: ['a'], expectError: 'E_UNKNOWN_METHOD' },
      { exec: 'increment', args: [], expectError: 'E_BAD_ARGUMENT' },
      { exec: 'increment', args: ['a', 'many'], expectError: 'E_BAD_ARGUMENT' },
      { query: 'increment', args: ['a'], expectError: 'E_UNKNOWN_METHOD' },
    ] });
    expect(r.failures).toEqual([]);
    expect(r.intentions).toBe(0);
  });

  it('converges: concurrent increments on three nodes, replayed in shuffled causal orders', () => {
    const steps = [];
    const totals = [0, 0];
    for (let i = 0; i < 12; i++) {
      const dec = i % 4 === 0;
      steps.push({ node: ['a', 'b', 'c'][i % 3]!, exec: dec ? 'decrement' : 'increment', args: [`k${i % 2}`, String(i)] });
      totals[i % 2]! += dec ? -i : i;
    }
    expect(totals).toEqual([6, 36]);
    const r = run({ orders: 12, steps: [
      ...steps,
      { node: 'a', query: 'get', args: ['k1'], expect: 3 + 9 }, // before sync a has only its own (i = 3, 9)
      { sync: true },
      { node: 'c', query: 'get', args: ['k0'], expect: 6 },
      { node: 'a', query: 'get', args: ['k1'], expect: 36 },
    ] });
    expect(r.failures).toEqual([]);
    expect(r.divergence).toBeNull();
  });
});
