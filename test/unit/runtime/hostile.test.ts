// Hostile modules run through WasmStateMachine: each misbehaviour ends in its typed deterministic rejection (same
// code and same fuel on a second run), writes of a trapped call never survive, and the same state machine keeps
// working afterwards.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, isLatticeError, REJECTION } from '../../../host/model/index.js';
import { applyInput, commandContext, loadFixture, MemoryState, noArgs } from './helpers.js';

const { sm } = await loadFixture('hostile');

function increment(state: MemoryState): void {
  const before = state.get(new TextEncoder().encode('n'));
  const out = sm.apply(applyInput([0]), state);
  expect(out.code).toBe(0);
  state.commit(out.writes);
  const n = (v: Uint8Array | undefined): number => (v === undefined ? 0 : new DataView(v.buffer, v.byteOffset).getUint32(0, true));
  expect(n(state.get(new TextEncoder().encode('n')))).toBe(n(before) + 1);
}

const cases: [op: number, what: string, code: number, message?: RegExp][] = [
  [1, 'infinite loop', REJECTION.E_FUEL_EXHAUSTED],
  [2, 'unbounded recursion', REJECTION.E_DEPTH_EXCEEDED],
  [3, 'memory.grow bomb', REJECTION.E_MEMORY_LIMIT],
  [4, 'abort with a message', REJECTION.E_GUEST_ABORT, /^boom \(file\.ts:12:3\)$/],
  [5, 'out-of-bounds load', REJECTION.E_GUEST_TRAP],
  [6, 'key over MAX_KEY', REJECTION.E_KEY_TOO_LARGE],
  [7, 'value over MAX_VALUE', REJECTION.E_VALUE_TOO_LARGE],
  [8, 'division by zero', REJECTION.E_GUEST_TRAP],
  [9, 'unreachable', REJECTION.E_GUEST_TRAP],
  [10, 'output in apply', REJECTION.E_GUEST_TRAP, /output is not allowed in apply/],
  [11, 'log_append in apply', REJECTION.E_GUEST_TRAP, /log_append is not allowed in apply/],
  [12, 'write then trap', REJECTION.E_GUEST_TRAP],
  [13, '2 GiB memory.fill', REJECTION.E_FUEL_EXHAUSTED],
  [14, 'a status reserved for the host', REJECTION.E_GUEST_TRAP],
  [99, "the module's own rejection", 7],
];

describe('hostile apply', () => {
  for (const [op, what, code, message] of cases) {
    it(`${what} → ${code}, contained and deterministic`, () => {
      const state = new MemoryState();
      increment(state);
      const before = state.dump();
      const first = sm.apply(applyInput([op]), state);
      expect(first.code).toBe(code);
      expect(first.writes).toEqual([]);
      if (message) expect(first.message).toMatch(message);
      expect(first.fuel).toBeGreaterThan(0);
      expect(first.fuel).toBeLessThanOrEqual(DEFAULT_LIMITS.fuel);
      if (code === REJECTION.E_FUEL_EXHAUSTED) expect(first.fuel).toBe(DEFAULT_LIMITS.fuel);
      const second = sm.apply(applyInput([op]), state);
      expect({ code: second.code, fuel: second.fuel }).toEqual({ code: first.code, fuel: first.fuel });
      expect(state.dump()).toEqual(before);
      increment(state);
    });
  }

  it('the counter op applies with a stable fuel figure and only its own writes', () => {
    const a = new MemoryState();
    const b = new MemoryState();
    const x = sm.apply(applyInput([0]), a);
    const y = sm.apply(applyInput([0]), b);
    expect(x).toEqual(y);
    expect(x.writes.map((w) => Buffer.from(w.key).toString())).toEqual(['n']);
  });
});

describe('hostile query and command', () => {
  it('an output over MAX_OUTPUT is refused with E_OUTPUT_TOO_LARGE, then queries keep working', () => {
    const state = new MemoryState();
    increment(state);
    let err: unknown;
    try {
      sm.query({ method: 'huge', args: noArgs }, state);
    } catch (e) {
      err = e;
    }
    expect(isLatticeError(err, 'E_OUTPUT_TOO_LARGE')).toBe(true);
    const out = sm.query({ method: 'get', args: noArgs }, state);
    expect(Array.from(out.output!)).toEqual([1, 0, 0, 0]);
  });

  it("a query's non-zero return is E_GUEST_REJECTED with the status", () => {
    try {
      sm.query({ method: 'get', args: noArgs }, new MemoryState());
      expect.unreachable();
    } catch (e) {
      expect(isLatticeError(e, 'E_GUEST_REJECTED')).toBe(true);
      expect((e as { details: { status: number } }).details.status).toBe(3);
    }
  });

  it('kv_set in a command traps deterministically; log_append in a command appends', () => {
    const state = new MemoryState();
    expect(() => sm.command({ method: 'set', args: noArgs }, state, commandContext())).toThrow(/kv_set is not allowed in command/);
    const out = sm.command({ method: 'append', args: noArgs }, state, commandContext());
    expect(out.appends).toEqual([{ body: new Uint8Array([0]), deps: [] }]);
  });

  it('describe returns the parsed schema', () => {
    expect(sm.describe()).toMatchObject({ name: 'hostile', version: '1.0.0' });
    expect(sm.describe().methods.map((m) => m.name)).toEqual(['get', 'huge', 'append']);
  });
});
