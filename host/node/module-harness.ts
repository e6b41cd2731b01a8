// The module test harness (`lattice module test [dir]`, DESIGN §3 order-independence): runs a module's declarative
// test file against any StateMachine on in-memory replicas, then replays every intention the steps produced in
// several causal orders and fails with the first two orders whose states disagree. The file format (test/*.json in
// a module dir, docs/module-guide.md):
//   { "steps": [ { "node"?: "a", "exec"|"query": "<method>", "args"?: ["..."], "expect"?: <json>,
//                  "expectError"?: "E_…" } | { "sync": true } ], "orders"?: 8 }
// `exec` runs a command on the node's replica and applies its intentions there at once; `sync` delivers every
// intention to every replica (in causal order); `expect` compares the query's JSON result, `expectError` the code.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeValue, valueToJson, type Json } from '../../abi/values.js';
import type { ApplyOutcome, StateMachine, StateReader } from '../kernel/state-machine.js';
import {
  blake3, compareBytes, DEFAULT_LIMITS, encodeAppOps, encodeIntention, isLatticeError, LatticeError, toHex, utf8, ZERO_HASH,
  type ConsensusLimits, type Hash, type Intention, type NodeId, type StoreId,
} from '../model/index.js';
import { createMemoryCasTable, createRuntime, ModuleCas, type ModuleRuntime } from '../runtime/index.js';
import { callFromStrings } from './args.js';
import { buildModule, ENTRY, type BuiltModule } from './module-build.js';

export interface TestStep {
  readonly node?: string;
  readonly exec?: string;
  readonly query?: string;
  readonly args?: readonly string[];
  readonly expect?: Json;
  readonly expectError?: string;
  readonly sync?: boolean;
}

export interface ModuleTestFile {
  readonly description?: string;
  readonly steps: readonly TestStep[];
  /** How many shuffled causal orders to replay (default 8). */
  readonly orders?: number;
}

export interface StepFailure { readonly step: number; readonly message: string }

export interface ModuleTestReport {
  readonly ok: boolean;
  readonly steps: number;
  readonly intentions: number;
  readonly failures: readonly StepFailure[];
  /** The first two delivery orders (intention hashes) whose final states differ. */
  readonly divergence: { readonly orderA: string[]; readonly orderB: string[]; readonly stateA: string; readonly stateB: string } | null;
}

/** One produced intention with its hash. */
export interface HarnessIntention { readonly hash: Hash; readonly intention: Intention; readonly body: Uint8Array }

const STORE_ID = new Uint8Array(16) as StoreId;
const BASE_MS = 1_700_000_000_000;

/** An in-memory replica: sorted state, witnessed set, an author chain. */
export class Replica implements StateReader {
  private readonly entries = new Map<string, { key: Uint8Array; value: Uint8Array }>();
  private sorted: { key: Uint8Array; value: Uint8Array }[] | null = null;
  readonly witnessed = new Set<string>();
  readonly results = new Map<string, number>();
  head: Hash = ZERO_HASH;
  readonly author: NodeId;

  constructor(readonly name: string, readonly machine: StateMachine) {
    this.author = blake3(utf8(`lattice/harness/${name}`)) as unknown as NodeId;
  }

  get(key: Uint8Array): Uint8Array | undefined { return this.entries.get(toHex(key))?.value; }

  next(after: Uint8Array | undefined): { key: Uint8Array; value: Uint8Array } | undefined {
    const sorted = (this.sorted ??= [...this.entries.values()].sort((a, b) => compareBytes(a.key, b.key)));
    if (after === undefined) return sorted[0];
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(sorted[mid]!.key, after) > 0) hi = mid;
      else lo = mid + 1;
    }
    return sorted[lo];
  }

  /** Applies one intention whose deps are witnessed here; returns the outcome. */
  apply(i: HarnessIntention): ApplyOutcome {
    const out = this.machine.apply(i, this);
    if (out.code === 0) {
      for (const w of out.writes) {
        if (w.value === null) this.entries.delete(toHex(w.key));
        else this.entries.set(toHex(w.key), { key: new Uint8Array(w.key), value: new Uint8Array(w.value) });
      }
      this.sorted = null;
    }
    this.witnessed.add(toHex(i.hash));
    this.results.set(toHex(i.hash), out.code);
    return out;
  }

  ready(i: HarnessIntention): boolean {
    const prev = i.intention.storePrev;
    return (prev.every((b) => b === 0) || this.witnessed.has(toHex(prev))) && i.intention.condition.every((d) => this.witnessed.has(toHex(d)));
  }

  /** Canonical text of the state (sorted key=value hex) and the apply results, for comparing replicas. */
  snapshot(): string {
    const rows = [...this.entries.values()].sort((a, b) => compareBytes(a.key, b.key)).map((e) => `${toHex(e.key)}=${toHex(e.value)}`);
    return rows.join('\n');
  }
}

