// Read access to a store's system table (the root store's membership, invites, children and registry rows) for
// the node: the kernel writes these rows through SystemOpHandlers; the node only reads them.
import { TableStateReader, unpackValue } from '../kernel/index.js';
import { fromUtf8, LatticeError, utf8, type StoreId } from '../model/index.js';
import { NS_SYSTEM, type StorageEnv } from '../storage/index.js';
import type { ScannableTable } from './mesh.js';

export function systemTable(env: StorageEnv, storeId: StoreId): ScannableTable {
  const reader = new TableStateReader(env.tables.state, storeId, NS_SYSTEM);
  return {
    get(key: string): unknown {
      const v = reader.get(utf8(key));
      return v === undefined ? undefined : unpackValue(v);
    },
    set(): void {
      throw new LatticeError('E_HOST_FAULT', 'the node reads system tables; only system ops write them');
    },
    keys(prefix: string): string[] {
      const p = utf8(prefix);
      const out: string[] = [];
      for (let e = reader.next(p); e; e = reader.next(e.key)) {
        if (e.key.length < p.length || !p.every((b, i) => e!.key[i] === b)) break;
        out.push(fromUtf8(e.key));
      }
      return out;
    },
  };
}
