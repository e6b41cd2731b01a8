// Where a node keeps its files (DESIGN §8): the data dir is --data-dir, else $LATTICE_HOME, else ~/.lattice. Every
// path inside it is named here once, so the CLI, the daemon and the node agree on them.
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
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

/** Creates the data dir (mode 0700: it holds the node key) if it does not exist. */
export function ensureDataDir(dataDir: string): DataDirPaths {
  const paths = dataDirPaths(dataDir);
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  return paths;
}

/** Whether `lattice init` has run here (the node key exists). */
export function isInitialized(dataDir: string): boolean {
  return existsSync(dataDirPaths(dataDir).keyFile);
}

/** Throws E_NOT_INITIALIZED unless the data dir holds a node. */
export function requireInitialized(dataDir: string): DataDirPaths {
  const paths = dataDirPaths(dataDir);
  if (!existsSync(paths.keyFile)) {
    throw new LatticeError('E_NOT_INITIALIZED', `${paths.dataDir} has no node: run lattice init`, { dataDir: paths.dataDir });
  }
  return paths;
}

/** The socket path, or a typed error when the data dir's path is too long for a Unix socket. */
export function socketPath(dataDir: string): string {
  const { socket } = dataDirPaths(dataDir);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new LatticeError('E_BAD_ARGUMENT', `the socket path ${socket} is longer than ${MAX_SOCKET_PATH} bytes: use a shorter --data-dir`, { socket });
  }
  return socket;
}
