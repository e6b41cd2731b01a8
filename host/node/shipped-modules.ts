// The shipped modules (DESIGN §4.3): built from source at install into modules/<name>/build/<name>.wasm, their
// CIDs committed in modules/cids.json. Every node puts them in its CAS at start, so every node of a release starts
// from the same bytes; a new mesh registers them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asCid, blake3, cidToString, LatticeError } from '../model/index.js';
import type { ModuleCas } from '../runtime/index.js';
import { packageRoot } from './package-root.js';

export function shippedCids(): Record<string, string> {
  return JSON.parse(readFileSync(join(packageRoot(), 'modules', 'cids.json'), 'utf8')) as Record<string, string>;
}

/** Puts every built shipped module into the CAS; a build that does not match cids.json is a typed error. */
export async function loadShippedModules(cas: ModuleCas): Promise<void> {
  const expected = new Set(Object.values(shippedCids()));
  const dir = join(packageRoot(), 'modules');
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, 'build', `${name}.wasm`);
    if (!existsSync(file)) continue;
    const bytes = new Uint8Array(readFileSync(file));
    const cidBytes = asCid(blake3(bytes));
    const cid = cidToString(cidBytes);
    if (!expected.has(cid)) {
      throw new LatticeError('E_CID_MISMATCH', `${file} does not match modules/cids.json (rebuild with npm run build)`, { file, cid });
    }
    if (!cas.hasModule(cidBytes)) await cas.putModule(bytes);
  }
}
