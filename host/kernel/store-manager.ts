// The store manager (DESIGN §3): stores are self-describing. `create` writes a store's meta once and submits its
// Genesis; `peek` reads meta without opening; `resolve(storeType)` picks the engine through a registry of openers;
// `open` starts the actor. An unknown store type is a typed error and the store stays on disk untouched.
import { DEFAULT_LIMITS, LatticeError, newStoreId, NodeKey, toHex, ZERO_CID, type Cid, type ConsensusLimits, type StoreId } from '../model/index.js';
import type { StorageEnv } from '../storage/index.js';
import type { StoreMeta, StoreOpener } from './engine.js';
import { Store } from './store.js';
import { encodeSystemOp, packValue, unpackValue } from './system-ops.js';
import { VerifyPool } from './verify-pool.js';

export const SCHEMA_VERSION = 1;

export interface CreateStoreOptions {
  storeId?: StoreId;
  storeType: string;
  /** The mesh's root store id; defaults to the store itself (a root store). */
  meshId?: StoreId;
  name?: string;
  /** The module and limits the store starts with. Omit to create a replica of a store whose Genesis comes by sync. */
  genesis?: { cid?: Cid; limits?: ConsensusLimits };
}

export interface StoreManagerInit {
  env: StorageEnv;
  nodeKey: NodeKey;
  openers?: Record<string, StoreOpener>;
  /** Shared across stores; created (2 workers) and closed by the manager when not given. */
  verifyPool?: VerifyPool;
  now?: () => number;
}

const metaKey = (storeId: StoreId): Buffer => Buffer.from(storeId);

function decodeMeta(raw: Uint8Array): StoreMeta {
  const m = unpackValue(new Uint8Array(raw)) as Record<string, unknown>;
  return {
    storeId: new Uint8Array(m.storeId as Uint8Array) as StoreId,
    storeType: m.storeType as string,
    meshId: new Uint8Array(m.meshId as Uint8Array) as StoreId,
    ...(typeof m.name === 'string' ? { name: m.name } : {}),
    schemaVersion: m.schemaVersion as number,
    createdAt: m.createdAt as number,
  };
}

export class StoreManager {
  private readonly openers = new Map<string, StoreOpener>();
  private readonly stores = new Map<string, Promise<Store>>();
  private readonly pool: VerifyPool;
  private readonly ownsPool: boolean;
  private closed = false;

  constructor(private readonly init: StoreManagerInit) {
    for (const [type, opener] of Object.entries(init.openers ?? {})) this.openers.set(type, opener);
    this.pool = init.verifyPool ?? new VerifyPool();
    this.ownsPool = !init.verifyPool;
  }

  register(storeType: string, opener: StoreOpener): void {
    this.openers.set(storeType, opener);
  }

  /** The opener for a store type; E_UNKNOWN_STORE_TYPE if none is registered. */
  resolve(storeType: string): StoreOpener {
    const o = this.openers.get(storeType);
    if (!o) throw new LatticeError('E_UNKNOWN_STORE_TYPE', `no engine is registered for store type ${storeType}`, { storeType });
    return o;
  }

  /** A store's meta without opening it. */
  peek(storeId: StoreId): StoreMeta | undefined {
    const raw = this.init.env.tables.meta.get(metaKey(storeId));
    return raw ? decodeMeta(raw) : undefined;
  }

  list(): StoreMeta[] {
    return [...this.init.env.tables.meta.getRange({})].map(({ value }) => decodeMeta(value));
  }

  /** Writes the meta once, opens the store and (with `genesis`) submits its Genesis intention. */
  async create(options: CreateStoreOptions): Promise<Store> {
    this.assertOpen();
    this.resolve(options.storeType); // an unknown type writes nothing
    const storeId = options.storeId ?? newStoreId();
    const meta: StoreMeta = {
      storeId, storeType: options.storeType, meshId: options.meshId ?? storeId,
      ...(options.name !== undefined ? { name: options.name } : {}), schemaVersion: SCHEMA_VERSION, createdAt: (this.init.now ?? Date.now)(),
    };
    const { meta: table } = this.init.env.tables;
    this.init.env.transaction(() => {
      if (table.get(metaKey(storeId)) !== undefined) throw new LatticeError('E_STORE_EXISTS', `store ${toHex(storeId)} already exists`, { storeId: toHex(storeId) });
      table.putSync(metaKey(storeId), packValue(meta));
    });
    const store = await this.open(storeId);
    if (options.genesis) {
      await store.submit(encodeSystemOp({
        op: 'Genesis', storeType: options.storeType, cid: options.genesis.cid ?? ZERO_CID, limits: { ...(options.genesis.limits ?? DEFAULT_LIMITS) },
      }));
    }
    return store;
  }

  /** Opens (once) and returns the store. E_UNKNOWN_STORE / E_UNKNOWN_STORE_TYPE / E_TAMPERED. */
  open(storeId: StoreId): Promise<Store> {
    this.assertOpen();
    const id = toHex(storeId);
    let p = this.stores.get(id);
    if (!p) {
      p = (async () => {
        const meta = this.peek(storeId);
        if (!meta) throw new LatticeError('E_UNKNOWN_STORE', `no store ${id} on this node`, { storeId: id });
        const engine = await this.resolve(meta.storeType)({ meta });
        return Store.open({ env: this.init.env, meta, engine, nodeKey: this.init.nodeKey, verifyPool: this.pool, ...(this.init.now ? { now: this.init.now } : {}) });
      })();
      this.stores.set(id, p);
      p.catch(() => this.stores.delete(id));
    }
    return p;
  }

  /** The store if it is open. */
  async get(storeId: StoreId): Promise<Store | undefined> {
    return this.stores.get(toHex(storeId));
  }

  async closeStore(storeId: StoreId): Promise<void> {
    const id = toHex(storeId);
    const p = this.stores.get(id);
    this.stores.delete(id);
    if (p) await (await p.catch(() => undefined))?.close();
  }

  /** Closes every open store and the verify pool it created. Idempotent; the env stays open (the caller's). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.stores.values()];
    this.stores.clear();
    for (const p of all) await (await p.catch(() => undefined))?.close();
    if (this.ownsPool) await this.pool.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new LatticeError('E_CLOSED', 'store manager is closed');
  }
}