/** Replicas of one store on named nodes, driven by method calls; what a test file's steps run on. */
export class Cluster {
  readonly replicas = new Map<string, Replica>();
  readonly intentions: HarnessIntention[] = [];
  private clock = 0;

  constructor(readonly machine: () => StateMachine) {}

  replica(name: string): Replica {
    let r = this.replicas.get(name);
    if (!r) this.replicas.set(name, (r = new Replica(name, this.machine())));
    return r;
  }

  /** Runs a command on a node and applies its intentions there; returns them. Throws the command's LatticeError. */
  exec(node: string, method: string, args: readonly string[] = []): HarnessIntention[] {
    const r = this.replica(node);
    const call = callFromStrings(r.machine.describe(), 'command', method, args);
    const out = r.machine.command(call, r, { head: r.head, isWitnessed: (h) => r.witnessed.has(toHex(h)) });
    const made: HarnessIntention[] = [];
    for (const a of out.appends) {
      const condition = [...new Map(a.deps.map((d) => [toHex(d), d])).values()].sort(compareBytes);
      const intention: Intention = {
        author: r.author, timestamp: { wallMs: BASE_MS + ++this.clock, counter: 0 }, storeId: STORE_ID,
        storePrev: r.head, condition, ops: encodeAppOps(a.body),
      };
      const hi: HarnessIntention = { hash: blake3(encodeIntention(intention)), intention, body: a.body };
      this.intentions.push(hi);
      made.push(hi);
      r.head = hi.hash;
      r.apply(hi);
    }
    return made;
  }

  /** Runs a query on a node; its output as JSON (null for no output). */
  query(node: string, method: string, args: readonly string[] = []): Json | null {
    const r = this.replica(node);
    const out = r.machine.query(callFromStrings(r.machine.describe(), 'query', method, args), r);
    if (out.output === null) return null;
    const v = decodeValue(out.output);
    if (!v.ok) throw new LatticeError('E_MODULE_INVALID', `${method}: the output does not decode: ${v.error}`);
    return valueToJson(v.value);
  }

  /** Delivers every intention to the given nodes (all by default), in creation order, which is causal. */
  sync(nodes?: readonly string[]): void {
    for (const name of nodes ?? [...this.replicas.keys()]) {
      const r = this.replica(name);
      for (const i of this.intentions) if (!r.witnessed.has(toHex(i.hash))) r.apply(i);
    }
  }
}

/** Runs the steps of a test file; `machine()` makes a StateMachine (one per replica). */
export function runModuleTest(machine: () => StateMachine, file: ModuleTestFile): ModuleTestReport {
  const cluster = new Cluster(machine);
  const failures: StepFailure[] = [];
  file.steps.forEach((step, n) => {
    const fail = (message: string): void => { failures.push({ step: n, message }); };
    if (step.sync) return cluster.sync();
    const node = step.node ?? 'a';
    const method = step.exec ?? step.query;
    if (method === undefined) return fail('a step needs exec, query or sync');
    const shown = [method, ...(step.args ?? [])].join(' ');
    try {
      if (step.exec !== undefined) {
        cluster.exec(node, method, step.args);
        if (step.expectError !== undefined) fail(`${shown}: expected ${step.expectError}, the command succeeded`);
        return;
      }
      const json = cluster.query(node, method, step.args);
      if (step.expectError !== undefined) return fail(`${shown}: expected ${step.expectError}, got ${JSON.stringify(json)}`);
      if (step.expect !== undefined && JSON.stringify(json) !== JSON.stringify(step.expect)) {
        fail(`${shown}: expected ${JSON.stringify(step.expect)}, got ${JSON.stringify(json)}`);
      }
    } catch (e) {
      if (step.expectError !== undefined && isLatticeError(e) && e.code === step.expectError) return;
      fail(`${shown}: ${isLatticeError(e) ? `error[${e.code}]: ` : ''}${(e as Error).message}`);
    }
  });
  const divergence = checkOrders(machine, cluster.intentions, file.orders ?? 8);
  return { ok: failures.length === 0 && divergence === null, steps: file.steps.length, intentions: cluster.intentions.length, failures, divergence };
}

