// What a new user met on one node (real LMDB, the shipped modules): a module whose describe() never succeeds is
// refused at publish and its type never registered; a store type in upper case is refused by publish as by init
// (one rule); and core:kvstore's refusals say why (status and code unchanged).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatticeError } from '../../../host/model/index.js';
import { buildModule } from '../../../host/node/module-build.js';
import { scaffoldModule } from '../../../host/node/module-scaffold.js';
import { initNode, openNode, type Node } from '../../../host/node/node.js';
import { KV_MAX_KEY, KV_MAX_VALUE } from '../../../host/runtime/refusal.js';

let dir: string;
let node: Node;
let loops: Uint8Array;
let tally: Uint8Array;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lattice-admission-'));
  await initNode(join(dir, 'n'));
  node = await openNode({ dataDir: join(dir, 'n') });
  await node.storeCreate('core:kvstore', 'notes');
  mkdirSync(join(dir, 'loops', 'assembly'), { recursive: true });
  writeFileSync(join(dir, 'loops', 'assembly', 'index.ts'), `import { OK } from "lattice-guest-sdk";
let n: i32 = 0;
export function describe(): i32 { while (n >= 0) n = (n + 1) & 0x7fffffff; return OK; }
export function apply(): i32 { return OK; }
export function command(): i32 { return OK; }
export function query(): i32 { return OK; }
`);
  loops = (await buildModule(join(dir, 'loops'), { write: false })).bytes;
  tally = (await buildModule(scaffoldModule(join(dir, 'tally')).dir, { write: false })).bytes;
}, 120_000);

afterAll(async () => {
  await node?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<LatticeError> {
  const e = await p.then(() => null, (x: unknown) => x);
  if (e instanceof LatticeError) return e;
  throw new Error(`expected a LatticeError, got ${String(e)}`);
}

describe('module admission on a node', () => {
  it('a module whose describe() runs out of fuel is refused at publish, and its type is never registered', async () => {
    const e = await refusal(node.modulePublish(loops, 'acme:loops'));
    expect(e.code).toBe('E_MODULE_INVALID');
    expect(e.message).toMatch(/describe\(\) ran out of fuel/);
    expect(e.details).toMatchObject({ describe: 'E_FUEL_EXHAUSTED' });
    expect((await node.moduleList()).map((m) => m.storeType)).not.toContain('acme:loops');
    expect((await refusal(node.storeCreate('acme:loops'))).code).toBe('E_UNKNOWN_STORE_TYPE');
    expect((await refusal(node.moduleShow(String(e.details['cid'])))).code).toBe('E_MODULE_NOT_FOUND');
  });

  it('publish refuses a store type init refuses (one rule), and accepts what init accepts', async () => {
    for (const bad of ['Acme:MaxReg', 'acme:Tally', '9acme:x', 'acme_x:y', 'core:rootstore', `acme:${'x'.repeat(128)}`]) {
      const e = await refusal(node.modulePublish(tally, bad));
      expect(e.code).toBe('E_BAD_ARGUMENT');
      expect(e.details).toMatchObject({ storeType: bad });
      const init = await refusal(Promise.resolve().then(() => scaffoldModule(join(dir, 'refused'), { storeType: bad })));
      expect({ code: init.code, message: init.message }).toEqual({ code: e.code, message: e.message });
    }
    expect((await refusal(node.modulePublish(tally, 'Acme:MaxReg'))).message).toMatch(/in lower case/);
    expect(await node.modulePublish(tally, 'acme:tally-2.x_y')).toMatchObject({ storeType: 'acme:tally-2.x_y', verified: true });
  });
});

describe('core:kvstore refusals say why', () => {
  const cases: [method: string, args: string[], reason: RegExp][] = [
    ['put', ['', 'v'], /^the key is empty$/],
    ['put', ['k'.repeat(KV_MAX_KEY + 1), 'v'], new RegExp(`^the key is ${KV_MAX_KEY + 1} bytes; core:kvstore keys are at most ${KV_MAX_KEY}$`)],
    ['put', ['k', 'v'.repeat(KV_MAX_VALUE + 1)], new RegExp(`^the value is ${KV_MAX_VALUE + 1} bytes; core:kvstore values are at most ${KV_MAX_VALUE}$`)],
    ['put', ['a\u0000b', 'v'], /NUL/],
    ['delete', [''], /^the key is empty$/],
    ['batch', ['put:a=1', 'put:a=2'], /^the key "a" appears more than once in the batch/],
    ['batch', ['put:a=1', 'del:'], /^op 1 \(""\): the key is empty$/],
    ['batch', ['put:a=1', 'frob'], /^op 1 is not "put:<key>=<value>" or "del:<key>": "frob"$/],
  ];
  for (const [method, args, reason] of cases) {
    it(`${method} ${JSON.stringify(args.map((a) => (a.length > 12 ? `${a.slice(0, 4)}…(${a.length})` : a)))} → E_BAD_ARGUMENT naming the reason`, async () => {
      const e = await refusal(node.storeExec('notes', method, args));
      expect(e.code).toBe('E_BAD_ARGUMENT');
      expect(e.details['status']).toBe(-20);
      expect(e.details['reason']).toMatch(reason);
      expect(e.message).toBe(`command ${method}: ${String(e.details['reason'])} (the module returned -20, BAD_ARGUMENT)`);
    });
  }

  it('the limits are exactly modules/kv\'s: a key of KV_MAX_KEY bytes and a value of KV_MAX_VALUE bytes are taken', async () => {
    await node.storeExec('notes', 'put', ['k'.repeat(KV_MAX_KEY), 'v']);
    await node.storeExec('notes', 'put', ['k', 'v'.repeat(KV_MAX_VALUE)]);
  });

  it('a batch over the log\'s payload limit names log_append\'s refusal', async () => {
    const e = await refusal(node.storeExec('notes', 'batch', ['x', 'y'].map((k) => `put:${k.repeat(200)}=${'v'.repeat(KV_MAX_VALUE)}`)));
    expect(e.code).toBe('E_GUEST_REJECTED');
    expect(e.details['status']).toBe(5);
    expect(e.message).toMatch(/^command batch: the intention could not be appended to the log: the intention's ops are \d+ bytes, over the limit of \d+ \(the module returned 5\)$/);
  });
});
