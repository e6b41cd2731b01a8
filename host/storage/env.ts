// The node's LMDB environment (one per data dir) and the tables a store needs (DESIGN §3). Every key is binary and
// starts with the store id where the table is per store, so a store's rows (and a seq range of them) are one range
// read. Commits are synchronous and fsync'd: overlappingSync is off, so a committed batch is durable when
// transactionSync returns (a local intention must be on disk before the next is signed or pushed).
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { LatticeError } from '../model/index.js';
import { checkLmdbFile, META_READ_LEN } from './lmdb-meta.js';

export type Table = Database<Uint8Array, Uint8Array>;

/** The tables, each a named LMDB database with binary keys and values. */
export interface Tables {
  /** hash → SignedIntention bytes (encoding ‖ signature); every store's intentions, witnessed, floating or evidence. */
  readonly intentions: Table;
  /** storeId ‖ seq u64 BE → witness record (intention hash 32 ‖ wallTime u64 LE ‖ prevRecordHash 32). */
  readonly witnessLog: Table;
  /** storeId ‖ seq u64 BE → projection record (cid 32 ‖ result i32 LE ‖ writesDigest 32 ‖ stateHash 32). */
  readonly projection: Table;
  /** storeId ‖ hash → witness index entry (seq, HLC, upgrade in force). */
  readonly witnessIndex: Table;
  /** storeId ‖ missing hash ‖ waiter hash → empty: what each floating intention waits for. */
  readonly floatingIndex: Table;
  /** storeId ‖ hash → floating entry (count of hashes still missing when it floated). */
  readonly floating: Table;
  /** storeId ‖ hash → empty: equivocation evidence (kept, never witnessed). */
  readonly evidence: Table;
  /** storeId ‖ author ‖ storePrev → hash: the first intention of an author on a storePrev (equivocation check). */
  readonly chainLinks: Table;
  /** storeId ‖ author → author tip (hash 32 ‖ seq u64 LE). */
  readonly authorTips: Table;
  /** storeId ‖ hash → upgrade (msgpack {cid, limits}) for each Genesis and ModuleUpgrade in force somewhere. */
  readonly upgrades: Table;
  /** storeId ‖ namespace byte ‖ key → value: the store's live state (0x00 module, 0x01 system). */
  readonly state: Table;
  /** storeId ‖ field name → value: per-store kernel rows (seq, state hash, head, checkpoint, local chain, pause). */
  readonly storeRows: Table;
  /** storeId → store meta (msgpack), written once at creation. */
  readonly meta: Table;
  /** cid → module bytes (the runtime's CAS). */
  readonly modules: Table;
}

export interface StorageEnv {
  readonly path: string;
  readonly root: RootDatabase<Uint8Array, Buffer>;
  readonly tables: Tables;
  /** Runs `fn` in one write transaction: all of its writes commit (durably) or none do. */
  transaction<T>(fn: () => T): T;
  /**
   * The same, with the commit and its fsync on lmdb's write thread: `fn` runs on this thread when the write thread
   * holds the transaction (as a child transaction, so a throw discards its writes), and the promise resolves once the
   * commit is on disk (overlappingSync is off) or rejects with `fn`'s error or the commit's.
   */
  transactionAsync<T>(fn: () => T): Promise<T>;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** LMDB map size in bytes (default 8 GiB; the file grows as needed). */
  mapSize?: number;
  /** false: skip fsync on commit (scratch environments and tests that do not test durability). Default true. */
  durable?: boolean;
}

const TABLE_NAMES = [
  'intentions', 'witnessLog', 'projection', 'witnessIndex', 'floatingIndex', 'floating', 'evidence', 'chainLinks',
  'authorTips', 'upgrades', 'state', 'storeRows', 'meta', 'modules',
] as const;

const RECOVER = 'restore the data dir from a backup, or move it away and run lattice init for a new node (then lattice peer join to rejoin a mesh)';

/**
 * Throws E_STORAGE_CORRUPT when the environment's data file exists but its meta pages say it is damaged (empty,
 * truncated, not LMDB): lmdb would make it a new empty environment or crash the process on the first read.
 */
export function checkStorageFile(path: string): void {
  const file = join(path, 'data.mdb');
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // a new environment
    throw new LatticeError('E_HOST_FAULT', `cannot read ${file}: ${(e as Error).message}`, { file }, { cause: e });
  }
  let result;
  try {
    const size = fstatSync(fd).size;
    result = checkLmdbFile(size, (offset) => {
      const buf = new Uint8Array(META_READ_LEN);
      return buf.subarray(0, readSync(fd, buf, 0, META_READ_LEN, offset));
    });
  } finally {
    closeSync(fd);
  }
  if ('problem' in result) {
    throw new LatticeError('E_STORAGE_CORRUPT', `${file} ${result.problem}: the node's storage is damaged; ${RECOVER}`, { file });
  }
}

/** Opens (creating if needed) the LMDB environment at `path` (a directory). */
export function openStorage(path: string, options: StorageOptions = {}): StorageEnv {
  let root: RootDatabase<Uint8Array, Buffer>;
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new LatticeError('E_HOST_FAULT', `cannot create ${path}: ${(e as Error).message}`, { path }, { cause: e });
  }
  checkStorageFile(path);
  try {
    root = open<Uint8Array, Buffer>({
      path,
      overlappingSync: false,
      noSync: options.durable === false,
      maxDbs: 32,
      mapSize: options.mapSize ?? 8 * 1024 ** 3,
      keyEncoding: 'binary',
      encoding: 'binary',
    });
  } catch (e) {
    const message = (e as Error).message;
    // What the meta check lets through but LMDB still refuses (its own header checks) is damage too.
    const corrupt = /MDB_INVALID|MDB_VERSION_MISMATCH|MDB_CORRUPTED|MDB_PAGE_NOTFOUND/.test(message);
    throw new LatticeError(corrupt ? 'E_STORAGE_CORRUPT' : 'E_HOST_FAULT', `cannot open LMDB at ${path}: ${message}${corrupt ? `; ${RECOVER}` : ''}`, { path }, { cause: e });
  }
  const tables = {} as Record<(typeof TABLE_NAMES)[number], Table>;
  for (const name of TABLE_NAMES) {
    tables[name] = root.openDB<Uint8Array, Buffer>({ name, keyEncoding: 'binary', encoding: 'binary' }) as unknown as Table;
  }
  let closed = false;
  return {
    path,
    root,
    tables,
    transaction<T>(fn: () => T): T {
      if (closed) throw new LatticeError('E_CLOSED', 'storage is closed');
      return root.transactionSync(fn) as T;
    },
    transactionAsync<T>(fn: () => T): Promise<T> {
      if (closed) return Promise.reject(new LatticeError('E_CLOSED', 'storage is closed'));
      return root.childTransaction(fn) as Promise<T>;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await root.close();
    },
  };
}
