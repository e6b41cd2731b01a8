// Test helpers for the runtime: a Map-backed StateReader that applies write sets, apply inputs, and a runtime over
// an in-memory CAS with the fixtures' modules stored.
import type { ApplyInput, CommandContext, StateReader, Write } from '../../../host/kernel/state-machine.js';
import { compareBytes, DEFAULT_LIMITS, ZERO_HASH, type ConsensusLimits, type Hash, type NodeId, type StoreId } from '../../../host/model/index.js';
import { createMemoryCasTable, createRuntime, ModuleCas, type ModuleRuntime, type WasmStateMachine } from '../../../host/runtime/index.js';
import { fixture } from './wat.js';

export class MemoryState implements StateReader {
  readonly entries = new Map<string, Uint8Array>();

  get(key: Uint8Array): Uint8Array | undefined {
    return this.entries.get(Buffer.from(key).toString('latin1'));
  }

  next(after: Uint8Array | undefined): { key: Uint8Array; value: Uint8Array } | undefined {
    const keys = [...this.entries.keys()].sort();
    const a = after === undefined ? undefined : Buffer.from(after).toString('latin1');
    const k = keys.find((x) => a === undefined || x > a);
    return k === undefined ? undefined : { key: new Uint8Array(Buffer.from(k, 'latin1')), value: this.entries.get(k)! };
  }

  commit(writes: readonly Write[]): void {
    for (const w of writes) {
      const k = Buffer.from(w.key).toString('latin1');
      if (w.value === null) this.entries.delete(k);
      else this.entries.set(k, w.value);
    }
  }

  /** The state as sorted hex pairs, for comparisons. */
  dump(): string[] {
    return [...this.entries.entries()].sort(([a], [b]) => compareBytes(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'))).map(([k, v]) => `${Buffer.from(k, 'latin1').toString('hex')}=${Buffer.from(v).toString('hex')}`);
  }
}

let seq = 0;
/** An apply input with no deps (so app bytes start at input offset 84) carrying `body`. */
export function applyInput(body: Uint8Array | number[]): ApplyInput {
  seq++;
  const hash = new Uint8Array(32) as Hash;
  new DataView(hash.buffer).setUint32(0, seq);
  return {
    hash,
    body: Uint8Array.from(body),
    intention: {
      author: new Uint8Array(32).fill(1) as NodeId,
      timestamp: { wallMs: 1_700_000_000_000 + seq, counter: 0 },
      storeId: new Uint8Array(16) as StoreId,
      storePrev: ZERO_HASH,
      condition: [],
      ops: Uint8Array.from([0, ...body]),
    },
  };
}

export const commandContext = (witnessed: (h: Hash) => boolean = () => true): CommandContext => ({ head: new Uint8Array(32).fill(9) as Hash, isWitnessed: witnessed });

export const noArgs = new Uint8Array([0, 0]);

export interface Loaded {
  runtime: ModuleRuntime;
  cas: ModuleCas;
  sm: WasmStateMachine;
}

/** Stores a fixture module in a fresh in-memory CAS and loads it. */
export async function loadFixture(name: string, limits: ConsensusLimits = DEFAULT_LIMITS): Promise<Loaded> {
  const cas = new ModuleCas(createMemoryCasTable());
  const runtime = createRuntime({ cas });
  const cid = await cas.putModule(await fixture(name));
  return { runtime, cas, sm: await runtime.load(cid, limits) };
}
