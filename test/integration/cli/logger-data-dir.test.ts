// The namespaced logger (silent by default, LATTICE_LOG patterns, printf-style arguments, stderr only) and the data
// dir's resolution (flag, then $LATTICE_HOME, then ~/.lattice) and paths.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dataDirPaths, requireInitialized, resolveDataDir, socketPath } from '../../../host/node/data-dir.js';
import { isLatticeError } from '../../../host/model/errors.js';
import { logger } from '../../../host/node/logger.js';

describe('logger', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is silent unless LATTICE_LOG names the namespace, and writes formatted lines to stderr', () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    logger('lattice:net:iroh', '')('dropped %s', 'x');
    logger('lattice:net:iroh', 'lattice:node:*')('dropped');
    expect(err).not.toHaveBeenCalled();

    const log = logger('lattice:net:iroh', 'lattice:node:*, lattice:net:*');
    expect(log.enabled).toBe(true);
    log('peer %s sent %d frames', 'ab12', 3);
    log.error('boom: %s', 'E_BAD_FRAME');
    log.trace('detail %o', { a: 1 });
    const lines = err.mock.calls.map((c) => String(c[0]));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z lattice:net:iroh peer ab12 sent 3 frames\n$/);
    expect(lines[1]).toContain('lattice:net:iroh error boom: E_BAD_FRAME');
    expect(lines[2]).toContain('lattice:net:iroh trace detail { a: 1 }');
    expect(out).not.toHaveBeenCalled();
  });

  it('matches wildcards, comma lists and exclusions; extend() makes a child namespace', () => {
    expect(logger('lattice:net:iroh', 'lattice:*').enabled).toBe(true);
    expect(logger('lattice:net:iroh', '*').enabled).toBe(true);
    expect(logger('lattice:net:iroh', 'lattice:net').enabled).toBe(false);
    expect(logger('lattice:net:iroh', 'lattice:*,-lattice:net:*').enabled).toBe(false);
    const child = logger('lattice:node', 'lattice:node:rpc').extend('rpc');
    expect(child.namespace).toBe('lattice:node:rpc');
    expect(child.enabled).toBe(true);
  });
});

describe('data dir', () => {
  it('resolves the flag, then $LATTICE_HOME, then ~/.lattice, always absolute', () => {
    expect(resolveDataDir('rel/dir', { LATTICE_HOME: '/env' })).toBe(resolve('rel/dir'));
    expect(resolveDataDir(undefined, { LATTICE_HOME: '/env/home' })).toBe('/env/home');
    expect(resolveDataDir('', { LATTICE_HOME: '' })).toBe(join(homedir(), '.lattice'));
    expect(resolveDataDir(undefined, {})).toBe(join(homedir(), '.lattice'));
  });

  it('names every path inside the data dir', () => {
    expect(dataDirPaths('/d')).toEqual({
      dataDir: '/d', keyFile: '/d/node.key', configFile: '/d/config.json', lmdbDir: '/d/lmdb',
      socket: '/d/lattice.sock', lockFile: '/d/lattice.lock',
    });
  });

  it('refuses an uninitialized dir and a socket path longer than a Unix socket allows', () => {
    let e: unknown;
    try { requireInitialized('/nonexistent/lattice'); } catch (err) { e = err; }
    expect(isLatticeError(e, 'E_NOT_INITIALIZED')).toBe(true);
    e = undefined;
    try { socketPath('/' + 'x'.repeat(120)); } catch (err) { e = err; }
    expect(isLatticeError(e, 'E_BAD_ARGUMENT')).toBe(true);
  });
});
