// Mutated modules (random byte flips of a valid one, fixed seed): lint and load answer only with typed errors, and
// whatever loads runs to a typed outcome: nothing a module's bytes say may become a host fault.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LatticeError } from '../../../host/model/index.js';
import { createMemoryCasTable, createRuntime, lintModule, ModuleCas } from '../../../host/runtime/index.js';
import { applyInput, MemoryState } from './helpers.js';
import { fixture } from './wat.js';

describe('mutated modules', () => {
  it('300 mutations of the hostile module: typed refusals or typed outcomes, and binaryen keeps working', async () => {
    const base = await fixture('hostile');
    const limits = { ...DEFAULT_LIMITS, fuel: 200_000 };
    const cas = new ModuleCas(createMemoryCasTable());
    const runtime = createRuntime({ cas });
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const seen = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const b = base.slice();
      for (let k = 0; k <= Math.floor(rnd() * 3); k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      let outcome: string;
      try {
        await lintModule(b, limits);
        const sm = await runtime.load(await cas.putModule(b), limits);
        outcome = `applied:${sm.apply(applyInput([i % 16]), new MemoryState()).code}`;
      } catch (e) {
        expect(e).toBeInstanceOf(LatticeError);
        expect((e as LatticeError).code).not.toBe('E_HOST_FAULT');
        outcome = (e as LatticeError).code;
      }
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    }
    expect(seen.get('E_MODULE_INVALID')).toBeGreaterThan(0);
    expect([...seen.keys()].some((k) => k.startsWith('applied:'))).toBe(true);
    // the unmutated module still instruments and runs after all of that
    const sm = await runtime.load(await cas.putModule(base), DEFAULT_LIMITS);
    expect(sm.apply(applyInput([0]), new MemoryState()).code).toBe(0);
  });
});
