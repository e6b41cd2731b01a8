// The StateMachine conformance suite (STYLE: every implementation of an interface passes one suite). What the
// kernel relies on: describe() is a valid schema; command() turns a call into appends deterministically; apply()
// is deterministic, never throws for bad input (a rejection is data: a non-zero code and no writes), and its writes
// are what a later query sees; unknown methods are typed refusals.
import { describe, expect, it } from 'vitest';
import type { ApplyInput, Call, CommandContext, StateMachine, StateReader, Write } from '../../host/kernel/state-machine.js';
import { compareBytes, isLatticeError, NodeKey, toHex, ZERO_HASH, type Hash, type StoreId } from '../../host/model/index.js';

export interface StateMachineHarness {
  machine: StateMachine;
  /** A command that appends at least one op, and a query whose answer that op changes. */
  command: Call;
  query: Call;
}

/** A StateReader over a Map, in byte order, that applies write sets. */
export class MapState implements StateReader {
  private readonly rows = new Map<string, Uint8Array>();
  get(key: Uint8Array): Uint8Array | undefined {
    return this.rows.get(toHex(key));
  }
  next(after: Uint8Array | undefined): { key: Uint8Array; value: Uint8Array } | undefined {
    const keys = [...this.rows.keys()].map((k) => Buffer.from(k, 'hex')).sort(compareBytes);
    const k = keys.find((x) => after === undefined || compareBytes(x, after) > 0);
    return k ? { key: new Uint8Array(k), value: this.rows.get(k.toString('hex'))! } : undefined;
  }
  apply(writes: readonly Write[]): void {
    for (const w of writes) {
      if (w.value === null) this.rows.delete(toHex(w.key));
      else this.rows.set(toHex(w.key), w.value);
    }
  }
}

const author = NodeKey.fromSeed(new Uint8Array(32).fill(7)).publicKey;
const ctx: CommandContext = { head: ZERO_HASH, isWitnessed: () => true };

function inputFor(body: Uint8Array, n: number, deps: readonly Hash[] = []): ApplyInput {
  const hash = new Uint8Array(32).fill(n & 0xff) as Hash;
  return {
    hash,
    body,
    intention: { author, timestamp: { wallMs: 1_700_000_000_000 + n, counter: 0 }, storeId: new Uint8Array(16) as StoreId, storePrev: ZERO_HASH, condition: deps, ops: Uint8Array.of(0, ...body) },
  };
}

const snapshot = (o: { code: number; writes: readonly Write[]; fuel: number }): string =>
  JSON.stringify({ code: o.code, fuel: o.fuel, writes: o.writes.map((w) => [toHex(w.key), w.value === null ? null : toHex(w.value)]) });

const refusalCode = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (isLatticeError(e)) return e.code;
    throw e;
  }
  return 'no refusal';
};

export function runStateMachineConformance(name: string, setup: () => Promise<StateMachineHarness>): void {
  describe(`StateMachine conformance: ${name}`, () => {
    it('describes itself with a valid schema that lists its methods', async () => {
      const { machine, command, query } = await setup();
      const d = machine.describe();
      expect(d.name).toMatch(/\S/);
      expect(typeof d.version).toBe('string');
      for (const m of d.methods) {
        expect(['command', 'query']).toContain(m.kind);
        for (const a of m.args) expect(a.type).toMatch(/^(string|bytes|i64|u64|bool|list<.+>)$/);
      }
      expect(d.methods.find((m) => m.name === command.method)?.kind).toBe('command');
      expect(d.methods.find((m) => m.name === query.method)?.kind).toBe('query');
    });

    it('turns a command into the same appends every time, with sorted unique deps', async () => {
      const { machine, command } = await setup();
      const a = machine.command(command, new MapState(), ctx);
      const b = machine.command(command, new MapState(), ctx);
      expect(a.appends.length).toBeGreaterThan(0);
      expect(a.appends.map((x) => toHex(x.body))).toEqual(b.appends.map((x) => toHex(x.body)));
      for (const ap of a.appends) for (let i = 1; i < ap.deps.length; i++) expect(compareBytes(ap.deps[i - 1]!, ap.deps[i]!)).toBeLessThan(0);
    });

    it('applies deterministically, and a query sees the writes', async () => {
      const { machine, command, query } = await setup();
      const body = machine.command(command, new MapState(), ctx).appends[0]!.body;
      const empty = new MapState();
      const before = machine.query(query, empty).output;
      const first = machine.apply(inputFor(body, 1), empty);
      const second = machine.apply(inputFor(body, 1), new MapState());
      expect(first.code).toBe(0);
      expect(first.writes.length).toBeGreaterThan(0);
      expect(snapshot(second)).toBe(snapshot(first));
      const state = new MapState();
      state.apply(first.writes);
      expect(toHex(machine.query(query, state).output ?? new Uint8Array())).not.toBe(toHex(before ?? new Uint8Array()));
    });

    it('rejects malformed app bytes as data: a non-zero code, no writes, the same on every run', async () => {
      const { machine } = await setup();
      let seed = 42;
      const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
      for (let n = 0; n < 40; n++) {
        const body = Uint8Array.from({ length: n % 7 === 0 ? 0 : 1 + (rand() % 64) }, rand);
        const a = machine.apply(inputFor(body, n), new MapState());
        const b = machine.apply(inputFor(body, n), new MapState());
        expect(snapshot(b)).toBe(snapshot(a));
        if (a.code !== 0) expect(a.writes).toEqual([]);
      }
      const empty = machine.apply(inputFor(new Uint8Array(0), 99), new MapState());
      expect(empty.code).not.toBe(0);
      expect(empty.writes).toEqual([]);
    });

    it('refuses unknown methods with E_UNKNOWN_METHOD', async () => {
      const { machine } = await setup();
      const call: Call = { method: 'no-such-method', args: Uint8Array.of(0, 0) };
      expect(refusalCode(() => machine.command(call, new MapState(), ctx))).toBe('E_UNKNOWN_METHOD');
      expect(refusalCode(() => machine.query(call, new MapState()))).toBe('E_UNKNOWN_METHOD');
    });
  });
}
