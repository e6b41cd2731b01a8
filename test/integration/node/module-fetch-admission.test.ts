// A module fetched from a peer goes through the same admission as a local publish (lint, instrument, describe()
// once): a member that registered, by hand, a module whose describe() never returns does not get it into another
// node's CAS. Real nodes on the in-memory transport, a real AssemblyScript module.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { encodeSystemOp } from '../../../host/kernel/index.js';
import { asCid, blake3, isLatticeError } from '../../../host/model/index.js';
import { buildModule } from '../../../host/node/module-build.js';
import { testNet } from '../../helpers/node-mesh.js';
import { meshWithStore } from '../../helpers/node-ops.js';
import { tempDir } from '../../helpers/cli-run.js';
import { LOOPING_DESCRIBE, writeModule } from '../../helpers/embedded-node.js';

it('a fetched module whose describe() cannot return is refused, not stored', { timeout: 120_000 }, async (t) => {
  const { bytes } = await buildModule(writeModule(join(tempDir(t), 'spin'), LOOPING_DESCRIBE), { write: false });
  const cid = asCid(blake3(bytes));
  const net = testNet();
  const [a, b] = await meshWithStore(net, 2);
  // a registers it the way a hostile member could: straight into its CAS and its root log, no admission.
  await a!.cas.putModule(bytes);
  const root = await a!.store(a!.meshId());
  await root.submit(encodeSystemOp({ op: 'ModulePublish', storeType: 'test:spin', cid, size: bytes.length }));
  await b!.sync();
  expect(b!.mesh(b!.meshId()).module('test:spin')).toBeDefined();

  const refused = await b!.ensureModule(cid).then(() => null, (e: unknown) => e);
  expect(isLatticeError(refused, 'E_MODULE_INVALID')).toBe(true);
  expect((refused as Error).message).toMatch(/describe\(\)/);
  expect(b!.cas.hasModule(cid)).toBe(false);
  // b keeps serving its stores.
  await b!.storeExec('kv', 'put', ['still', 'here']);
});
