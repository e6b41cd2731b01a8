// Where a node keeps its files (DESIGN §8): the data dir is --data-dir, else $LATTICE_HOME, else ~/.lattice. Every
// path inside it is named here once, so the CLI, the daemon and the node agree on them.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LatticeError } from '../model/errors.js';

export const DATA_DIR_ENV = 'LATTICE_HOME';

/** Unix socket paths are limited to 108 bytes (sun_path) including the terminating NUL. */
export const MAX_SOCKET_PATH = 107;

export interface DataDirPaths {
  readonly dataDir: string;
  /** The node's Ed25519 secret key (mode 0600). */
  readonly keyFile: string;
  /** Node settings (JSON). */
  readonly configFile: string;
  /** The LMDB environment directory. */
  readonly lmdbDir: string;
  /** The daemon's Unix socket (mode 0600). */
  readonly socket: string;
  /** One process per data dir: holds the holder's pid. */
  readonly lockFile: string;
}

/** The data dir to use: the flag, else $LATTICE_HOME, else ~/.lattice; always absolute. */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag && flag !== '' ? flag : env[DATA_DIR_ENV] && env[DATA_DIR_ENV] !== '' ? env[DATA_DIR_ENV] : join(homedir(), '.lattice');
  return resolve(chosen);
}

export function dataDirPaths(dataDir: string): DataDirPaths {
  const dir = resolve(dataDir);
  return {
    dataDir: dir,
    keyFile: join(dir, 'node.key'),
    configFile: join(dir, 'config.json'),
    lmdbDir: join(dir, 'lmdb'),
    socket: join(dir, 'lattice.sock'),
    lockFile: join(dir, 'lattice.lock'),
  };
}

/** The errno code of a failed fs call. */
const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;
const reason = (e: unknown): string => (errno(e) ? `${errno(e)}: ${(e as Error).message.split(',')[0]!.replace(/^\w+: /, '')}` : String(e));

/**
 * Throws E_DATA_DIR_INVALID when the path cannot be a data dir: it, or the nearest part of it that exists, is not a
 * directory. A path that does not exist yet is fine (`lattice init` creates it). Cheap: a few stat calls.
 */
export function checkDataDir(dataDir: string): string {
  const dir = resolve(dataDir);
  for (let p = dir; ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      if (errno(e) === 'ENOENT' && dirname(p) !== p) continue;
      if (errno(e) === 'ENOTDIR') continue; // a file further up: the loop finds it
      throw new LatticeError('E_DATA_DIR_INVALID', `the data dir ${dir} cannot be used: ${reason(e)}`, { dataDir: dir });
    }
    if (isDir) return dir;
    const what = p === dir ? `${dir} is not a directory` : `${p} is a file, so ${dir} cannot be a directory`;
    throw new LatticeError('E_DATA_DIR_INVALID', `the data dir must be a directory: ${what}`, { dataDir: dir, path: p });
  }
}

/**
 * Creates the data dir (mode 0700: it holds the node key) if it does not exist, one level at a time: a recursive
 * mkdir loops forever under paths like /proc/x, where every level fails with ENOENT.
 */
