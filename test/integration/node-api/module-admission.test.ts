// What a new user met on one node (real LMDB, the shipped modules): a module whose describe() never succeeds is
// refused at publish and its type never registered; a store type in upper case is refused by publish as by init
// (one rule); and core:kvstore's refusals say why (status and code unchanged).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModule } from '../../../host/node/module-build.js';
import { scaffoldModule } from '../../../host/node/module-scaffold.js';
import { KV_MAX_KEY, KV_MAX_VALUE } from '../../../host/runtime/refusal.js';
import { embeddedNode, LOOPING_DESCRIBE, typedError as refusal, writeModule } from '../../helpers/embedded-node.js';

let loops: Uint8Array;
let tally: Uint8Array;

const fixture = embeddedNode('admission', async (n, dir) => {
  await n.storeCreate('core:kvstore', 'notes');
  loops = (await buildModule(writeModule(join(dir, 'loops'), LOOPING_DESCRIBE), { write: false })).bytes;
  tally = (await buildModule(scaffoldModule(join(dir, 'tally')).dir, { write: false })).bytes;
});

describe('module admission on a node', () => {
  it('a module whose describe() runs out of fuel is refused at publish, and its type is never registered', async () => {
    const e = await refusal(fixture.node.modulePublish(loops, 'acme:loops'));
    expect(e.code).toBe('E_MODULE_INVALID');
    expect(e.message).toMatch(/describe\(\) ran out of fuel/);
    expect(e.details).toMatchObject({ describe: 'E_FUEL_EXHAUSTED' });
    expect((await fixture.node.moduleList()).map((m) => m.storeType)).not.toContain('acme:loops');
    expect((await refusal(fixture.node.storeCreate('acme:loops'))).code).toBe('E_UNKNOWN_STORE_TYPE');
    expect((await refusal(fixture.node.moduleShow(String(e.details['cid'])))).code).toBe('E_MODULE_NOT_FOUND');
  });

  it('publish refuses a store type init refuses (one rule), and accepts what init accepts', async () => {
    for (const bad of ['Acme:MaxReg', 'acme:Tally', '9acme:x', 'acme_x:y', 'core:rootstore', `acme:${'x'.repeat(128)}`]) {
      const e = await refusal(fixture.node.modulePublish(tally, bad));
      expect(e.code).toBe('E_BAD_ARGUMENT');
      expect(e.details).toMatchObject({ storeType: bad });
      const init = await refusal(Promise.resolve().then(() => scaffoldModule(join(fixture.dir, 'refused'), { storeType: bad })));
      expect({ code: init.code, message: init.message }).toEqual({ code: e.code, message: e.message });
    }
    expect((await refusal(fixture.node.modulePublish(tally, 'Acme:MaxReg'))).message).toMatch(/in lower case/);
    expect(await fixture.node.modulePublish(tally, 'acme:tally-2.x_y')).toMatchObject({ storeType: 'acme:tally-2.x_y', verified: true });
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
      const e = await refusal(fixture.node.storeExec('notes', method, args));
      expect(e.code).toBe('E_BAD_ARGUMENT');
      expect(e.details['status']).toBe(-20);
      expect(e.details['reason']).toMatch(reason);
      expect(e.message).toBe(`command ${method}: ${String(e.details['reason'])} (the module returned -20, BAD_ARGUMENT)`);
    });
  }

  it('the limits are exactly modules/kv\'s: a key of KV_MAX_KEY bytes and a value of KV_MAX_VALUE bytes are taken', async () => {
    await fixture.node.storeExec('notes', 'put', ['k'.repeat(KV_MAX_KEY), 'v']);
    await fixture.node.storeExec('notes', 'put', ['k', 'v'.repeat(KV_MAX_VALUE)]);
  });

  it('a batch over the log\'s payload limit names log_append\'s refusal', async () => {
    const e = await refusal(fixture.node.storeExec('notes', 'batch', ['x', 'y'].map((k) => `put:${k.repeat(200)}=${'v'.repeat(KV_MAX_VALUE)}`)));
    expect(e.code).toBe('E_GUEST_REJECTED');
    expect(e.details['status']).toBe(5);
    expect(e.message).toMatch(/^command batch: the intention could not be appended to the log: the intention's ops are \d+ bytes, over the limit of \d+ \(the module returned 5\)$/);
  });
});