/** A seeded PRNG (mulberry32), so a failing order is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Replays the intentions in `orders` causal orders (the creation order first); the first disagreement, or null. */
export function checkOrders(machine: () => StateMachine, all: readonly HarnessIntention[], orders: number): ModuleTestReport['divergence'] {
  let first: { order: string[]; state: string } | null = null;
  for (let k = 0; k < Math.max(1, orders); k++) {
    const random = prng(k);
    const r = new Replica('replay', machine());
    const pending = [...all];
    const order: string[] = [];
    while (pending.length > 0) {
      const ready = pending.filter((i) => r.ready(i));
      if (ready.length === 0) throw new LatticeError('E_HOST_FAULT', 'the harness produced an intention whose deps are not in the set');
      const pick = k === 0 ? ready[0]! : ready[Math.floor(random() * ready.length)]!;
      pending.splice(pending.indexOf(pick), 1);
      r.apply(pick);
      order.push(toHex(pick.hash));
    }
    const state = r.snapshot();
    if (first === null) first = { order, state };
    else if (state !== first.state) return { orderA: first.order, orderB: order, stateA: first.state, stateB: state };
  }
  return null;
}

const STEP_KEYS = new Set(['node', 'exec', 'query', 'args', 'expect', 'expectError', 'sync']);

/** Parses and checks one test file; E_BAD_ARGUMENT names the file and the first problem. */
export function parseTestFile(text: string, name = 'test file'): ModuleTestFile {
  const bad = (why: string): never => { throw new LatticeError('E_BAD_ARGUMENT', `${name}: ${why}`, { file: name }); };
  let d: unknown;
  try { d = JSON.parse(text); } catch (e) { return bad((e as Error).message); }
  const f = d as ModuleTestFile;
  if (typeof f !== 'object' || f === null || !Array.isArray(f.steps)) return bad('expected {"steps": [...]}');
  if (f.orders !== undefined && (!Number.isInteger(f.orders) || f.orders < 1 || f.orders > 1000)) bad('orders is an integer from 1 to 1000');
  f.steps.forEach((s, i) => {
    if (typeof s !== 'object' || s === null) return bad(`step ${i} is not an object`);
    const unknown = Object.keys(s).filter((k) => !STEP_KEYS.has(k));
    if (unknown.length) bad(`step ${i} has unknown field(s) ${unknown.join(', ')}`);
    const kinds = [s.exec !== undefined, s.query !== undefined, s.sync === true].filter(Boolean).length;
    if (kinds !== 1) bad(`step ${i} needs exactly one of exec, query, sync`);
    if (s.args !== undefined && (!Array.isArray(s.args) || s.args.some((a: unknown) => typeof a !== 'string'))) bad(`step ${i}: args are strings`);
  });
  return f;
}

/** The test files of a module dir: <dir>/test/*.test.json, sorted. */
export function loadTestFiles(dir: string): { file: string; test: ModuleTestFile }[] {
  let names: string[];
  try { names = readdirSync(join(dir, 'test')).filter((n) => n.endsWith('.test.json')).sort(); } catch { names = []; }
  return names.map((n) => ({ file: join(dir, 'test', n), test: parseTestFile(readFileSync(join(dir, 'test', n), 'utf8'), n) }));
}

/** A built module under the real runtime (validation, instrumentation, fuel), as a machine factory. */
export async function loadMachine(bytes: Uint8Array, options: { runtime?: ModuleRuntime; limits?: ConsensusLimits } = {}): Promise<() => StateMachine> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const runtime = options.runtime ?? createRuntime({ cas: new ModuleCas(createMemoryCasTable()) });
  const { cid } = await runtime.publish(bytes, limits);
  // A WasmStateMachine starts a fresh instance per call, so one serves every replica.
  const machine = await runtime.load(cid, limits);
  return () => machine;
}

export interface ModuleDirReport {
  readonly built: BuiltModule;
  readonly files: readonly { readonly file: string; readonly report: ModuleTestReport }[];
  readonly ok: boolean;
}

/** `lattice module test [dir]`: builds the module, runs every test/*.test.json on the runtime. */
export async function testModuleDir(dir: string, options: { runtime?: ModuleRuntime; limits?: ConsensusLimits } = {}): Promise<ModuleDirReport> {
  const tests = loadTestFiles(dir);
  // No tests is not a pass: a misspelt directory or file name would otherwise look like a green run. (A dir with no
  // module at all is left to buildModule, whose E_BUILD_FAILED says so.)
  if (tests.length === 0 && existsSync(join(dir, ENTRY))) {
    const testDir = join(dir, 'test');
    throw new LatticeError('E_BAD_ARGUMENT', `no test files in ${testDir}: ${existsSync(testDir) ? 'it holds no *.test.json' : 'it does not exist'} (a module's tests are test/<name>.test.json; \`lattice module init\` writes one, docs/module-guide.md describes the format)`, { dir, testDir });
  }
  const built = await buildModule(dir, { write: false });
  const machine = await loadMachine(built.bytes, options);
  const files = tests.map(({ file, test }) => ({ file, report: runModuleTest(machine, test) }));
  return { built, files, ok: files.every((f) => f.report.ok) };
}