export function ensureDataDir(dataDir: string): DataDirPaths {
  const paths = dataDirPaths(checkDataDir(dataDir));
  const missing: string[] = [];
  for (let p = paths.dataDir; !existsSync(p); p = dirname(p)) missing.unshift(p);
  for (const p of missing) {
    try {
      mkdirSync(p, { mode: 0o700 });
    } catch (e) {
      if (errno(e) === 'EEXIST' && statSync(p, { throwIfNoEntry: false })?.isDirectory()) continue; // made meanwhile
      throw new LatticeError('E_DATA_DIR_INVALID', `cannot create the data dir ${paths.dataDir}: mkdir ${p} failed (${reason(e)})`, { dataDir: paths.dataDir, path: p });
    }
  }
  // A file written and removed, not access(): root passes access(W_OK) on /proc and on read-only mounts.
  const probe = join(paths.dataDir, `.write-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (e) {
    throw new LatticeError('E_DATA_DIR_INVALID', `the data dir ${paths.dataDir} is not writable (${reason(e)})`, { dataDir: paths.dataDir });
  }
  return paths;
}

/** Whether `lattice init` has run here (the node key exists). */
export function isInitialized(dataDir: string): boolean {
  return holdsNode(dataDirPaths(checkDataDir(dataDir)));
}

/** Whether any part of a node is here (its key, its config, its database): such a data dir is never made anew. */
function holdsNode(paths: DataDirPaths): boolean {
  return [paths.keyFile, paths.configFile, paths.lmdbDir].some((f) => existsSync(f));
}

/**
 * Throws E_NOT_INITIALIZED unless the data dir holds a node, and E_DATA_DIR_CORRUPT when its node key or config.json
 * is damaged, so a node never opens on a config it cannot read (it would look like a node in no mesh).
 */
export function requireInitialized(dataDir: string): DataDirPaths {
  const paths = dataDirPaths(checkDataDir(dataDir));
  if (!existsSync(paths.keyFile)) {
    if (holdsNode(paths)) {
      // `lattice init` here would make a new identity and orphan the stores: say what is missing instead.
      throw new LatticeError('E_DATA_DIR_CORRUPT', `${paths.keyFile} is missing, but ${paths.dataDir} holds a node's config or data: ${RECOVER}`, { file: paths.keyFile });
    }
    throw new LatticeError('E_NOT_INITIALIZED', `${paths.dataDir} has no node: run lattice init`, { dataDir: paths.dataDir });
  }
  readNodeKeySeed(paths);
  const config = readNodeConfigFile(paths);
  const db = join(paths.lmdbDir, 'data.mdb');
  if (config.meshes.length > 0 && !existsSync(db)) {
    throw new LatticeError('E_STORAGE_CORRUPT', `${db} is missing, but config.json names ${config.meshes.length} mesh(es) whose stores it held: restore the lmdb dir from a backup, or move the data dir away and run lattice init for a new node (then lattice peer join to rejoin a mesh)`, { file: db });
  }
  return paths;
}

const RECOVER = 'restore it from a backup, or move the data dir away and run lattice init for a new node (then lattice peer join to rejoin a mesh)';

function readDataFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const missing = errno(e) === 'ENOENT';
    throw new LatticeError('E_DATA_DIR_CORRUPT', `${file} ${missing ? 'is missing' : `cannot be read (${reason(e)})`}: ${what}; ${RECOVER}`, { file }, { cause: e });
  }
}

/** The node key's 32-byte seed from node.key (64 hex characters), or E_DATA_DIR_CORRUPT naming the file. */
export function readNodeKeySeed(paths: DataDirPaths): Uint8Array {
  const text = readDataFile(paths.keyFile, 'it holds the node key').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new LatticeError('E_DATA_DIR_CORRUPT', `${paths.keyFile} does not hold a node key (64 hex characters); ${RECOVER}`, { file: paths.keyFile });
  }
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/**
 * config.json parsed and checked for the fields every node has (a `meshes` list), or E_DATA_DIR_CORRUPT naming the
 * file. The node's own NodeConfig type lives with the node; this only says the file is whole.
 */
export function readNodeConfigFile(paths: DataDirPaths): Record<string, unknown> & { meshes: { meshId: string; joinedAt: number }[] } {
  const text = readDataFile(paths.configFile, 'it holds the meshes this node belongs to');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new LatticeError('E_DATA_DIR_CORRUPT', `${paths.configFile} is not valid JSON (${(e as Error).message}); ${RECOVER}`, { file: paths.configFile }, { cause: e });
  }
  const meshes = (v as { meshes?: unknown } | null)?.meshes;
  const ok = typeof v === 'object' && v !== null && !Array.isArray(v) && Array.isArray(meshes) &&
    meshes.every((m) => typeof m === 'object' && m !== null && typeof (m as { meshId?: unknown }).meshId === 'string');
  if (!ok) {
    throw new LatticeError('E_DATA_DIR_CORRUPT', `${paths.configFile} is not a Lattice node config (an object with a meshes list); ${RECOVER}`, { file: paths.configFile });
  }
  return v as Record<string, unknown> & { meshes: { meshId: string; joinedAt: number }[] };
}

/** The socket path, or a typed error when the data dir's path is too long for a Unix socket. */
export function socketPath(dataDir: string): string {
  const { socket } = dataDirPaths(dataDir);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new LatticeError('E_BAD_ARGUMENT', `the socket path ${socket} is longer than ${MAX_SOCKET_PATH} bytes: use a shorter --data-dir`, { socket });
  }
  return socket;
}
